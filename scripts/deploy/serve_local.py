"""Serve a model to a team from this machine: N llama-cpp-python workers behind nginx, no Docker.

Starts N `python -m llama_cpp.server` workers on loopback ports (one model copy
and --threads threads each), then nginx in front of them (least connections,
streaming, passive health checks: scripts/deploy/nginx.conf.template), and
prints the URL to give `analyze.py --server-url`, the app and the study. Logs,
the rendered nginx.conf and nginx's access log (which worker served each
request) go to --dir. Ctrl-C stops everything. Needs nginx (`apt-get install
nginx`) and the server extra (`pip install -e '.[serve]'`).

Examples:
  python scripts/deploy/serve_local.py                                   # 2 workers of the embedded model, port 8080
  python scripts/deploy/serve_local.py --workers 2 --threads 4 --model llama-2-7b-chat --port 8080
  python scripts/analyze.py --cv cv.txt --job job.txt --server-url http://127.0.0.1:8080/v1 --json

Exit codes: 0 stopped with Ctrl-C; 2 bad input (a model that is not here, too
little RAM for N workers, no nginx; one line on stderr saying what to do);
1 an internal error.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from app.cli import parser_from_doc, run
from app.errors import InputError
from app.serve.cluster import check_ram_for_workers, model_for_workers, start_cluster
from app.settings import EMBEDDED_MODEL_NAME, default_threads


def build_parser() -> argparse.ArgumentParser:
    parser = parser_from_doc("serve_local.py", __doc__)
    parser.add_argument("--workers", type=int, default=2, help="model-server processes (default 2)")
    parser.add_argument(
        "--threads",
        type=int,
        help="CPU threads per worker (default: physical cores / workers, at least 1)",
    )
    parser.add_argument(
        "--model", default=EMBEDDED_MODEL_NAME, help="catalog name or .gguf path (default: the embedded SmolLM2)"
    )
    parser.add_argument("--ctx", type=int, default=4096, help="context window of each worker (default 4096)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1 (default 8080; 0: any free)")
    parser.add_argument(
        "--dir", type=Path, default=Path("runs/serve"), help="for logs, nginx files (default runs/serve)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(lambda: _serve(args), interrupted_hint=": workers and nginx stopped.")


def _serve(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise InputError("--workers must be 1 or more.")
    threads = args.threads or max(1, default_threads() // args.workers)
    if threads < 1:
        raise InputError("--threads must be 1 or more.")
    model = model_for_workers(args.model)
    check_ram_for_workers(model, args.workers, args.ctx)
    prefix = args.dir.resolve()
    print(f"starting {args.workers} workers of {model.name} ({threads} threads each) and nginx...", file=sys.stderr)
    cluster = start_cluster(
        model.path, alias=model.name, workers=args.workers, threads=threads, ctx=args.ctx, port=args.port, prefix=prefix
    )
    # Ctrl-C and `kill` both stop the workers and nginx (a shell may start us with SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with cluster:
        for number, worker in enumerate(cluster.workers, 1):
            print(f"worker {number}: {worker.url} (log {worker.log})", file=sys.stderr)
        print(f"nginx access log: {cluster.access_log}", file=sys.stderr)
        print(cluster.url, flush=True)
        print(
            f"use it: python scripts/analyze.py --cv CV --job JOB --server-url {cluster.url}   "
            f"(or CV_ENHANCER_SERVER_URL={cluster.url} make run); Ctrl-C stops.",
            file=sys.stderr,
        )
        reported: set[int] = set()
        while True:
            for worker in cluster.workers:
                if worker.process.poll() is not None and worker.port not in reported:
                    reported.add(worker.port)
                    print(f"warning: the worker on port {worker.port} exited; see {worker.log}", file=sys.stderr)
            time.sleep(2)


if __name__ == "__main__":
    sys.exit(main())
