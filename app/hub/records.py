"""What each download found (models/downloads.json) and what a model file should be: size, sha256, commit.

Part of the hub package: no network here, and no huggingface_hub.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from app.errors import DownloadError, ModelNotFoundError
from app.hub.catalog import CatalogEntry, model_path

RECORDS_FILE = "downloads.json"


# --- downloads.json ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """What a download found: the reference for later checks of the same file."""

    repo_id: str
    revision: str  # the commit the Hub served ("" when unknown)
    size_bytes: int
    sha256: str
    downloaded_at: str
    sample_sha256: str = ""  # sampled_sha256 of the file when it was checked ("": recorded before it existed)


def load_records(models_dir: Path) -> dict[str, Record]:
    path = models_dir / RECORDS_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {filename: Record(**values) for filename, values in data.items()}
    except (ValueError, TypeError, AttributeError):
        raise DownloadError(
            f"{path} is damaged; delete it (the next download of each model records its size and sha256 again)."
        ) from None


def save_record(models_dir: Path, filename: str, record: Record) -> None:
    records = load_records(models_dir)
    records[filename] = record
    path = models_dir / RECORDS_FILE
    temporary = path.with_suffix(".json.tmp")
    # Write then rename, so an interrupted write never leaves half a JSON file behind.
    temporary.write_text(
        json.dumps({name: asdict(value) for name, value in sorted(records.items())}, indent=2) + "\n", encoding="utf-8"
    )
    os.replace(temporary, path)


# --- what a file should be --------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    size_bytes: int | None
    sha256: str | None
    source: str  # where the values come from, for messages


def expected_values(entry: CatalogEntry, record: Record | None) -> Expected:
    """The catalog's size and sha256 when it knows them, else what the first download recorded."""
    if entry.sha256 or entry.size_bytes:
        return Expected(entry.size_bytes or None, entry.sha256 or None, "the catalog")
    if record is not None:
        return Expected(record.size_bytes, record.sha256, f"{RECORDS_FILE} (first download)")
    return Expected(None, None, "nowhere yet")


def usable_record(entry: CatalogEntry, record: Record | None) -> Record | None:
    """A record describes one commit: it is no reference for another commit the catalog now pins."""
    if record is None or (entry.pinned and record.revision != entry.revision):
        return None
    return record


@dataclass(frozen=True)
class ModelState:
    """A catalog entry and what is on disk for it."""

    entry: CatalogEntry
    path: Path
    on_disk: bool
    size_bytes: int | None  # exact, when the catalog, a record or the file says
    sha256: str | None
    revision: str  # the recorded commit when there is one, else the catalog's revision


def model_states(entries: list[CatalogEntry], models_dir: Path) -> list[ModelState]:
    records = load_records(models_dir)
    states = []
    for entry in entries:
        try:
            path = model_path(entry, models_dir)
        except ModelNotFoundError:  # the embedded package is missing: listed as not on disk
            path = models_dir / entry.filename
        on_disk = path.is_file()
        record = records.get(entry.filename) if not entry.embedded else None
        expected = expected_values(entry, record)
        size = expected.size_bytes or (path.stat().st_size if on_disk else None)
        revision = record.revision if record is not None and record.revision else entry.revision
        states.append(ModelState(entry, path, on_disk, size, expected.sha256, revision))
    return states
