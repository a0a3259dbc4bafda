"""Getting catalog models onto disk from the Hugging Face Hub, checking them and removing them.

The only module that imports huggingface_hub, and only inside the functions
that go to the network: listing, verifying, removing and using a model that is
on disk never load it, so nothing touches the network once a model is present.

What lives in the models folder:
  <filename>                                   a complete model file, size and sha256 checked
  .cache/partial/<filename>.<etag>.incomplete  an interrupted download; the next run resumes it
  .cache/locks/<filename>.lock                 held while a download of the file runs: a second
                                               download of it (another run, another app session)
                                               waits for the first, or is told it is under way
  downloads.json                               what each download found (size, sha256, commit):
                                               the reference for files whose catalog entry does
                                               not know them, and the commit later downloads fetch
                                               when the catalog's revision is a branch ("main")

A download asks the Hub for the file's metadata (one HEAD request), refuses at
once when the Hub's size or sha256 differs from the expected one or the disk is
too small, then fetches with huggingface_hub's `http_get` (its progress bar and
its retries, which resume with HTTP Range requests) into the partial file, and
moves the file into place only after its size and sha256 are checked. The
transfer is capped: at the file's size when known, else at a bound from the
catalog's approximate size or from the family's shape and the quantization, so
a server that never stops sending cannot fill the disk.

A file already in place is checked without the network and without reading it
all: its size, and a sha256 of 64 blocks sampled across it, against what its
download recorded. Only `verify` re-hashes the whole file.
`hf_hub_download` is not used: since huggingface_hub 1.x it deletes the partial
file of an interrupted download, so a 4 GB download cut at 90 % would restart
from zero.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from app.errors import (
    ChecksumMismatchError,
    CVEnhancerError,
    DiskSpaceError,
    DownloadError,
    DownloadInProgressError,
    DownloadTooLargeError,
    one_line,
)
from app.hub.catalog import (
    EMBEDDED_DISTRIBUTION,
    SHA256_PATTERN,
    Architecture,
    CatalogEntry,
    embedded_model_path,
    load_architectures,
    model_path,
)
from app.hub.hub_client import QUOTE_LIMIT, HubClient
from app.hub.records import Record, expected_values, load_records, save_record, usable_record

PARTIAL_DIR = Path(".cache") / "partial"
LOCKS_DIR = Path(".cache") / "locks"
DISK_MARGIN = 0.05  # of the file size, for the filesystem's own overhead and whatever else is writing
HASH_CHUNK = 8 * 1024 * 1024
# The quick check of a file in place: a sha256 of this many blocks, spread evenly over the file (4 MB read).
SAMPLE_BLOCKS = 64
SAMPLE_BLOCK_BYTES = 64 * 1024

# When no one says a file's exact size (not the catalog, not a record, not the Hub), the transfer
# stops at the catalog's approximate size, or at the size the family's shape gives at the
# quantization's bits per weight, times this margin.
SIZE_BOUND_MARGIN = 1.25
# Bits per weight of each quantization's tensor mix, rounded up; measured on TheBloke's Llama-2-7B files
# (Q2_K 2.83 GB for 6.74 billion weights is 3.36 bits, Q4_K_M 4.84, Q8_0 8.50). Others count as F32.
MAX_BITS_PER_WEIGHT = {
    "Q2_K": 3.5,
    "Q3_K_S": 3.6,
    "Q3_K_M": 4.0,
    "Q3_K_L": 4.3,
    "Q4_0": 4.6,
    "Q4_1": 5.1,
    "Q4_K_S": 4.7,
    "Q4_K_M": 5.0,
    "Q5_0": 5.6,
    "Q5_1": 6.1,
    "Q5_K_S": 5.6,
    "Q5_K_M": 5.8,
    "Q6_K": 6.6,
    "Q8_0": 8.5,
    "F16": 16.0,
    "BF16": 16.0,
}


def is_offline(flag: bool = False) -> bool:
    """--offline, or HF_HUB_OFFLINE set the way huggingface_hub reads it ("1", "true", "yes", "on")."""
    return flag or os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def free_bytes(folder: Path) -> int:
    """Free space on the disk that holds folder (or its nearest existing parent)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return shutil.disk_usage(candidate).free
    return shutil.disk_usage(Path.cwd()).free  # pragma: no cover - a relative path with no existing parent


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


