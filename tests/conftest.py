"""Shared test fixtures: fixture texts, and a fake engine in place of the model."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import pytest

from app import pipeline
from app.llm.fake import FakeEngine

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


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    """A FakeEngine that every analysis in this test gets instead of a loaded model.

    It stands in for app.pipeline.load_engine (scripts) and lease_local_engine (run_analysis).

    Queue replies or failures on it: `fake_engine.queue("advice")`, `fake_engine.fail(ModelError("..."))`.
    """
    engine = FakeEngine()
    monkeypatch.setattr(pipeline, "load_engine", lambda settings: engine)
    monkeypatch.setattr(pipeline, "lease_local_engine", lambda settings, **_: contextlib.nullcontext(engine))
    return engine
