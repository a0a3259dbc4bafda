"""scripts/download_models.py and app/hub/downloads.py against a fake Hugging Face Hub on 127.0.0.1.

The fake Hub answers huggingface_hub's own requests (HEAD and GET on
/{repo}/resolve/{revision}/{filename}, with Range) for a fake repo that serves
the embedded SmolLM2 GGUF, so the real huggingface_hub code runs end to end. The
CLI runs as a subprocess with HF_ENDPOINT pointing at the fake Hub (huggingface_hub
reads it at import time). Nothing here touches the real network.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from app.errors import CatalogError, DiskSpaceError, DownloadInProgressError, ModelNotFoundError
from app.hub import downloads
from app.hub.catalog import (
    CATALOG_PATH,
    CatalogEntry,
    available_models,
    embedded_model_path,
    find_entry,
    load_architectures,
    load_catalog,
    resolve_model,
)

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "download_models.py"
REPO = "cvenhancer-test/tiny-GGUF"
FILENAME = "tiny.Q4_1.gguf"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
CHUNK = 10 * 1024 * 1024  # huggingface_hub writes what it receives in chunks of this size


@pytest.fixture(scope="module")
def payload() -> bytes:
    return embedded_model_path().read_bytes()


@pytest.fixture(scope="module")
def payload_sha(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


# --- the fake Hub -------------------------------------------------------------------------------


@dataclass
class FakeHub:
    """What the Hub's /resolve endpoint does for one repo, plus faults to inject."""

    files: dict[str, bytes]
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)  # (method, path, Range header)
    stall_after: int | None = None  # first GET: send this many bytes, then hang until `release` is set;
    # later GETs hang until then too
    drop_after: int | None = None  # first GET: send this many bytes, then close the connection
    corrupt: bool = False  # flip one byte of every body (the headers still announce the right sha256)
    sizeless: bool = False  # announce no size (no X-Linked-Size, no Content-Length) and never stop sending
    sent: int = 0  # body bytes sent, all requests together
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    _faulted: bool = False

    def gets(self) -> list[tuple[str, str, str | None]]:
        return [request for request in self.requests if request[0] == "GET"]


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # keep pytest's output clean
            pass

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def do_GET(self) -> None:
            self._serve(body=True)

        def _serve(self, *, body: bool) -> None:
            hub.requests.append((self.command, self.path, self.headers.get("Range")))
            parts = urlparse(self.path).path.lstrip("/").split("/")
            if len(parts) < 5 or parts[2] != "resolve":
                return self._error(404, "EntryNotFound")  # anything else the library might ask for: logged above
            repo, revision, filename = "/".join(parts[:2]), unquote(parts[3]), unquote("/".join(parts[4:]))
            if repo != REPO:
                return self._error(404, "RepoNotFound")
            if revision not in ("main", COMMIT):
                return self._error(404, "RevisionNotFound")
            if filename not in hub.files:
                return self._error(404, "EntryNotFound")
            data = hub.files[filename]
            sha = hashlib.sha256(data).hexdigest()
            start = 0
            match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
            if match:
                start = int(match.group(1))
            if start >= len(data) and start > 0:
                return self._error(416, "RangeNotSatisfiable")
            self.send_response(206 if match else 200)
            # The headers the Hub sends for an LFS file: the sha256 is the (linked) ETag.
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("X-Linked-Etag", f'"{sha}"')
            self.send_header("ETag", f'"{sha}"')
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Type", "application/octet-stream")
            if hub.sizeless:  # HTTP/1.0 without a length: the body ends when the server closes the connection
                self.end_headers()
                if body:
                    self._send_forever()
                return
            self.send_header("X-Linked-Size", str(len(data)))
            self.send_header("Content-Length", str(len(data) - start))
            if match:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            if body:
                self._send_body(data, start)

        def _send_forever(self) -> None:
            block = b"\0" * (1024 * 1024)
            try:
                while hub.sent < 1024**3:  # 1 GB, then give up: the client should have stopped long before
                    self.wfile.write(block)
                    hub.sent += len(block)
            except (BrokenPipeError, ConnectionResetError, OSError):
                pass  # the client hung up: what a capped download does
            self.close_connection = True

        def _send_body(self, data: bytes, start: int) -> None:
            if hub.corrupt:
                middle = len(data) // 2
                data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
            limit = len(data)
            fault = None
            if not hub._faulted and (hub.stall_after or hub.drop_after):
                hub._faulted = True
                fault = "stall" if hub.stall_after else "drop"
                limit = start + (hub.stall_after or hub.drop_after or 0)
            elif hub.stall_after and not hub.release.is_set():
                # While the first transfer hangs the connection stays dead for every request: a retry after
                # the client's read timeout must not finish the file before the test has acted on the stall.
                hub.release.wait(timeout=30)
            try:
                position = start
                while position < limit:
                    end = min(position + 1024 * 1024, limit)
                    self.wfile.write(data[position:end])
                    position = end
                self.wfile.flush()
                if fault == "stall":
                    hub.release.wait(timeout=30)
                if fault:
                    self.connection.shutdown(socket.SHUT_RDWR)  # the body ends short: a dropped connection
            except (BrokenPipeError, ConnectionResetError, OSError):
                pass  # the client went away (killed on purpose)
            self.close_connection = True

        def _error(self, status: int, code: str) -> None:
            self.send_response(status)
            self.send_header("X-Error-Code", code)
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