def sampled_sha256(path: Path) -> str:
    """A sha256 of the file's size and SAMPLE_BLOCKS blocks spread evenly over it: a quick check, not a proof.

    It notices a truncated, zero-filled or partly overwritten file in a few milliseconds; a single
    flipped byte between the blocks goes unnoticed (`verify` re-hashes the whole file).
    """
    size = path.stat().st_size
    digest = hashlib.sha256(f"{size}:".encode())
    with path.open("rb") as handle:
        if size <= SAMPLE_BLOCKS * SAMPLE_BLOCK_BYTES:
            digest.update(handle.read())
        else:
            for block in range(SAMPLE_BLOCKS):
                handle.seek((size - SAMPLE_BLOCK_BYTES) * block // (SAMPLE_BLOCKS - 1))
                digest.update(handle.read(SAMPLE_BLOCK_BYTES))
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
    checked: str = ""  # how a file already on disk was checked, for the user


def size_bound(entry: CatalogEntry, architectures: dict[str, Architecture] | None = None) -> int | None:
    """The most bytes the entry's file may have when its exact size is unknown (None: no basis for a bound)."""
    if entry.approx_gb > 0:
        return int(entry.approx_gb * 1e9 * SIZE_BOUND_MARGIN)
    arch = (architectures if architectures is not None else load_architectures()).get(entry.name)
    if arch is None:
        return None
    bits = MAX_BITS_PER_WEIGHT.get(entry.quantization.upper(), 32.0)
    return int(arch.parameter_count * bits / 8 * SIZE_BOUND_MARGIN)


@contextlib.contextmanager
def download_lock(
    entry: CatalogEntry, models_dir: Path, *, wait: bool, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the entry's download lock (one per model file, across processes and threads) while the block runs.

    Two downloads of one file appending to one partial file wrecked each other. When another holder
    has it: with `wait`, on_wait hears why and this waits for it; else DownloadInProgressError.
    """
    from filelock import FileLock, Timeout

    path = models_dir.absolute() / LOCKS_DIR / f"{entry.filename}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path)  # a new lock object per call: two threads of one process exclude each other too
    try:
        lock.acquire(timeout=0)
    except Timeout:
        busy = f"another download of {entry.cli_name} ({entry.filename}) is under way, in another run or app session"
        if not wait:
            raise DownloadInProgressError(
                f"{busy}; wait for it to finish (its progress shows there), then pick the model again."
            ) from None
        if on_wait is not None:
            on_wait(f"{entry.cli_name}: {busy}; waiting for it to finish…")
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def download(
    entry: CatalogEntry,
    models_dir: Path,
    *,
    offline: bool = False,
    progress: bool = True,
    endpoint: str | None = None,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
) -> DownloadResult:
    """Put the entry's file in models_dir, checked; a file already there is used without the network.

    One download of a file runs at a time: while another runs, this waits for it (`wait`, telling
    on_wait why) and then uses the file it brought, or raises DownloadInProgressError (the app).
    """
    if entry.embedded:
        return DownloadResult(embedded_model_path(), False, None)
    models_dir = models_dir.absolute()
    target = models_dir / entry.filename
    if target.is_file():
        return _present(entry, models_dir, progress=progress)
    if is_offline(offline):
        raise DownloadError(
            f"{entry.cli_name} is not on disk and offline mode is on (--offline or HF_HUB_OFFLINE=1); download it "
            f"on a connected machine, or copy {entry.filename} into {models_dir}."
        )
    with download_lock(entry, models_dir, wait=wait, on_wait=on_wait):
        if target.is_file():  # the download we waited for brought it
            return _present(entry, models_dir, progress=progress)
        return _fetch(entry, models_dir, progress=progress, endpoint=endpoint)


def _present(entry: CatalogEntry, models_dir: Path, *, progress: bool) -> DownloadResult:
    record = usable_record(entry, load_records(models_dir).get(entry.filename))
    checked = _accept_present(entry, models_dir / entry.filename, record, progress=progress)
    return DownloadResult(models_dir / entry.filename, False, record.revision if record else None, checked)


def _fetch(entry: CatalogEntry, models_dir: Path, *, progress: bool, endpoint: str | None) -> DownloadResult:
    target = models_dir / entry.filename
    record = usable_record(entry, load_records(models_dir).get(entry.filename))

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
    limit = size or size_bound(entry)
    if limit is None:
        raise DownloadError(
            f"the size of {entry.filename} is unknown (the catalog gives neither size_bytes nor approx_gb and the "
            f"Hub did not say), so the download could not be bounded; set approx_gb of {entry.cli_name} in the "
            "catalog, or size_bytes when you know it."
        )

    # One partial file per version of the file (its etag), so a resume never appends another version's bytes.
    partial = partial_dir / f"{entry.filename}.{(metadata.etag or metadata.commit or 'unknown')[:16]}.incomplete"
    for stale in partial_dir.glob(f"{entry.filename}.*.incomplete"):
        if stale != partial:
            stale.unlink()
    already = partial.stat().st_size if partial.is_file() else 0
    if size and already > size:
        partial.unlink()
        already = 0
    _check_disk_space(entry, models_dir, size or int(limit / SIZE_BOUND_MARGIN), already)
    partial_dir.mkdir(parents=True, exist_ok=True)
    try:
        hub.fetch(metadata, partial, already, size, limit=limit, progress=progress)
    except DownloadTooLargeError:
        partial.unlink(missing_ok=True)  # whatever it is, it is not the model file
        raise

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
        Record(
            entry.repo_id,
            commit,
            actual_size,
            digest,
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
            sampled_sha256(target),
        ),
    )
    return DownloadResult(target, True, commit or None)


def _accept_present(entry: CatalogEntry, target: Path, record: Record | None, *, progress: bool) -> str:
    """A file already in place: checked against what is known, without the network; says how it was checked."""
    expected = expected_values(entry, record)
    size = target.stat().st_size
    if expected.size_bytes and size != expected.size_bytes:
        raise ChecksumMismatchError(
            f"{target} is {size:,} bytes, not the {expected.size_bytes:,} that {expected.source} expects; "
            f"run `python scripts/download_models.py remove {entry.cli_name}` and download it again."
        )
    if record is not None and (not entry.sha256 or record.sha256 == entry.sha256):
        # Checked in full when it was downloaded; since then, a quick sampled check (`verify` re-hashes in full).
        if not record.sample_sha256:
            return "size checked (`verify` re-hashes the whole file)"
        if sampled_sha256(target) != record.sample_sha256:
            raise ChecksumMismatchError(
                f"{target} has changed since it was downloaded (its size is right, but a sample of its bytes "
                f"differs from the record); run `python scripts/download_models.py remove {entry.cli_name}` and "
                "download it again."
            )
        return "size and a sample of its bytes checked (`verify` re-hashes the whole file)"
    if not expected.sha256:
        return "not checked: nothing known to check it against (`verify` says more)"
    digest = sha256_file(target, progress=progress)
    if digest != expected.sha256:
        raise ChecksumMismatchError(
            f"{target} has sha256 {digest[:12]}…, not the {expected.sha256[:12]}… that {expected.source} expects; "
            f"run `python scripts/download_models.py remove {entry.cli_name}` and download it again."
        )
    revision = entry.revision if entry.pinned else ""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    save_record(
        target.parent, entry.filename, Record(entry.repo_id, revision, size, digest, now, sampled_sha256(target))
    )
    return "sha256 checked in full"


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
    with download_lock(entry, models_dir, wait=False):  # never pull the partial file from under a download
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


class BackgroundDownload:
    """A download in a thread, for a page that draws its progress meanwhile: the result, or one line of error."""

    def __init__(self, entry: CatalogEntry, models_dir: Path) -> None:
        self.entry = entry
        self.result: DownloadResult | None = None
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, args=(models_dir,), daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self, models_dir: Path) -> None:
        try:
            # Not waiting: a second session asking for a model being downloaded is told so at once.
            self.result = download(self.entry, models_dir, progress=False, wait=False)
        except CVEnhancerError as error:
            self.error = str(error)
        except Exception as error:  # whatever breaks in the thread, the page shows one line, not a traceback
            self.error = (
                f"downloading {self.entry.filename} failed ({one_line(error, limit=QUOTE_LIMIT)}); try again, or run "
                f"`python scripts/download_models.py download {self.entry.cli_name}` in a terminal to see more."
            )
