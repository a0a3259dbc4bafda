"""Read a labelled pairs file (the format of ../shared/data/pairs.json)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import InputError
from app.study.json_files import read_json

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
    entries, base = _pair_entries(path, "pairs", "id, cv, job, label")
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
    entries, base = _pair_entries(path, "field-pairs", "id, lang, cv, job, field")
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


def _pair_entries(path: Path, kind: str, fields: str) -> tuple[list[Any], Path]:
    """The "pairs" list of a pairs file and the folder its paths are relative to; a one-line InputError otherwise."""
    data = read_json(path, kind)
    entries = data.get("pairs") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise InputError(f'{path}: expected a "pairs" list of {{{fields}}} objects.')
    return entries, Path(path).resolve().parent