@pytest.fixture
def hub(payload: bytes) -> Iterator[FakeHub]:
    fake = FakeHub(files={FILENAME: payload})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.release.set()
    server.shutdown()
    server.server_close()


# --- running the CLI --------------------------------------------------------------------------


def write_catalog(path: Path, *, size: int = 0, sha: str = "", revision: str = "main", approx_gb: float = 0.1) -> Path:
    """A catalog with the fake repo's file (default quantization) and one the fake Hub does not have."""
    common = f"""family = "Tiny-Test"
repo_id = "{REPO}"
revision = "{revision}"
chat_format = ""
context_length = 8192
licence = "Apache-2.0"
ram_gb = 0.7
approx_gb = {approx_gb}
embedded = false
"""
    path.write_text(
        f"""[[model]]
name = "tiny"
quantization = "Q4_1"
filename = "{FILENAME}"
size_bytes = {size}
sha256 = "{sha}"
default = true
{common}
[[model]]
name = "tiny"
quantization = "Q8_0"
filename = "tiny.Q8_0.gguf"
size_bytes = 0
sha256 = ""
{common}""",
        encoding="utf-8",
    )
    return path


@dataclass
class Cli:
    hub: FakeHub
    catalog: Path
    models: Path
    home: Path

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("HF_") and key.lower() not in ("http_proxy", "https_proxy", "all_proxy")
        }
        env.update(
            HF_ENDPOINT=self.hub.url,
            HF_HOME=str(self.home),
            HF_HUB_DISABLE_TELEMETRY="1",
            HF_HUB_DISABLE_PROGRESS_BARS="1",
            HF_HUB_DOWNLOAD_TIMEOUT="5",
            NO_PROXY="127.0.0.1,localhost",
            PYTHONPATH=str(ROOT),
        )
        env.update(extra)
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, str(SCRIPT), "--catalog", str(self.catalog), "--models-dir", str(self.models), *args]

    def __call__(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args), env=self.env(**env), capture_output=True, text=True, timeout=90, cwd=ROOT
        )


