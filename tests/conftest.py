"""Shared test helpers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_text() -> Callable[[str], str]:
    """Read tests/fixtures/<name> (UTF-8); ".txt" is added when the name has no suffix."""

    def read(name: str) -> str:
        path = FIXTURES / name
        if not path.suffix:
            path = path.with_suffix(".txt")
        return path.read_text(encoding="utf-8")

    return read
