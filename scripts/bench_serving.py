"""Benchmark serving: analyses per minute through nginx with 1 and 2 workers, and the server path's overhead.

Throughput: one cluster per worker count (--workers 1,2; --threads each) behind
its own nginx, started once; then, -r times, the same N analyses (--analyses,
the first N pairs of --pairs) are sent at once through each nginx in turn, the
counts taking turns so the machine's drift hits all alike. Reported: median
analyses/minute per count and its ratio to the first count.

Overhead: one analysis on the local engine (in this process, --threads)
against the same analysis through a one-worker cluster: time to first token
and generation tokens/s (client-side for the server path), median of -r, taking
turns. Each repetition uses another pair, so neither path answers from a
fully cached prompt.

Examples:
  python scripts/bench_serving.py              # 1 vs 2 workers, 1 thread each, 8 analyses, 3 repetitions
  python scripts/bench_serving.py --workers 1,2,4 --threads 2 --analyses 16 -r 5 -o serving.json

Exit codes: 0 done; 2 bad input (one line on stderr); 1 an internal error; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from app.cli import parser_from_doc, run
from app.errors import CVEnhancerError, InputError
from app.hub.catalog import PROJECT_ROOT
from app.pipeline import run_analysis
from app.serve.cluster import Cluster, model_for_workers, start_cluster
from app.settings import EMBEDDED_MODEL_NAME, Settings, make_settings
from app.study.experiments import PairInputs, load_pair_inputs

DEFAULT_PAIRS = PROJECT_ROOT.parent / "shared" / "data" / "pairs.json"


def build_parser() -> argparse.ArgumentParser:
    parser = parser_from_doc("bench_serving.py", __doc__)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts to compare (default 1,2)")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads per worker and for the local engine")
    parser.add_argument("--analyses", type=int, default=8, help="analyses sent at once per throughput run (default 8)")
    parser.add_argument("-r", "--repetitions", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS, help="pairs JSON file (default the shared 42)")
    parser.add_argument("--model", default=EMBEDDED_MODEL_NAME, help="catalog name or .gguf path")
    parser.add_argument("--max-tokens", type=int, default=32, help="new tokens per answer (default 32)")
    parser.add_argument("--ctx", type=int, default=2048, help="context window (default 2048)")
    parser.add_argument("-o", "--output", type=Path, help="also write the raw samples as JSON here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops the workers and nginx too
    return run(lambda: _bench(args))


def _bench(args: argparse.Namespace) -> int:
    try:
        counts = [int(part) for part in args.workers.split(",") if part.strip()]
    except ValueError:
        raise InputError(f"--workers {args.workers!r}: give worker counts such as 1,2") from None
    if not counts or min(counts) < 1 or args.repetitions < 1 or args.analyses < 1 or args.threads < 1:
        raise InputError("--workers, --analyses, -r and --threads must be 1 or more.")
    pairs = load_pair_inputs(args.pairs, args.analyses + args.repetitions)
    batch = pairs[: args.analyses]
    model = model_for_workers(args.model)
    base = {"model": args.model, "max_tokens": args.max_tokens, "ctx": args.ctx, "threads": args.threads}
    with tempfile.TemporaryDirectory(prefix="cv-serving-bench-") as folder:
        clusters: dict[int, Cluster] = {}
        try:
            for count in dict.fromkeys([*counts, 1]):
                print(f"starting {count} worker(s)...", file=sys.stderr)
                clusters[count] = start_cluster(
                    model.path,
                    alias=model.name,
                    workers=count,
                    threads=args.threads,
                    ctx=args.ctx,
                    port=0,
                    prefix=Path(folder) / f"w{count}",
                )
            samples = _measure(args, counts, clusters, batch, pairs, base)
        finally:
            for cluster in clusters.values():
                cluster.stop()
    _print(args, counts, samples)
    if args.output:
        args.output.write_text(json.dumps(samples, indent=2), encoding="utf-8")
    return 0


def _measure(
    args: argparse.Namespace,
    counts: list[int],
    clusters: dict[int, Cluster],
    batch: list[PairInputs],
    pairs: list[PairInputs],
    base: dict[str, Any],
) -> dict[str, Any]:
    throughput: dict[int, list[float]] = {count: [] for count in counts}
    overhead: dict[str, list[dict[str, Any]]] = {"local": [], "server": []}
    local = make_settings(**base)
    # Warm-up: load the local model, and let every worker see the shared system prompt once.
    run_analysis(*pairs[0].documents(), settings=local)
    for count in counts:
        _at_once(clusters[count].url, batch[:count], base)
    for repetition in range(args.repetitions):
        order = counts if repetition % 2 == 0 else counts[::-1]
        for count in order:
            started = time.perf_counter()
            completed = _at_once(clusters[count].url, batch, base)
            minutes = (time.perf_counter() - started) / 60
            throughput[count].append(completed / minutes)
            print(f"rep {repetition + 1}: {count} worker(s): {throughput[count][-1]:.2f} analyses/min", file=sys.stderr)
        item = pairs[args.analyses + repetition] if len(pairs) > args.analyses + repetition else pairs[repetition]
        server = make_settings(**base, backend="server", server_urls=[clusters[1].url])
        paths = [("local", local), ("server", server)]
        for name, settings in paths if repetition % 2 == 0 else paths[::-1]:
            try:
                cv, job = item.documents()
                report = run_analysis(cv, job, settings)
            except CVEnhancerError as error:
                print(f"warning: {item.pair.id} ({name}): {error}", file=sys.stderr)
                continue
            metrics = report.metrics
            overhead[name].append(
                {key: metrics.get(key) for key in ("ttft_s", "gen_tokens_per_s", "total_s", "prompt_tokens")}
            )
    return {"throughput": {str(count): values for count, values in throughput.items()}, "overhead": overhead}


def _at_once(url: str, batch: list[PairInputs], base: dict[str, Any]) -> int:
    """Send the batch at once; the number of analyses that completed (a pair that does not fit --ctx does not)."""
    settings: Settings = make_settings(**base, backend="server", server_urls=[url])

    def one(item: PairInputs) -> bool:
        try:
            cv, job = item.documents()
            run_analysis(cv, job, settings)
        except CVEnhancerError as error:
            print(f"warning: {item.pair.id}: {error}", file=sys.stderr)
            return False
        return True

    with ThreadPoolExecutor(max_workers=len(batch)) as pool:
        return sum(pool.map(one, batch))


def _print(args: argparse.Namespace, counts: list[int], samples: dict[str, Any]) -> None:
    first = statistics.median(samples["throughput"][str(counts[0])]) or 1.0
    print(f"\n### Throughput: {args.analyses} analyses at once through nginx, {args.threads} thread(s) per worker\n")
    print("| workers | analyses/min (median) | samples | vs first |")
    print("|---|---|---|---|")
    for count in counts:
        values = samples["throughput"][str(count)]
        median = statistics.median(values)
        print(f"| {count} | {median:.2f} | {', '.join(f'{v:.2f}' for v in values)} | {median / first:.2f}x |")
    print(f"\n### One analysis: local engine vs one worker over HTTP ({args.threads} thread(s))\n")
    print("| path | ttft s (median) | gen tok/s (median) | total s (median) | prompt tokens |")
    print("|---|---|---|---|---|")
    for name, rows in samples["overhead"].items():

        def median_of(key: str, fmt: str, rows: list[dict[str, Any]] = rows) -> str:
            values = [row[key] for row in rows if row.get(key) is not None]
            return f"{statistics.median(values):{fmt}}" if values else "—"

        tokens = "/".join(str(row["prompt_tokens"]) for row in rows) or "—"
        print(
            f"| {name} | {median_of('ttft_s', '.2f')} | {median_of('gen_tokens_per_s', '.1f')} | "
            f"{median_of('total_s', '.2f')} | {tokens} |"
        )


if __name__ == "__main__":
    sys.exit(main())