@pytest.fixture
def cli(hub: FakeHub, payload_sha: str, payload: bytes, tmp_path: Path) -> Cli:
    catalog = write_catalog(tmp_path / "catalog.toml", size=len(payload), sha=payload_sha)
    return Cli(hub, catalog, tmp_path / "models", tmp_path / "hf-home")


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line on stderr every failure gives (--quiet leaves no other output there)."""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def partial_files(models: Path) -> list[Path]:
    return sorted((models / ".cache" / "partial").glob("*.incomplete"))


# --- download -------------------------------------------------------------------------------


def test_download_fetches_checks_records_and_prints_the_path(cli: Cli, payload: bytes, payload_sha: str) -> None:
    result = cli("download", "tiny")

    assert result.returncode == 0, result.stderr
    target = cli.models / FILENAME
    assert result.stdout.strip().splitlines()[-1] == str(target)
    assert target.read_bytes() == payload
    assert partial_files(cli.models) == []
    record = json.loads((cli.models / "downloads.json").read_text())[FILENAME]
    assert record["revision"] == COMMIT  # the commit the Hub served, recorded
    assert record["sha256"] == payload_sha
    assert record["size_bytes"] == len(payload)
    assert record["repo_id"] == REPO
    assert record["downloaded_at"]
    methods = [method for method, _, _ in cli.hub.requests]
    assert methods == ["HEAD", "GET"]
    # The bytes are fetched at the commit the HEAD answered with, not at the moving branch.
    assert cli.hub.gets()[0][1] == f"/{REPO}/resolve/{COMMIT}/{FILENAME}"


def test_unknown_size_and_hash_are_recorded_then_pin_later_downloads(
    cli: Cli, payload: bytes, payload_sha: str, tmp_path: Path
) -> None:
    write_catalog(cli.catalog)  # size 0, sha256 "": not known

    assert cli("download", "tiny", "--quiet").returncode == 0
    record = json.loads((cli.models / "downloads.json").read_text())[FILENAME]
    assert (record["size_bytes"], record["sha256"], record["revision"]) == (len(payload), payload_sha, COMMIT)

    listed = json.loads(cli("list", "--json").stdout)["models"][0]
    assert (listed["size_bytes"], listed["sha256"], listed["revision"]) == (len(payload), payload_sha, COMMIT)
    assert "ok" in cli("verify", "--quiet").stdout  # checked against the recorded values

    # A later download of the same unpinned entry fetches the recorded commit, not "main".
    assert cli("remove", "tiny").returncode == 0
    cli.hub.requests.clear()
    assert cli("download", "tiny", "--quiet").returncode == 0
    assert all(f"/resolve/{COMMIT}/" in path for _, path, _ in cli.hub.requests)


def _ctrl_c_acts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_an_interrupted_download_resumes_on_the_next_run(cli: Cli, payload: bytes) -> None:
    cli.hub.stall_after = 4 * CHUNK  # the first transfer hangs after 40 MB, like a dead connection
    process = subprocess.Popen(
        cli.command("download", "tiny", "--quiet"),
        env=cli.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        # Ctrl-C reaches a command run in a terminal. A test run started in the background (`make test &`)
        # passes SIGINT on ignored, and Python then never raises KeyboardInterrupt: the run went on and
        # finished the file (this test's "flaky race" of two sessions).
        preexec_fn=_ctrl_c_acts,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and sum(p.stat().st_size for p in partial_files(cli.models)) < CHUNK:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)  # the user gives up: Ctrl-C
    _, stderr = process.communicate(timeout=30)
    cli.hub.release.set()

    assert process.returncode == 130, stderr
    assert "run the same command again to resume" in stderr
    assert "Traceback" not in stderr
    [partial] = partial_files(cli.models)
    kept = partial.stat().st_size
    assert 0 < kept < len(payload)
    assert not (cli.models / FILENAME).exists()

    result = cli("download", "tiny", "--quiet")

    assert result.returncode == 0, result.stderr
    assert cli.hub.gets()[-1][2] == f"bytes={kept}-"  # asked only for the rest
    assert (cli.models / FILENAME).read_bytes() == payload
    assert partial_files(cli.models) == []


def test_a_dropped_connection_is_resumed_within_the_run(cli: Cli, payload: bytes) -> None:
    cli.hub.drop_after = 3 * CHUNK + 12345

    result = cli("download", "tiny", "--quiet")

    assert result.returncode == 0, result.stderr
    ranges = [header for _, _, header in cli.hub.gets()]
    assert ranges[0] is None and ranges[1] is not None and ranges[1].startswith("bytes=")
    assert (cli.models / FILENAME).read_bytes() == payload


def test_a_corrupted_transfer_is_rejected_and_deleted(cli: Cli) -> None:
    cli.hub.corrupt = True

    result = cli("download", "tiny", "--quiet")

    assert result.returncode == 2
    line = error_line(result)
    assert "sha256" in line and "deleted" in line and "run the same command again" in line
    assert not (cli.models / FILENAME).exists()
    assert partial_files(cli.models) == []
    assert not (cli.models / "downloads.json").exists()


def test_a_catalog_checksum_the_hub_contradicts_is_refused_before_downloading(cli: Cli, payload: bytes) -> None:
    write_catalog(cli.catalog, size=len(payload), sha="0" * 64)

    result = cli("download", "tiny", "--quiet")

    assert result.returncode == 2
    line = error_line(result)
    assert "sha256" in line and "catalog" in line and "nothing was downloaded" in line
    assert cli.hub.gets() == []
    assert not (cli.models / FILENAME).exists()


def test_a_file_missing_on_the_hub_is_one_line(cli: Cli) -> None:
    result = cli("download", "tiny:Q8_0", "--quiet")

    assert result.returncode == 2
    assert "has no file tiny.Q8_0.gguf" in error_line(result)


@pytest.mark.parametrize("name", ["nope", "tiny:Q9_9"])
def test_an_unknown_name_is_one_line(cli: Cli, name: str) -> None:
    result = cli("download", name)

    assert result.returncode == 2
    line = error_line(result)
    assert "tiny" in line
    assert cli.hub.requests == []


# --- one download at a time, and no endless transfer (issue 12, point 7) ------------------------


def test_two_downloads_of_one_model_at_once_both_end_with_the_checked_file(cli: Cli, payload: bytes) -> None:
    """Before the lock, both appended to one partial file: both failed, one with a raw [Errno 2]."""
    cli.hub.stall_after = 2 * CHUNK  # the first transfer hangs after 20 MB until released

    def start() -> subprocess.Popen[str]:
        return subprocess.Popen(
            cli.command("download", "tiny"),
            env=cli.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )

    first = start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(p.stat().st_size for p in partial_files(cli.models)) < CHUNK:
        time.sleep(0.05)
    second = start()
    time.sleep(3)  # the second run is waiting for the first's lock: it has not asked the Hub anything
    assert [method for method, _, _ in cli.hub.requests].count("HEAD") == 1
    cli.hub.release.set()  # the first resumes after its stalled connection and finishes
    first_out, first_err = first.communicate(timeout=90)
    second_out, second_err = second.communicate(timeout=90)

    assert first.returncode == 0, first_err
    assert second.returncode == 0, second_err
    assert "Traceback" not in first_err + second_err
    assert first_out.strip() == second_out.strip() == str(cli.models / FILENAME)
    assert "another download of tiny" in second_err and "waiting for it to finish" in second_err
    assert "already downloaded" in second_err
    assert (cli.models / FILENAME).read_bytes() == payload
    assert partial_files(cli.models) == []


def test_a_caller_that_does_not_wait_is_told_a_download_is_under_way(
    hub: FakeHub, payload: bytes, payload_sha: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = _tiny_entry(write_catalog(tmp_path / "catalog.toml", size=len(payload), sha=payload_sha))
    models = tmp_path / "models"
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with downloads.download_lock(entry, models, wait=False):  # another session's download, in this process
        with pytest.raises(DownloadInProgressError) as told:
            downloads.download(entry, models, progress=False, endpoint=hub.url, wait=False)
        with pytest.raises(DownloadInProgressError):
            downloads.remove(entry, models)  # nor is its partial file pulled from under it
    assert "under way" in str(told.value) and "\n" not in str(told.value)
    assert hub.requests == []
    # Once the other is done, the same call downloads.
    assert downloads.download(entry, models, progress=False, endpoint=hub.url, wait=False).fetched


def test_an_endpoint_that_sends_no_size_is_cut_off_at_the_bound(cli: Cli) -> None:
    """Before the cap, an endpoint that sent no size wrote 2.4 GB until the disk filled."""
    write_catalog(cli.catalog, approx_gb=0.02)  # size and sha256 unknown; the bound is 0.02 GB x 1.25 = 25 MB
    cli.hub.sizeless = True

    result = cli("download", "tiny", "--quiet")

    assert result.returncode == 2
    line = error_line(result)
    assert "sent more than 25,000,000 bytes" in line and "partial file deleted" in line
    assert cli.hub.sent < 200 * 1024 * 1024  # stopped near the bound, not at the server's 1 GB
    assert partial_files(cli.models) == [] and not (cli.models / FILENAME).exists()


def test_size_bounds_come_from_the_catalog_or_the_shape_and_quantization() -> None:
    entries = load_catalog()
    architectures = load_architectures()
    known = find_entry("llama-2-7b-chat", entries)
    for entry in entries:
        arch = architectures.get(entry.name)
        if arch is None:
            continue
        by_shape = downloads.size_bound(replace(entry, approx_gb=0.0), architectures)
        assert by_shape is not None
        # The shape bound is above the model card's size, and not absurdly so.
        assert entry.approx_gb * 1e9 < by_shape < 2 * entry.approx_gb * 1e9, entry.ref
        assert downloads.size_bound(entry, architectures) == int(entry.approx_gb * 1e9 * downloads.SIZE_BOUND_MARGIN)
    assert known.size_bytes < downloads.size_bound(replace(known, approx_gb=0.0), architectures)  # type: ignore[operator]
    assert downloads.size_bound(replace(known, name="unknown-family", approx_gb=0.0), architectures) is None


def test_a_download_makes_only_the_files_requests_with_huggingface_hubs_extras_off(cli: Cli) -> None:
    env = cli.env()
    for name in ("HF_HUB_DISABLE_TELEMETRY", "HF_HUB_DISABLE_UPDATE_CHECK", "DISABLE_TELEMETRY"):
        env.pop(name, None)  # not set by the user: app.hub sets them
    result = subprocess.run(cli.command("download", "tiny", "--quiet"), env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert [method for method, _, _ in cli.hub.requests] == ["HEAD", "GET"]

    probe = (
        "import app.hub.downloads; from huggingface_hub import constants; "
        "print(constants.HF_HUB_DISABLE_TELEMETRY, constants.HF_HUB_DISABLE_UPDATE_CHECK)"
    )
    shown = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, cwd=ROOT)
    assert shown.stdout.split() == ["True", "True"], shown.stderr


# --- a file already on disk: a quick check, and `verify` for a full one --------------------------


def test_download_notices_a_damaged_file_of_the_right_size(cli: Cli, payload: bytes) -> None:
    assert cli("download", "tiny", "--quiet").returncode == 0
    again = cli("download", "tiny")
    assert again.returncode == 0
    assert "already downloaded; size and a sample of its bytes checked" in again.stderr and "verify" in again.stderr
    target = cli.models / FILENAME
    data = bytearray(payload)
    middle = len(data) // 2
    data[middle : middle + 4 * 1024 * 1024] = bytes(4 * 1024 * 1024)  # 4 MB zeroed: a damaged disk block, say
    target.write_bytes(bytes(data))

    started = time.monotonic()
    damaged = cli("download", "tiny", "--quiet")

    assert damaged.returncode == 2
    line = error_line(damaged)
    assert "has changed since it was downloaded" in line and "remove tiny" in line
    assert time.monotonic() - started < 30  # a sample, not a full hash (loose: the machine is shared)
    assert len(cli.hub.gets()) == 1  # the network was not asked again


# --- offline ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["env", "flag"])
def test_offline_lists_and_uses_only_what_is_on_disk(cli: Cli, how: str) -> None:
    assert cli("download", "tiny", "--quiet").returncode == 0
    cli.hub.requests.clear()
    flag, env = (["--offline"], {}) if how == "flag" else ([], {"HF_HUB_OFFLINE": "1"})

    listing = json.loads(cli("list", "--json", *flag, **env).stdout)
    present = cli("download", "tiny", "--quiet", *flag, **env)
    absent = cli("download", "tiny:Q8_0", "--quiet", *flag, **env)

    assert listing["offline"] is True
    assert [(model["name"], model["downloaded"]) for model in listing["models"]] == [("tiny", True)]
    assert present.returncode == 0
    assert present.stdout.strip() == str(cli.models / FILENAME)
    assert absent.returncode == 2
    assert "offline" in error_line(absent)
    assert cli.hub.requests == []  # nothing touched the network


# --- disk space (in-process: the free-space figure is patched) --------------------------------


def _tiny_entry(catalog: Path) -> CatalogEntry:
    return find_entry("tiny", load_catalog(catalog))


def test_too_little_disk_space_is_refused_before_any_request(
    hub: FakeHub, payload: bytes, payload_sha: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = _tiny_entry(write_catalog(tmp_path / "catalog.toml", size=len(payload), sha=payload_sha))
    monkeypatch.setattr(downloads, "free_bytes", lambda _folder: len(payload) // 2)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)

    with pytest.raises(DiskSpaceError) as refused:
        downloads.download(entry, tmp_path / "models", progress=False, endpoint=hub.url)

    message = str(refused.value)
    assert "\n" not in message and "not enough disk space" in message and "free some space" in message
    assert hub.requests == []  # the size was known: refused before asking the Hub
    assert not (tmp_path / "models" / FILENAME).exists()


def test_too_little_disk_space_for_a_size_only_the_hub_knows_is_refused_before_the_transfer(
    hub: FakeHub, payload: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = _tiny_entry(write_catalog(tmp_path / "catalog.toml"))  # size unknown: the HEAD tells it
    monkeypatch.setattr(downloads, "free_bytes", lambda _folder: len(payload))  # the file, but not the margin
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)

    with pytest.raises(DiskSpaceError):
        downloads.download(entry, tmp_path / "models", progress=False, endpoint=hub.url)

    assert [method for method, _, _ in hub.requests] == ["HEAD"]


# --- verify, remove, list ---------------------------------------------------------------------


def test_verify_reports_ok_then_a_flipped_byte_and_remove_deletes(cli: Cli) -> None:
    assert cli("download", "tiny", "--quiet").returncode == 0
    target = cli.models / FILENAME

    good = cli("verify", "--quiet")
    assert good.returncode == 0
    assert re.search(r"^ok\s+tiny\s", good.stdout, re.MULTILINE)

    data = bytearray(target.read_bytes())
    data[1000] ^= 0x01
    target.write_bytes(bytes(data))
    bad = cli("verify", "tiny", "--quiet")
    assert bad.returncode == 2
    assert re.search(r"^mismatch\s+tiny\s.*sha256", bad.stdout, re.MULTILINE)
    assert "remove tiny" in error_line(bad)

    removed = cli("remove", "tiny")
    assert removed.returncode == 0
    assert not target.exists()
    assert json.loads(cli("list", "--json").stdout)["models"][0]["downloaded"] is False
    again = cli("remove", "tiny")
    assert again.returncode == 0 and "nothing to remove" in again.stdout


def test_list_json_shape(cli: Cli, payload: bytes) -> None:
    result = cli("list", "--json")

    assert result.returncode == 0
    listing = json.loads(result.stdout)
    assert listing["models_dir"] == str(cli.models) and listing["offline"] is False
    first, second = listing["models"]
    assert set(first) == {
        "name",
        "family",
        "quantization",
        "default",
        "embedded",
        "repo_id",
        "filename",
        "revision",
        "size_bytes",
        "size_gb",
        "sha256",
        "ram_gb",
        "chat_format",
        "context_length",
        "licence",
        "downloaded",
        "path",
    }
    assert (first["name"], first["quantization"], first["default"], first["size_bytes"]) == (
        "tiny",
        "Q4_1",
        True,
        len(payload),
    )
    assert (second["name"], second["size_bytes"], second["sha256"], second["downloaded"]) == (
        "tiny:Q8_0",
        None,
        None,
        False,
    )
    assert second["path"] == str(cli.models / "tiny.Q8_0.gguf")


def test_list_table_and_help(cli: Cli) -> None:
    table = cli("list")
    usage = cli("--help")

    assert table.returncode == 0
    header, first, second = table.stdout.splitlines()[:3]
    assert header.split()[:5] == ["NAME", "QUANT", "SIZE", "RAM", "ON"]
    assert first.split()[:6] == ["tiny", "Q4_1", "0.1", "GB", "0.7", "GB"]
    assert second.split()[0] == "tiny:Q8_0" and "~0.1 GB" in second and " no " in second
    assert usage.returncode == 0
    assert "download llama-2-7b-chat" in usage.stdout and "HF_HUB_OFFLINE=1" in usage.stdout


# --- the real catalog -------------------------------------------------------------------------

QUANTIZATIONS = ["Q2_K", "Q3_K_M", "Q4_0", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0"]
KV_CACHE_GB_AT_4K = {  # 2 x layers x 4096 tokens x KV heads x head dim x 2 bytes (f16)
    "llama-2-7b-chat": 2 * 32 * 4096 * 32 * 128 * 2 / 1e9,
    "mistral-7b-instruct-v0.1": 2 * 32 * 4096 * 8 * 128 * 2 / 1e9,
    "mistral-7b-instruct-v0.2": 2 * 32 * 4096 * 8 * 128 * 2 / 1e9,
    "smollm2-135m-instruct": 2 * 30 * 4096 * 3 * 64 * 2 / 1e9,
}


def test_the_catalog_has_every_family_and_quantization() -> None:
    entries = load_catalog()
    by_name: dict[str, list[CatalogEntry]] = {}
    for entry in entries:
        by_name.setdefault(entry.name, []).append(entry)

    assert set(by_name) == set(KV_CACHE_GB_AT_4K)
    for name in ("llama-2-7b-chat", "mistral-7b-instruct-v0.1", "mistral-7b-instruct-v0.2"):
        family = by_name[name]
        assert [entry.quantization for entry in family] == QUANTIZATIONS
        assert [entry.quantization for entry in family if entry.default] == ["Q4_K_M"]
        assert all(entry.filename == f"{name}.{entry.quantization}.gguf" for entry in family)
        assert all(entry.pinned and entry.repo_id.startswith("TheBloke/") for entry in family)
        assert len({entry.revision for entry in family}) == 1
    [embedded] = by_name["smollm2-135m-instruct"]
    assert embedded.embedded and embedded.default
    assert embedded.size_bytes == embedded_model_path().stat().st_size

    known = find_entry("llama-2-7b-chat", entries)
    assert known.size_bytes == 4_081_004_224
    assert known.sha256 == "08a5566d61d7cb6b420c3e4387a39e0078e1f2fe5f055f3a03887385304d4bfa"
    for entry in entries:  # the documented RAM formula, entry by entry
        expected = round(entry.size_gb + KV_CACHE_GB_AT_4K[entry.name] + 0.5, 1)
        assert entry.ram_gb == pytest.approx(expected), entry.ref


def test_resolve_model_takes_name_and_name_with_quantization(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match=r"download llama-2-7b-chat` \(needs 6\.7 GB"):
        resolve_model("llama-2-7b-chat", models_dir=tmp_path)
    with pytest.raises(ModelNotFoundError, match="download llama-2-7b-chat:Q5_K_M"):
        resolve_model("llama-2-7b-chat:Q5_K_M", models_dir=tmp_path)
    with pytest.raises(ModelNotFoundError, match="use one of: Q2_K, Q3_K_M"):
        resolve_model("llama-2-7b-chat:Q7", models_dir=tmp_path)
    with pytest.raises(ModelNotFoundError, match=r"unknown model 'nope'.*path of a \.gguf file"):
        resolve_model("nope", models_dir=tmp_path)

    (tmp_path / "llama-2-7b-chat.Q5_K_M.gguf").write_bytes(b"GGUF")
    model = resolve_model("llama-2-7b-chat:q5_k_m", models_dir=tmp_path)
    assert (model.name, model.quantization, model.chat_format) == ("llama-2-7b-chat:Q5_K_M", "Q5_K_M", "llama-2")
    assert model.path == tmp_path / "llama-2-7b-chat.Q5_K_M.gguf"
    embedded = resolve_model("smollm2-135m-instruct")
    assert (embedded.name, embedded.quantization) == ("smollm2-135m-instruct", "Q4_1")

    choices = {choice.name: choice for choice in available_models(tmp_path)}
    assert choices["llama-2-7b-chat:Q5_K_M"].available
    assert not choices["llama-2-7b-chat"].available
    assert choices["llama-2-7b-chat"].download_command == "python scripts/download_models.py download llama-2-7b-chat"
    assert "mistral-7b-instruct-v0.2" in choices and "mistral-7b-instruct-v0.2:Q8_0" not in choices


def test_a_broken_catalog_is_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "catalog.toml"
    broken.write_text(CATALOG_PATH.read_text(encoding="utf-8").replace("\ndefault = true\n", "\ndefault = false\n", 1))

    with pytest.raises(CatalogError, match="exactly one entry with default = true") as error:
        load_catalog(broken)
    assert "\n" not in str(error.value)


def test_bytes_on_disk_counts_the_partial_then_the_final_file(tmp_path: Path) -> None:
    from app.hub.catalog import load_catalog
    from app.hub.downloads import PARTIAL_DIR, bytes_on_disk

    entry = next(entry for entry in load_catalog() if not entry.embedded)
    assert bytes_on_disk(entry, tmp_path) == 0
    partial = tmp_path / PARTIAL_DIR / f"{entry.filename}.abc.incomplete"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"x" * 1000)
    assert bytes_on_disk(entry, tmp_path) == 1000
    (tmp_path / entry.filename).write_bytes(b"y" * 2500)
    assert bytes_on_disk(entry, tmp_path) == 2500
