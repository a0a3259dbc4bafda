"""The network half of a download: huggingface_hub's calls, their errors turned into one DownloadError line each.

app.hub.downloads plans, resumes and checks downloads; this module alone talks
to the Hub (HF_ENDPOINT for a mirror or a test server).
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from app.errors import DiskSpaceError, DownloadError, DownloadTooLargeError, one_line
from app.hub.catalog import CatalogEntry

LIBRARY_NAME = "cv-enhancer"


# huggingface_hub's messages span several lines and run long: quoted in ours, one line of at most this.
QUOTE_LIMIT = 160


@dataclass(frozen=True)
class HubFile:
    url: str  # where to GET the bytes
    commit: str | None
    etag: str | None
    size: int | None


class CappedFile:
    """The partial file, refusing to grow past `limit` bytes: a server that never stops sending cannot fill the disk.

    huggingface_hub's http_get writes each chunk it receives; its size check comes only after the last.
    """

    def __init__(self, handle: BinaryIO, limit: int, too_large: str) -> None:
        self.handle = handle
        self.limit = limit
        self.too_large = too_large  # the message when the limit is hit

    def write(self, data: bytes) -> int:
        if self.handle.tell() + len(data) > self.limit:
            raise DownloadTooLargeError(self.too_large)
        return self.handle.write(data)

    def tell(self) -> int:
        return self.handle.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.handle.seek(offset, whence)

    def truncate(self, size: int | None = None) -> int:
        return self.handle.truncate(size)

    def flush(self) -> None:
        self.handle.flush()


class HubClient:
    """The network half of a download: huggingface_hub calls, their errors turned into DownloadError lines."""

    def __init__(self, entry: CatalogEntry, revision: str, endpoint: str | None) -> None:
        from huggingface_hub import constants, hf_hub_url
        from huggingface_hub.utils import build_hf_headers

        # Also when huggingface_hub was imported before app.hub set HF_HUB_DISABLE_TELEMETRY.
        constants.HF_HUB_DISABLE_TELEMETRY = True
        self.entry = entry
        self.revision = revision
        self.endpoint = endpoint
        self.url = hf_hub_url(entry.repo_id, entry.filename, revision=revision, endpoint=endpoint)
        self.where = endpoint or constants.ENDPOINT
        self.headers: dict[str, str] = build_hf_headers(library_name=LIBRARY_NAME)

    def metadata(self) -> HubFile:
        from huggingface_hub import get_hf_file_metadata, hf_hub_url

        try:
            metadata = get_hf_file_metadata(self.url, headers=self.headers, endpoint=self.endpoint)
        except Exception as error:
            raise self._error(error, "asking the Hub about") from None
        url = metadata.location
        if url == self.url and metadata.commit_hash:
            # No redirect to a content-addressed CDN URL: fetch by commit, so the bytes match this answer
            # even if the branch moves while we download.
            url = hf_hub_url(
                self.entry.repo_id, self.entry.filename, revision=metadata.commit_hash, endpoint=self.endpoint
            )
        return HubFile(url, metadata.commit_hash, metadata.etag, metadata.size)

    def fetch(
        self, metadata: HubFile, partial: Path, already: int, size: int | None, *, limit: int, progress: bool
    ) -> None:
        """Append the file's bytes from `already` on to the partial file, never letting it pass `limit` bytes."""
        from urllib.parse import urlparse

        from huggingface_hub.file_download import http_get
        from huggingface_hub.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

        headers = dict(self.headers)
        if urlparse(metadata.url).netloc != urlparse(self.url).netloc:
            headers.pop("authorization", None)  # a signed CDN URL: the Hub token stays on the Hub
        was_disabled = are_progress_bars_disabled()
        if not progress:
            disable_progress_bars()
        try:
            with partial.open("ab") as handle:
                too_large = (
                    f"{self.where} sent more than {limit:,} bytes for {self.entry.filename}, "
                    + (
                        "its announced size"
                        if size
                        else "more than a file of its size and quantization can be (its exact size is unknown)"
                    )
                    + "; the transfer was stopped and the partial file deleted: check HF_ENDPOINT, or set size_bytes "
                    f"of {self.entry.cli_name} in the catalog."
                )
                # http_get retries dropped connections itself, resuming with a Range request.
                http_get(
                    metadata.url,
                    CappedFile(handle, limit, too_large),  # type: ignore[arg-type]
                    resume_size=already,
                    headers=headers,
                    expected_size=size,
                    displayed_filename=self.entry.filename,
                )
        except KeyboardInterrupt:
            raise  # the partial file stays: the next run resumes it
        except DownloadTooLargeError:
            raise
        except OSError as error:
            if error.errno == errno.ENOSPC:
                raise DiskSpaceError(
                    f"the disk filled up while downloading {self.entry.filename}; free some space and run the "
                    f"same command again to resume."
                ) from None
            raise self._failed(error, partial) from None
        except Exception as error:
            raise self._failed(error, partial) from None
        finally:
            if not progress and not was_disabled:
                enable_progress_bars()

    def _failed(self, error: Exception, partial: Path) -> DownloadError:
        response = getattr(error, "response", None)
        if getattr(response, "status_code", None) == 416:
            # The server cannot serve the rest of our partial file: it is not a prefix of this file. Start over.
            partial.unlink(missing_ok=True)
        return self._error(error, "downloading")

    def _error(self, error: Exception, doing: Literal["asking the Hub about", "downloading"]) -> DownloadError:
        from huggingface_hub import errors
        from huggingface_hub.errors import (
            GatedRepoError,
            HfHubHTTPError,
            OfflineModeIsEnabled,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )

        # huggingface_hub < 1.0 names the remote 404 EntryNotFoundError (pyproject allows >= 0.34).
        remote_entry_not_found = getattr(errors, "RemoteEntryNotFoundError", errors.EntryNotFoundError)

        entry = self.entry
        resume = " run the same command again to resume." if doing == "downloading" else ""
        if isinstance(error, GatedRepoError):
            return DownloadError(
                f"{entry.repo_id} is gated; accept its licence on the Hub, set HF_TOKEN, and run the command again."
            )
        if isinstance(error, RepositoryNotFoundError):
            return DownloadError(
                f"the Hub has no repo {entry.repo_id} (or it is private); check repo_id of {entry.cli_name} "
                f"in the catalog."
            )
        if isinstance(error, RevisionNotFoundError):
            return DownloadError(
                f"{entry.repo_id} has no revision {self.revision}; fix revision of {entry.cli_name} in the catalog "
                f'("main" takes the latest).'
            )
        if isinstance(error, remote_entry_not_found):
            return DownloadError(
                f"{entry.repo_id} has no file {entry.filename} at {self.revision}; check filename and revision "
                f"of {entry.cli_name} in the catalog."
            )
        if isinstance(error, OfflineModeIsEnabled):
            return DownloadError(
                f"{entry.cli_name} is not on disk and huggingface_hub is in offline mode; unset "
                "HF_HUB_OFFLINE on a connected machine to download it."
            )
        if isinstance(error, HfHubHTTPError):
            status = error.response.status_code if error.response is not None else "error"
            return DownloadError(
                f"the Hub answered HTTP {status} while {doing} {entry.filename}; try again later"
                f"{' (or set HF_TOKEN)' if status in (401, 403) else ''}.{resume}"
            )
        quoted = one_line(error, limit=QUOTE_LIMIT)
        return DownloadError(
            f"{doing} {entry.filename} from {self.where} failed ({quoted}); check the connection and "
            f"run the same command again{' to resume' if resume else ''}."
        )
