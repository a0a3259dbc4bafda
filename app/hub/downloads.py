"""Getting catalog models onto disk from the Hugging Face Hub, checking them and removing them.

The only module that imports huggingface_hub, and only inside the functions
that go to the network: listing, verifying, removing and using a model that is
on disk never load it, so nothing touches the network once a model is present.

What lives in the models folder:
  <filename>                                   a complete model file, size and sha256 checked
  .cache/partial/<filename>.<etag>.incomplete  an interrupted download; the next run resumes it
  downloads.json                               what each download found (size, sha256, commit):
                                               the reference for files whose catalog entry does
                                               not know them, and the commit later downloads fetch
                                               when the catalog's revision is a branch ("main")

A download asks the Hub for the file's metadata (one HEAD request), refuses at
once when the Hub's size or sha256 differs from the expected one or the disk is
too small, then fetches with huggingface_hub's `http_get` (its progress bar and
its retries, which resume with HTTP Range requests) into the partial file, and
moves the file into place only after its size and sha256 are checked.
`hf_hub_download` is not used: since huggingface_hub 1.x it deletes the partial
file of an interrupted download, so a 4 GB download cut at 90 % would restart
from zero.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from app.errors import ChecksumMismatchError, DiskSpaceError, DownloadError, ModelNotFoundError
from app.hub.catalog import EMBEDDED_DISTRIBUTION, SHA256_PATTERN, CatalogEntry, embedded_model_path, model_path
from app.hub.hub_client import HubClient

RECORDS_FILE = "downloads.json"
PARTIAL_DIR = Path(".cache") / "partial"
DISK_MARGIN = 0.05  # of the file size, for the filesystem's own overhead and whatever else is writing
HASH_CHUNK = 8 * 1024 * 1024


def is_offline(flag: bool = False) -> bool:
    """--offline, or HF_HUB_OFFLINE set the way huggingface_hub reads it ("1", "true", "yes", "on")."""
    return flag or os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def free_bytes(folder: Path) -> int:
    """Free space on the disk that holds folder (or its nearest existing parent)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return shutil.disk_usage(candidate).free
    return shutil.disk_usage(Path.cwd()).free  # pragma: no cover - a relative path with no existing parent


# --- downloads.json ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """What a download found: the reference for later checks of the same file."""

    repo_id: str
    revision: str  # the commit the Hub served ("" when unknown)
    size_bytes: int
    sha256: str
    downloaded_at: str


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


def _usable_record(entry: CatalogEntry, record: Record | None) -> Record | None:
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


# --- hashing ----------------------------------------------------------------------------------


def sha256_file(path: Path, *, progress: bool = True, label: str | None = None) -> str:
    """The file's sha256, read in chunks (with a progress bar: a 7 GB file takes a while)."""
    digest = hashlib.sha256()
    description = f"checking {label or path.name}"
    with _progress_bar(path.stat().st_size, description, progress) as bar, path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
            bar(len(chunk))
    return digest.hexdigest()


