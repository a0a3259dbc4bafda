"""Read a labelled pairs file (the format of ../shared/data/pairs.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.errors import InputError

# The labels of the data sets and the verdict each one stands for.
LABEL_TO_VERDICT: dict[str, str] = {"high": "strong_fit", "medium": "partial_fit", "low": "not_a_fit"}


@dataclass(frozen=True)
class Pair:
    id: str
    lang: str
    cv_path: Path
    job_path: Path
    label: str
    expected_score: tuple[int, int] | None = None
    human_score_of_10: float | None = None
    note: str | None = None


def load_pairs(path: Path) -> list[Pair]:
    """Every pair of the file, with CV and job paths made absolute."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such pairs file; give the path of a pairs JSON file.") from None
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: not a readable JSON pairs file ({error}).") from None
    entries = data.get("pairs") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise InputError(f'{path}: expected a "pairs" list of {{id, cv, job, label}} objects.')
    base = Path(path).resolve().parent
    pairs: list[Pair] = []
    for index, entry in enumerate(entries):
        try:
            label = entry["label"]
            if label not in LABEL_TO_VERDICT:
                raise KeyError("label")
            expected = entry.get("expected_score")
            pairs.append(
                Pair(
                    id=str(entry["id"]),
                    lang=str(entry.get("lang", "")),
                    cv_path=base / entry["cv"],
                    job_path=base / entry["job"],
                    label=label,
                    expected_score=tuple(expected) if expected else None,
                    human_score_of_10=entry.get("human_score_of_10"),
                    note=entry.get("note"),
                )
            )
        except (KeyError, TypeError):
            raise InputError(
                f"{path}: pair #{index + 1} needs id, cv, job and a label of high, medium or low."
            ) from None
    return pairs


# The label of a same-field / cross-field pair set (tests/field_pairs.json).
FIELD_LABELS = ("same", "cross")


@dataclass(frozen=True)
class FieldPair:
    """A CV and a job labelled by hand as the same field of work or not."""

    id: str
    lang: str
    cv_path: Path
    job_path: Path
    field: str  # "same" | "cross"
    note: str | None = None


def load_field_pairs(path: Path) -> list[FieldPair]:
    """Every pair of a same/cross-field file ({"pairs": [{id, lang, cv, job, field}]}), paths made absolute."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such field-pairs file; give the path of a field-pairs JSON file.") from None
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: not a readable JSON field-pairs file ({error}).") from None
    entries = data.get("pairs") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise InputError(f'{path}: expected a "pairs" list of {{id, lang, cv, job, field}} objects.')
    base = Path(path).resolve().parent
    pairs: list[FieldPair] = []
    for index, entry in enumerate(entries):
        try:
            if entry["field"] not in FIELD_LABELS or entry["lang"] not in ("en", "ru"):
                raise KeyError("field")
            pairs.append(
                FieldPair(
                    id=str(entry["id"]),
                    lang=entry["lang"],
                    cv_path=base / entry["cv"],
                    job_path=base / entry["job"],
                    field=entry["field"],
                    note=entry.get("note"),
                )
            )
        except (KeyError, TypeError):
            raise InputError(
                f'{path}: pair #{index + 1} needs id, cv, job, lang ("en" or "ru") and a field of "same" or "cross".'
            ) from None
    return pairs
