"""Read the study's JSON input files (pairs, gold lists), with one-line errors that say what to give."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.errors import InputError


def read_json(path: Path, kind: str) -> Any:
    """The JSON value of a `kind` file ("pairs", "gold"...); an InputError line when it is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such {kind} file; give the path of a {kind} JSON file.") from None
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: not a readable JSON {kind} file ({error}).") from None
