"""N llama-cpp-python server workers and nginx in front of them, started on this machine without Docker.

Each worker is `python -m llama_cpp.server` in its own process (one model
copy each, its own threads), listening on loopback; nginx balances them with
least connections (scripts/deploy/nginx.conf.template, the same template
docker-compose.yml renders). Everything nginx writes (config, logs, pid,
temporary files) stays under one prefix folder: no root paths, no root needed.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from app.errors import InsufficientMemoryError, ServerError, SettingsError
from app.hub.catalog import PROJECT_ROOT, ResolvedModel, resolve_model
from app.llm.gguf_info import read_gguf_info
from app.llm.memory import estimate_model_memory

NGINX_TEMPLATE = PROJECT_ROOT / "scripts" / "deploy" / "nginx.conf.template"
# Passive health checks: one failed connection rests a worker for this long, then nginx tries it again.
MAX_FAILS, FAIL_TIMEOUT_S = 1, 10
HOST = "127.0.0.1"


def model_for_workers(name_or_path: str) -> ResolvedModel:
    """The model file the workers load (a catalog name or a path; it must be on this machine)."""
    return resolve_model(name_or_path)


def check_ram_for_workers(model: ResolvedModel, workers: int, ctx: int) -> float:
    """Refuse N workers that would not fit in free RAM; the GB they need.

    llama.cpp maps the GGUF file, so the workers of one model share its weights
    in the page cache: the first worker needs the whole estimate, each further
    one its own KV cache and buffers (the estimate less the file).
    """
    first_mb = estimate_model_memory(read_gguf_info(model.path), ctx, 512, 0).ram_mb
    extra_mb = max(first_mb - model.size_mb, 1.0)
    needed_mb = first_mb + extra_mb * (workers - 1)
    available_mb = psutil.virtual_memory().available / 2**20
    if needed_mb > available_mb:
        fit = 1 + int(max(available_mb - first_mb, 0) // extra_mb)
        raise InsufficientMemoryError(
            f"{workers} workers of {model.name} need about {needed_mb / 1024:.1f} GB of RAM at context {ctx} "
            f"({first_mb / 1024:.1f} GB for the first, {extra_mb / 1024:.1f} GB for each other) but "
            f"{available_mb / 1024:.1f} GB is free; use --workers {fit}, a smaller --ctx or a smaller quantization."
        )
    return needed_mb / 1024


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def upstream_lines(addresses: list[str]) -> str:
    return "\n        ".join(
        f"server {address} max_fails={MAX_FAILS} fail_timeout={FAIL_TIMEOUT_S}s;" for address in addresses
    )


def render_nginx_config(*, listen: str, upstreams: list[str], prefix: Path, template: Path = NGINX_TEMPLATE) -> str:
    """The nginx.conf for these worker addresses (HOST:PORT), listening on `listen`, writing under `prefix`."""
    text = template.read_text(encoding="utf-8")
    return (
        text.replace("@LISTEN@", listen)
        .replace("@UPSTREAM_SERVERS@", upstream_lines(upstreams))
        .replace("@PREFIX@", str(prefix))
    )


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(path).is_file()), None
    )
    if found is None:
        raise SettingsError("nginx is not installed: `apt-get install nginx` (or `brew install nginx`), then retry.")
    return found


@dataclass
class Worker:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}/v1"


@dataclass
class Cluster:
    """Running workers and nginx; stop() ends them all."""

    workers: list[Worker]
    prefix: Path
    port: int = 0
    nginx: subprocess.Popen[bytes] | None = None
    _stopped: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The one URL to give the app, analyze.py or the study (nginx's)."""
        return f"http://{HOST}:{self.port}/v1"

    @property
    def access_log(self) -> Path:
        return self.prefix / "access.log"

    def stop_worker(self, index: int) -> None:
        _end(self.workers[index].process)

    def stop(self) -> None:
        if self.nginx is not None:
            _end(self.nginx)
        for worker in self.workers:
            _end(worker.process)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def worker_command(model_file: Path, *, alias: str, port: int, threads: int, ctx: int) -> list[str]:
    """One llama-cpp-python server: loopback only, one model, requests queued (never cut off by the next)."""
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model_file),
        "--model_alias",
        alias,
        "--host",
        HOST,
        "--port",
        str(port),
        "--n_threads",
        str(threads),
        "--n_threads_batch",
        str(threads),
        "--n_ctx",
        str(ctx),
        # By default a new request interrupts the one streaming; behind nginx requests must queue instead.
        "--interrupt_requests",
        "False",
    ]


def start_workers(
    model_file: Path, *, alias: str, count: int, threads: int, ctx: int, prefix: Path, timeout_s: float = 120
) -> list[Worker]:
    """Start `count` workers and wait until every one answers /v1/models."""
    prefix.mkdir(parents=True, exist_ok=True)
    workers: list[Worker] = []
    try:
        for index in range(count):
            port = free_port()
            log = prefix / f"worker{index + 1}.log"
            with log.open("wb") as handle:
                process = subprocess.Popen(
                    worker_command(model_file, alias=alias, port=port, threads=threads, ctx=ctx),
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            workers.append(Worker(port, process, log))
        for worker in workers:
            wait_until_ready(worker, timeout_s)
    except BaseException:
        for worker in workers:
            _end(worker.process)
        raise
    return workers


def wait_until_ready(worker: Worker, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            tail = worker.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            hint = "install the server extra: pip install -e '.[serve]'" if "No module named" in " ".join(tail) else ""
            raise ServerError(f"the model server on port {worker.port} exited: {' | '.join(tail)} {hint}".strip())
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{worker.url}/models", timeout=2, trust_env=False).status_code == 200:
                return
        time.sleep(0.3)
    raise ServerError(f"the model server on port {worker.port} did not start in {timeout_s:.0f} s; see {worker.log}.")


def start_nginx(upstreams: list[str], *, port: int, prefix: Path, timeout_s: float = 20) -> subprocess.Popen[bytes]:
    """nginx in the foreground on HOST:port with its own config and logs under `prefix`."""
    binary = nginx_binary()
    prefix.mkdir(parents=True, exist_ok=True)
    config = prefix / "nginx.conf"
    config.write_text(render_nginx_config(listen=f"{HOST}:{port}", upstreams=upstreams, prefix=prefix), "utf-8")
    log = prefix / "nginx.out"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [binary, "-p", str(prefix), "-c", str(config), "-e", str(prefix / "error.log"), "-g", "daemon off;"],
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = prefix / "error.log"
            text = errors.read_text("utf-8", "replace") if errors.exists() else log.read_text("utf-8", "replace")
            last = (text.strip().splitlines() or ["no message"])[-1]
            raise ServerError(f"nginx exited at start: {last}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return process
        time.sleep(0.1)
    _end(process)
    raise ServerError(f"nginx did not listen on {HOST}:{port} within {timeout_s:.0f} s; see {prefix / 'error.log'}.")


def start_cluster(
    model_file: Path,
    *,
    alias: str,
    workers: int = 2,
    threads: int = 1,
    ctx: int = 4096,
    port: int = 0,
    prefix: Path,
) -> Cluster:
    """Workers, then nginx in front of them; port 0 picks a free port."""
    started = start_workers(model_file, alias=alias, count=workers, threads=threads, ctx=ctx, prefix=prefix)
    cluster = Cluster(started, prefix, port or free_port())
    try:
        cluster.nginx = start_nginx([worker.address for worker in started], port=cluster.port, prefix=prefix)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _end(process: subprocess.Popen[bytes], grace_s: float = 5) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
