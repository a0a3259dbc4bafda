"""Human ratings of a run's advice on the study's six criteria, kept in SQLite (runs/ratings.sqlite).

Each rater scores each answer 0-5 on adequacy, reliability, usefulness,
honesty, linguistic correctness and coherence. Raters are blind: they get the
answers in an order shuffled with a seed of their own, and nothing here hands
the page a model name or a decoding setting. A rating is one row per (run
file, answer, rater); saving again replaces it. The criteria's definitions
live in prompts/criteria_<language>.txt, shared with the LLM judge.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import InputError
from app.llm.prompting import PROMPTS_DIR

CRITERIA: tuple[str, ...] = (
    "adequacy",
    "reliability",
    "usefulness",
    "honesty",
    "linguistic_correctness",
    "coherence",
)
RATINGS_FILE = "ratings.sqlite"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS ratings (
    id INTEGER PRIMARY KEY,
    run_file TEXT NOT NULL,
    row_id TEXT NOT NULL,
    rater TEXT NOT NULL,
    {", ".join(f"{name} INTEGER NOT NULL CHECK ({name} BETWEEN 0 AND 5)" for name in CRITERIA)},
    comment TEXT NOT NULL DEFAULT '',
    rated_at TEXT NOT NULL,
    UNIQUE (run_file, row_id, rater)
)
"""


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    definition: str


def load_criteria(language: str = "en") -> list[Criterion]:
    """The six criteria with their definitions, from prompts/criteria_<language>.txt (English by default).

    The file has one line per criterion: `key | Label | definition`; lines
    starting with # are comments.
    """
    path = PROMPTS_DIR / f"criteria_{language}.txt"
    if not path.is_file():
        path = PROMPTS_DIR / "criteria_en.txt"
    found: dict[str, Criterion] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, label, definition = (part.strip() for part in line.split("|", 2))
        found[key] = Criterion(key, label, definition)
    if set(found) != set(CRITERIA):
        raise InputError(f"{path}: expected the criteria {', '.join(CRITERIA)}, found {', '.join(found)}.")
    return [found[key] for key in CRITERIA]


def run_key(run_path: Path, db_path: Path) -> str:
    """How a run file is named in the database: relative to the database's folder when inside it."""
    run, folder = Path(run_path).resolve(), Path(db_path).resolve().parent
    return str(run.relative_to(folder)) if run.is_relative_to(folder) else str(run)


@contextmanager
def connect(db_path: Path) -> Iterator[sqlite3.Connection]:
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = sqlite3.connect(str(db_path))
    except sqlite3.Error as error:
        raise InputError(f"{db_path}: cannot open the ratings database ({error}).") from None
    try:
        connection.row_factory = sqlite3.Row
        connection.execute(_SCHEMA)
        yield connection
        connection.commit()
    except sqlite3.DatabaseError as error:
        raise InputError(f"{db_path}: not a ratings database ({error}).") from None
    finally:
        connection.close()


def clean_rater(rater: str) -> str:
    name = " ".join(rater.split())
    if not name:
        raise InputError("enter your name as the rater first: ratings are kept per rater.")
    return name


def save_rating(
    db_path: Path,
    run_path: Path,
    row_id: str,
    rater: str,
    scores: dict[str, int],
    comment: str = "",
) -> None:
    """Store one rater's six scores (integers 0-5) for one answer; a second save replaces the first."""
    rater = clean_rater(rater)
    missing = [name for name in CRITERIA if name not in scores]
    if missing:
        raise InputError(f"a rating needs all six criteria; missing: {', '.join(missing)}.")
    values = {}
    for name in CRITERIA:
        value = scores[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
            raise InputError(f"{name} must be a whole number from 0 to 5, not {value!r}.")
        values[name] = value
    columns = ", ".join(CRITERIA)
    with connect(db_path) as connection:
        connection.execute(
            f"INSERT INTO ratings (run_file, row_id, rater, {columns}, comment, rated_at) "
            f"VALUES (?, ?, ?, {', '.join('?' * len(CRITERIA))}, ?, ?) "
            f"ON CONFLICT (run_file, row_id, rater) DO UPDATE SET "
            + ", ".join(f"{name} = excluded.{name}" for name in (*CRITERIA, "comment", "rated_at")),
            (
                run_key(run_path, db_path),
                row_id,
                rater,
                *values.values(),
                comment.strip(),
                time.strftime("%Y-%m-%dT%H:%M:%S"),
            ),
        )


def load_ratings(db_path: Path, run_path: Path | None = None) -> list[dict[str, Any]]:
    """Every rating (of one run file when given), as dicts with row_id, rater, the six scores, comment."""
    if not Path(db_path).exists():
        return []
    with connect(db_path) as connection:
        if run_path is None:
            cursor = connection.execute("SELECT * FROM ratings ORDER BY id")
        else:
            cursor = connection.execute(
                "SELECT * FROM ratings WHERE run_file = ? ORDER BY id", (run_key(run_path, db_path),)
            )
        return [dict(row) for row in cursor.fetchall()]


def rated_ids(db_path: Path, run_path: Path, rater: str) -> set[str]:
    rater = clean_rater(rater)
    return {rating["row_id"] for rating in load_ratings(db_path, run_path) if rating["rater"] == rater}


def blind_order(row_ids: list[str], rater: str, run_path: Path) -> list[str]:
    """The answers in this rater's own shuffled order (stable across sessions, different per rater).

    Answers of the same pair from different models and configs are spread
    out, so neither position nor neighbours hint at which model wrote one.
    """
    seed = hashlib.sha256(f"{clean_rater(rater)}\n{Path(run_path).name}".encode()).hexdigest()
    order = sorted(row_ids)
    random.Random(int(seed[:16], 16)).shuffle(order)
    return order


def next_unrated(db_path: Path, run_path: Path, row_ids: list[str], rater: str) -> str | None:
    """The next answer this rater has not scored yet, in their blind order; None when all are done."""
    done = rated_ids(db_path, run_path, rater)
    return next((row_id for row_id in blind_order(row_ids, rater, run_path) if row_id not in done), None)


def progress(db_path: Path, run_path: Path, row_ids: list[str], rater: str) -> tuple[int, int]:
    """(answers this rater has scored, answers in the run)."""
    done = rated_ids(db_path, run_path, rater)
    return len(done & set(row_ids)), len(row_ids)


def blind_view(row: dict[str, Any]) -> dict[str, Any]:
    """What a rater may see of a run row: the pair and the advice, never the model or the settings."""
    report = row["report"]
    return {
        "pair_id": row["pair_id"],
        "label": row["label"],
        "human_score_of_10": row.get("human_score_of_10"),
        "expected_score": row.get("expected_score"),
        "notes": [text for text in (row.get("note"), row.get("human_reason")) if text],
        "language": report.get("language"),
        "verdict": report.get("verdict"),
        "score": report.get("score"),
        "requirements": report.get("requirements", []),
        "missing_sections": report.get("missing_sections", []),
        "advice": report.get("advice", ""),
        "cv_path": row["cv_path"],
        "job_path": row["job_path"],
    }
