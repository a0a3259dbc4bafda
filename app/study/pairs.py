"""Read a labelled pairs file (the format of ../shared/data/pairs.json)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from app.errors import InputError
from app.study.json_files import read_json

PairT = TypeVar("PairT")

# The labels of the data sets and the verdict each one stands for.
LABEL_TO_VERDICT: dict[str, str] = {"high": "strong_fit", "medium": "partial_fit", "low": "not_a_fit"}


@dataclass(frozen=True)
class PairFiles:
    """A CV and a job by path, with the pair's id and language: what both kinds of labelled pair hold."""

    id: str
    lang: str
    cv_path: Path
    job_path: Path


@dataclass(frozen=True)
class Pair(PairFiles):
    """A CV and a job labelled by how well they match (high, medium, low)."""

    label: str
    expected_score: tuple[int, int] | None = None
    human_score_of_10: float | None = None
    note: str | None = None


def load_pairs(path: Path) -> list[Pair]:
    """Every pair of the file, with CV and job paths made absolute."""
    return _load(path, "pairs", "id, cv, job, label", _pair, "needs id, cv, job and a label of high, medium or low.")


def _pair(entry: dict[str, Any], base: Path) -> Pair:
    if entry["label"] not in LABEL_TO_VERDICT:
        raise KeyError("label")
    expected = entry.get("expected_score")
    return Pair(
        id=str(entry["id"]),
        lang=str(entry.get("lang", "")),
        cv_path=base / entry["cv"],
        job_path=base / entry["job"],
        label=entry["label"],
        expected_score=tuple(expected) if expected else None,
        human_score_of_10=entry.get("human_score_of_10"),
        note=entry.get("note"),
    )


# The label of a same-field / cross-field pair set (tests/field_pairs.json).
FIELD_LABELS = ("same", "cross")


@dataclass(frozen=True)
class FieldPair(PairFiles):
    """A CV and a job labelled by hand as the same field of work or not."""

    field: str  # "same" | "cross"
    note: str | None = None


def load_field_pairs(path: Path) -> list[FieldPair]:
    """Every pair of a same/cross-field file ({"pairs": [{id, lang, cv, job, field}]}), paths made absolute."""
    problem = 'needs id, cv, job, lang ("en" or "ru") and a field of "same" or "cross".'
    return _load(path, "field-pairs", "id, lang, cv, job, field", _field_pair, problem)


def _field_pair(entry: dict[str, Any], base: Path) -> FieldPair:
    if entry["field"] not in FIELD_LABELS or entry["lang"] not in ("en", "ru"):
        raise KeyError("field")
    return FieldPair(
        id=str(entry["id"]),
        lang=entry["lang"],
        cv_path=base / entry["cv"],
        job_path=base / entry["job"],
        field=entry["field"],
        note=entry.get("note"),
    )


def _load(
    path: Path, kind: str, fields: str, make: Callable[[dict[str, Any], Path], PairT], problem: str
) -> list[PairT]:
    """Every entry of a pairs file made into a pair; one InputError line naming the first bad entry."""
    data = read_json(path, kind)
    entries = data.get("pairs") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise InputError(f'{path}: expected a "pairs" list of {{{fields}}} objects.')
    base = Path(path).resolve().parent
    pairs: list[PairT] = []
    for index, entry in enumerate(entries):
        try:
            pairs.append(make(entry, base))
        except (KeyError, TypeError):
            raise InputError(f"{path}: pair #{index + 1} {problem}") from None
    return pairs
