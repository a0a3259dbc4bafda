"""Run the study's experiments: every labelled pair x model x decoding config, one JSONL row each.

Each row holds the full report of `analyze.py --json` ("report": verdict,
score, advice, warnings, settings, metrics...) with the pair's id, label and
reference data. A model is loaded once; the configs of one pair run back to
back, so the prompt is evaluated once and reused from the KV cache. Rows are
flushed as they finish: run the same command again to resume (rows already in
the file are skipped). Then score the answers on the app's Evaluate page and
make the tables with scripts/evaluate.py.

On model servers (--server-url, repeatable, or CV_ENHANCER_SERVER_URL): the
answers fan out over the servers, --concurrency pairs at once, each pair's configs
back to back on one server so its KV cache keeps the pair's prompt. Give the
workers' own URLs (not nginx's) to keep that rule; resume and failure rows work
the same.

Configs: greedy (do_sample=False), sample@T (sampling at temperature T,
top-p 0.95, seed 42), sample@T:pP (top-p P), sample@T:sS (seed S).

Examples:
  python scripts/run_experiments.py --pairs ../shared/data/pairs.json --models smollm2-135m-instruct \\
      --configs greedy --max-tokens 96 --out runs/smollm2_pairs.jsonl
  python scripts/run_experiments.py --pairs ../shared/data/pairs.json \\
      --models llama-2-7b-chat,mistral-7b-instruct-v0.1 --configs greedy,sample@1.0,sample@1.25
  python scripts/run_experiments.py --pairs ../shared/data/pairs.json --models smollm2-135m-instruct \\
      --server-url http://127.0.0.1:8001/v1 --server-url http://127.0.0.1:8002/v1 --concurrency 4

Exit codes: 0 done; 2 bad input (pairs file, model, config, settings; one line
on stderr saying what to do) or some rows failed (each named on stderr and kept
in the file with its error, which evaluate.py lists; run again to retry them);
1 an internal error; 130 interrupted (the rows done so far are kept).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tqdm import tqdm

from app.cli import parser_from_doc, run
from app.errors import InputError
from app.settings import SERVER_URL_ENV, add_flag, backend_values, describe
from app.study.experiments import (
    default_run_path,
    load_pair_inputs,
    parse_configs,
    parse_models,
    resolve_models,
    run_experiments,
    settings_for,
)

# The Settings every row of a run shares (the decoding comes from --configs).
SHARED_FIELDS = ("max_tokens", "threads", "batch", "ctx", "gpu_layers", "repeat_penalty")


def build_parser() -> argparse.ArgumentParser:
    parser = parser_from_doc("run_experiments.py", __doc__)
    parser.add_argument(
        "--pairs", required=True, type=Path, help="pairs JSON file (format of ../shared/data/pairs.json)"
    )
    parser.add_argument(
        "--models", required=True, help="comma-separated catalog names or .gguf paths, e.g. smollm2-135m-instruct"
    )
    parser.add_argument(
        "--configs",
        default="greedy",
        help="comma-separated decoding configs: greedy, sample@T[:pP][:sS] (default greedy)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="the JSONL run file (default: runs/<pairs>-<models>-<configs>.jsonl); resumed if it exists",
    )
    parser.add_argument("--limit", type=int, help="only the first N pairs (quick runs)")
    for field in SHARED_FIELDS:
        add_flag(parser, field)
    parser.add_argument(
        "--server-url",
        action="append",
        metavar="URL",
        help=f"{describe('server_urls')}; repeat it for more (default ${SERVER_URL_ENV}; none: the local model)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        help="pairs answered at once on the servers (default: one per server URL)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    hint = ": the rows done so far are kept; run the same command again to resume."
    return run(lambda: _main(args), interrupted_hint=hint)


def _main(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise InputError("--limit must be 1 or more.")
    if args.concurrency is not None and args.concurrency < 1:
        raise InputError("--concurrency must be 1 or more.")
    configs = parse_configs(args.configs)
    backend = backend_values(None, args.server_url)
    on_servers = backend["backend"] == "server"
    models = resolve_models(parse_models(args.models), on_servers=on_servers)
    base = {field: getattr(args, field) for field in SHARED_FIELDS}
    if on_servers:
        base |= backend
    for model in models:  # every combination validated before any work
        for config in configs:
            settings_for(model, config, base)
    pairs = load_pair_inputs(args.pairs, args.limit, on_warning=lambda line: print(f"warning: {line}", file=sys.stderr))
    out = args.out or default_run_path(args.pairs, [model.argument for model in models], configs)
    failures: list[str] = []

    def progress(items: Iterable[Any], total: int) -> Iterator[Any]:
        return iter(tqdm(items, total=total, desc="answers", unit="answer", disable=args.no_progress))

    def on_error(message: str) -> None:
        failures.append(message)
        tqdm.write(f"failed: {message}", file=sys.stderr)

    summary = run_experiments(
        pairs,
        models,
        configs,
        out,
        base=base,
        progress=progress,
        on_error=on_error,
        on_warning=lambda line: tqdm.write(f"warning: {line}", file=sys.stderr),
        concurrency=args.concurrency or len(backend["server_urls"]) or 1,
    )
    reuse = (
        f"; prompt tokens reused from the KV cache: {summary.prompt_tokens_reused} of {summary.prompt_tokens}"
        if summary.prompt_tokens
        else ""
    )
    print(
        f"{summary.path}: {summary.written} rows written, {summary.skipped} skipped (already done), "
        f"{summary.failed} failed, of {summary.planned} ({len(pairs)} pairs x {len(models)} models x "
        f"{len(configs)} configs){reuse}"
    )
    if failures:
        print(
            f"error: {len(failures)} rows failed (listed above); run the same command again to retry them.",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