@contextlib.contextmanager
def _progress_bar(total: int, description: str, enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield lambda _size: None
        return
    # huggingface_hub's tqdm, set up like its download bar: HF_HUB_DISABLE_PROGRESS_BARS applies, and
    # disable=None shows it on a terminal only (no bar spam in logs).
    from huggingface_hub.utils import tqdm

    with tqdm(total=total, unit="B", unit_scale=True, desc=description, disable=None) as bar:
        yield bar.update


# --- download ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DownloadResult:
    path: Path
    fetched: bool  # False: it was already on disk (or ships with the install)
    revision: str | None


def download(
    entry: CatalogEntry,
    models_dir: Path,
    *,
    offline: bool = False,
    progress: bool = True,
    endpoint: str | None = None,
) -> DownloadResult:
    """Put the entry's file in models_dir, checked; a file already there is used without the network."""
    if entry.embedded:
        return DownloadResult(embedded_model_path(), False, None)
    models_dir = models_dir.absolute()
    target = models_dir / entry.filename
    records = load_records(models_dir)
    record = _usable_record(entry, records.get(entry.filename))
    if target.is_file():
        _accept_present(entry, target, record, progress=progress)
        return DownloadResult(target, False, record.revision if record else None)
    if is_offline(offline):
        raise DownloadError(
            f"{entry.cli_name} is not on disk and offline mode is on (--offline or HF_HUB_OFFLINE=1); download it "
            f"on a connected machine, or copy {entry.filename} into {models_dir}."
        )

    expected = expected_values(entry, record)
    # A branch revision ("main") is fetched at the commit the first download recorded, so the
    # recorded size and sha256 keep describing what the Hub serves.
    revision = record.revision if record is not None and record.revision and not entry.pinned else entry.revision
    partial_dir = models_dir / PARTIAL_DIR
    if expected.size_bytes:  # known: refuse before touching the network
        _check_disk_space(entry, models_dir, expected.size_bytes, _partial_bytes(partial_dir, entry.filename))

    hub = HubClient(entry, revision, endpoint)
    metadata = hub.metadata()
    hub_sha256 = metadata.etag if metadata.etag and SHA256_PATTERN.fullmatch(metadata.etag) else None
    if expected.size_bytes and metadata.size and metadata.size != expected.size_bytes:
        raise ChecksumMismatchError(
            f"the Hub's {entry.filename} at {_short(metadata.commit)} is {metadata.size:,} bytes, not the "
            f"{expected.size_bytes:,} that {expected.source} expects; nothing was downloaded: check revision, "
            f"size_bytes and sha256 of {entry.cli_name} in the catalog."
        )
    if expected.sha256 and hub_sha256 and hub_sha256 != expected.sha256:
        raise ChecksumMismatchError(
            f"the Hub's {entry.filename} at {_short(metadata.commit)} has sha256 {hub_sha256[:12]}…, not the "
            f"{expected.sha256[:12]}… that {expected.source} expects; nothing was downloaded: check revision "
            f"and sha256 of {entry.cli_name} in the catalog."
        )
    size = expected.size_bytes or metadata.size
    sha256 = expected.sha256 or hub_sha256  # the Hub's LFS sha256 checks even a file the catalog does not know

    # One partial file per version of the file (its etag), so a resume never appends another version's bytes.
    partial = partial_dir / f"{entry.filename}.{(metadata.etag or metadata.commit or 'unknown')[:16]}.incomplete"
    for stale in partial_dir.glob(f"{entry.filename}.*.incomplete"):
        if stale != partial:
            stale.unlink()
    already = partial.stat().st_size if partial.is_file() else 0
    if size and already > size:
        partial.unlink()
        already = 0
    if size:
        _check_disk_space(entry, models_dir, size, already)
    partial_dir.mkdir(parents=True, exist_ok=True)
    hub.fetch(metadata, partial, already, size, progress=progress)

    actual_size = partial.stat().st_size
    if size and actual_size != size:
        partial.unlink()
        raise ChecksumMismatchError(
            f"{entry.filename} arrived with {actual_size:,} bytes instead of {size:,}; the bad file was deleted: "
            f"run the same command again."
        )
    digest = sha256_file(partial, progress=progress, label=entry.filename)
    if sha256 and digest != sha256:
        partial.unlink()
        raise ChecksumMismatchError(
            f"{entry.filename} arrived with sha256 {digest[:12]}…, not the expected {sha256[:12]}… (from "
            f"{expected.source if expected.sha256 else 'the Hub'}); the bad file was deleted: run the same command "
            f"again, and report it if it happens twice."
        )
    os.replace(partial, target)
    commit = metadata.commit or (revision if entry.pinned else "")
    save_record(
        models_dir,
        entry.filename,
        Record(entry.repo_id, commit, actual_size, digest, datetime.now(timezone.utc).isoformat(timespec="seconds")),
    )
    return DownloadResult(target, True, commit or None)


def _accept_present(entry: CatalogEntry, target: Path, record: Record | None, *, progress: bool) -> None:
    """A file already in place: checked against what is known, without the network."""
    expected = expected_values(entry, record)
    size = target.stat().st_size
    if expected.size_bytes and size != expected.size_bytes:
        raise ChecksumMismatchError(
            f"{target} is {size:,} bytes, not the {expected.size_bytes:,} that {expected.source} expects; "
            f"run `python scripts/download_models.py remove {entry.cli_name}` and download it again."
        )
    if record is not None and (not entry.sha256 or record.sha256 == entry.sha256):
        return  # checked when it was downloaded; `verify` re-hashes on demand
    if not expected.sha256:
        return  # nothing to check against (a file put there by hand, for a catalog entry with no sha256)
    digest = sha256_file(target, progress=progress)
    if digest != expected.sha256:
        raise ChecksumMismatchError(
            f"{target} has sha256 {digest[:12]}…, not the {expected.sha256[:12]}… that {expected.source} expects; "
            f"run `python scripts/download_models.py remove {entry.cli_name}` and download it again."
        )
    revision = entry.revision if entry.pinned else ""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    save_record(target.parent, entry.filename, Record(entry.repo_id, revision, size, digest, now))


def _partial_bytes(partial_dir: Path, filename: str) -> int:
    return sum(path.stat().st_size for path in partial_dir.glob(f"{filename}.*.incomplete"))


def _check_disk_space(entry: CatalogEntry, models_dir: Path, size: int, already: int) -> None:
    needed = max(size - already, 0) + int(size * DISK_MARGIN)
    free = free_bytes(models_dir)
    if free < needed:
        raise DiskSpaceError(
            f"not enough disk space for {entry.cli_name}: it needs {needed / 1e9:.1f} GB free in {models_dir} "
            f"(the file plus a 5% margin) and {free / 1e9:.1f} GB is free; free some space or use another "
            f"models folder (--models-dir)."
        )


def _short(commit: str | None) -> str:
    return commit[:8] if commit else "the requested revision"


# --- verify and remove ------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    entry: CatalogEntry
    path: Path
    state: Literal["ok", "mismatch", "unverified", "missing"]
    detail: str


def verify(entry: CatalogEntry, models_dir: Path, *, progress: bool = True) -> Check:
    """Re-hash the entry's file on disk and compare it with the catalog's values, else the recorded ones."""
    path = model_path(entry, models_dir)
    if not path.is_file():
        return Check(entry, path, "missing", "not on disk")
    record = None if entry.embedded else load_records(models_dir).get(entry.filename)
    expected = expected_values(entry, record)
    size = path.stat().st_size
    if expected.size_bytes and size != expected.size_bytes:
        return Check(entry, path, "mismatch", f"{size:,} bytes, expected {expected.size_bytes:,} ({expected.source})")
    if not expected.sha256:
        return Check(entry, path, "unverified", "no known sha256 (not downloaded by this tool)")
    digest = sha256_file(path, progress=progress)
    if digest != expected.sha256:
        return Check(
            entry, path, "mismatch", f"sha256 {digest[:12]}…, expected {expected.sha256[:12]}… ({expected.source})"
        )
    return Check(entry, path, "ok", f"{size:,} bytes, sha256 {digest[:12]}… as {expected.source} says")


def remove(entry: CatalogEntry, models_dir: Path) -> list[Path]:
    """Delete the entry's file and any partial download of it; its record stays, to check a re-download."""
    if entry.embedded:
        raise DownloadError(
            f"{entry.cli_name} ships with the install (the {EMBEDDED_DISTRIBUTION} package), not as a download; "
            f"there is nothing to remove."
        )
    removed = []
    for path in [models_dir / entry.filename, *(models_dir / PARTIAL_DIR).glob(f"{entry.filename}.*.incomplete")]:
        if path.is_file():
            path.unlink()
            removed.append(path)
    return removed


def bytes_on_disk(entry: CatalogEntry, models_dir: Path) -> int:
    """How much of the entry's file a running (or interrupted) download has written so far.

    Lets a caller without a terminal (the app) draw its own progress bar while
    `download` runs in another thread.
    """
    target = models_dir.absolute() / entry.filename
    if target.is_file():
        return target.stat().st_size
    partials = list((models_dir.absolute() / PARTIAL_DIR).glob(f"{entry.filename}.*.incomplete"))
    return max((path.stat().st_size for path in partials), default=0)
