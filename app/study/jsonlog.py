"""The append-and-resume JSONL log that the study's runs and judge files share.

One JSON object per line, written and flushed as soon as it is done, so an
interrupted run loses at most the line being written. Reading skips a torn
last line (a crash mid-write); appending first cuts it off, so the next row
starts on a line of its own; `done_ids` tells a resuming run what to skip.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.errors import InputError

Row = dict[str, Any]


def read_jsonl(
    path: Path, *, kind: str, row_name: str, required: tuple[str, ...], missing_ok: bool = False
) -> list[Row]:
    """Every row of a JSONL log, in file order; a torn last line is left out.

    `kind` names the file in errors ("run file"), `row_name` its rows ("run row"); each row must
    be an object with the `required` keys. A missing file is [] with
    `missing_ok`, else an InputError that says how to make one.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        if missing_ok:
            return []
        raise InputError(f"{path}: no such {kind}; run scripts/run_experiments.py first.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not a readable {kind} ({error}).") from None
    rows: list[Row] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            if number == len(lines):
                continue  # torn last line: that row is simply redone on resume
            raise InputError(f"{path}: line {number} is not JSON; is this a {kind}?") from None
        if not isinstance(row, dict) or not set(required) <= row.keys():
            raise InputError(f"{path}: line {number} is not a {row_name} (no {'/'.join(required)}); is this a {kind}?")
        rows.append(row)
    return rows


def drop_torn_tail(path: Path) -> None:
    """Cut a partly written last line, so appended rows start on a line of their own."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return
    data = path.read_bytes()
    if data.endswith(b"\n"):
        return
    with path.open("r+b") as handle:
        handle.truncate(data.rfind(b"\n") + 1)


def done_ids(rows: list[Row], *, counts: Callable[[Row], bool] = lambda row: True) -> set[str]:
    """The ids a resuming run skips: those of the rows that `counts` accepts (failed rows are redone)."""
    return {row["id"] for row in rows if counts(row)}


@contextmanager
def appender(path: Path) -> Iterator[Callable[[Row], None]]:
    """Open the log for appending (its torn tail cut first); yields `write(row)`, which flushes each row."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    drop_torn_tail(path)
    with path.open("a", encoding="utf-8") as handle:

        def write(row: Row) -> None:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            handle.flush()

        yield write
