"""Benchmark models on this machine, CPU against GPU, in the manner of llama.cpp's llama-bench.

For each configuration (models × --threads × --gpu-layers × --batch × --ctx),
in a fresh process: the load (timed apart), an untimed warm-up, then -r
repetitions of prompt processing (pp N), generation (tg N) and the real task
(one CV + job analysis: time to first token, total time, tokens/s); the same
pp/tg through bare llama-cpp-python give the project's overhead ratio. Reports
mean ± sample standard deviation, peak RSS and GPU memory per configuration.
GPU configurations on a build without GPU offload are reported as skipped,
with the rebuild command.

A model with synthetic weights stands in for one that is not downloaded:
-m synthetic:NAME[:QUANT] (e.g. synthetic:llama-2-7b-chat:Q4_K_M) builds, once,
a GGUF with the real model's architecture and tensor types and random weights
under models/.synthetic/ (its speed is the real model's; its text is noise),
and its rows are labelled synthetic. Every tg row is set against the memory
bandwidth limit (a STREAM-like copy is timed first): bound t/s and efficiency.

Examples:
  python scripts/benchmark.py --threads 1,2 -r 3
  python scripts/benchmark.py -m synthetic:llama-2-7b-chat:Q4_K_M -t 1,2 -r 3 --no-overhead
  python scripts/benchmark.py -m llama-2-7b-chat --gpu-layers 0,16,all -o gpu.json
  python scripts/benchmark.py --from-json gpu.json --output csv
  python scripts/benchmark.py --compare cpu.json gpu.json

Exit codes: 0 done (skipped GPU rows included); 1 a configuration failed or an
internal error; 2 bad input (one line on stderr saying what to do); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.bench.compare import compare_markdown
from app.bench.estimates import estimate_text, record_estimates
from app.bench.plan import BenchConfig, Options, PlannedConfig, expand_configs, parse_list, prepare
from app.bench.results import load_result, to_csv, to_json, to_markdown
from app.cli import PhaseBars, parser_from_doc, run
from app.errors import InputError
from app.settings import add_flag, default, flag_help, flag_kwargs, flag_name

# Rendering or comparing saved results (--from-json, --compare) never imports llama_cpp:
# app.bench.runner, which asks llama-cpp-python about the build, is imported only to run.

FORMATS = ("md", "csv", "json")
# The Settings fields a benchmark sweeps: (field, short flags, an example list).
SWEPT_FIELDS = (
    ("threads", ("-t",), "1,2,4"),
    ("gpu_layers", ("-ngl",), "0,16,all"),
    ("batch", ("-b",), "256,512"),
    ("ctx", ("-c",), "2048,4096"),
)


def build_parser() -> argparse.ArgumentParser:
    parser = parser_from_doc("benchmark.py", __doc__)
    parser.add_argument(
        "-m", "--model", action="append", **flag_kwargs("model", note="; repeat the flag for several models")
    )
    for field, aliases, example in SWEPT_FIELDS:
        parser.add_argument(
            *aliases,
            flag_name(field),
            dest=field,
            metavar="LIST",
            help=flag_help(field, note=f"; a list, e.g. {example}"),
        )
    parser.add_argument("-r", "--repetitions", type=int, default=5, help="timed repetitions of each test (default 5)")
    parser.add_argument("-p", "--n-prompt", type=int, default=512, help="pp test: prompt tokens (default 512; 0 skips)")
    parser.add_argument("-n", "--n-gen", type=int, default=128, help="tg test: new tokens (default 128; 0 skips)")
    task = parser.add_mutually_exclusive_group()
    task.add_argument("--task", dest="task", action="store_true", default=True, help="run the real task (default)")
    task.add_argument("--no-task", dest="task", action="store_false", help="skip the real task")
    parser.add_argument("--task-tokens", type=int, default=64, help="the task's most new tokens (default 64)")
    parser.add_argument("--task-cv", type=Path, help="the task's CV (default: app/examples/example_cv.txt)")
    parser.add_argument("--task-job", type=Path, help="the task's job (default: app/examples/example_job.txt)")
    add_flag(parser, "force_ctx")
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up")
    parser.add_argument("--no-overhead", action="store_true", help="skip the bare llama-cpp-python baseline")
    parser.add_argument(
        "--no-bandwidth", action="store_true", help="skip the memory-bandwidth test (no bound/efficiency columns)"
    )
    parser.add_argument("--output", choices=FORMATS, help="md (default), csv or json; default from -o's suffix")
    parser.add_argument("-o", "--out-file", type=Path, help="write the output to this file instead of stdout")
    parser.add_argument("--timeout", type=float, help="seconds after which one configuration is stopped as failed")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.add_argument("--from-json", type=Path, metavar="FILE", help="render a saved JSON result; run nothing")
    parser.add_argument(
        "--compare", nargs=2, type=Path, metavar=("A.json", "B.json"), help="speed-up of B over A; run nothing"
    )
    return parser


def output_format(args: argparse.Namespace) -> str:
    if args.output:
        return str(args.output)
    suffix = args.out_file.suffix.lower().lstrip(".") if args.out_file else ""
    return suffix if suffix in FORMATS else "md"


def emit(text: str, out_file: Path | None) -> None:
    if out_file is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        out_file.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot write {out_file}: {error.strerror or error}; choose another -o path.") from None
    print(f"wrote {out_file}", file=sys.stderr)


def render(result: dict[str, Any], fmt: str) -> str:
    return {"md": to_markdown, "csv": to_csv, "json": lambda r: to_json(r) + "\n"}[fmt](result)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    if args.compare:
        a_path, b_path = args.compare
        text = compare_markdown(load_result(a_path), load_result(b_path), str(a_path), str(b_path))
        emit(text, args.out_file)
        return 0
    if args.from_json:
        emit(render(load_result(args.from_json), output_format(args)), args.out_file)
        return 0
    options = Options(
        repetitions=args.repetitions,
        n_prompt=args.n_prompt,
        n_gen=args.n_gen,
        task=args.task,
        task_tokens=args.task_tokens,
        task_cv=str(args.task_cv) if args.task_cv else None,
        task_job=str(args.task_job) if args.task_job else None,
        warmup=not args.no_warmup,
        overhead=not args.no_overhead,
        bandwidth=not args.no_bandwidth,
        force_ctx=bool(args.force_ctx),
    )

    def swept(field: str, **kwargs: Any) -> list[int]:
        text = getattr(args, field)
        return [default(field)] if text is None else parse_list(text, flag_name(field), **kwargs)

    configs = expand_configs(
        args.model or [default("model")],
        swept("threads"),
        swept("gpu_layers", allow_all=True, minimum=0),
        swept("batch"),
        swept("ctx"),
    )
    planned = prepare_with_progress(configs, options, args)
    fmt = output_format(args)
    result = run_with_progress(planned, options, args)
    emit(render(result, fmt), args.out_file)
    for estimate in record_estimates(result):
        print(f"{estimate.model}: {estimate_text(estimate)} (synthetic twin; the app shows it)", file=sys.stderr)
    failed = [row for row in result["results"] if row["status"] == "failed"]
    for reason in dict.fromkeys(row["reason"] for row in failed):
        print(f"error: a configuration failed: {reason}", file=sys.stderr)
    return 1 if failed else 0


def prepare_with_progress(
    configs: list[BenchConfig], options: Options, args: argparse.Namespace
) -> list[PlannedConfig]:
    """prepare, with progress bars on stderr while a synthetic model is built (minutes for a 7B model)."""
    with PhaseBars("synthetic model: ", disable=args.no_progress) as bars:
        return prepare(configs, options, build_progress=bars)


def run_with_progress(planned: list[PlannedConfig], options: Options, args: argparse.Namespace) -> dict[str, Any]:
    """run_benchmark with a tqdm bar over the configurations on stderr (off with --no-progress or no TTY)."""
    from tqdm import tqdm

    from app.bench.runner import run_benchmark

    disable = args.no_progress or not sys.stderr.isatty()
    with tqdm(total=len(planned), desc="benchmark", unit="config", file=sys.stderr, disable=disable) as bar:

        def progress(done: int, total: int, label: str) -> None:
            bar.update(done - bar.n)
            bar.set_postfix_str(label)

        return run_benchmark(planned, options, progress=progress, timeout_s=args.timeout)


if __name__ == "__main__":
    sys.exit(main())
