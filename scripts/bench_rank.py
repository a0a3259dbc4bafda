"""Benchmark one CV against many jobs: the shared prompt prefix reused across jobs, and the ranking's speed.

Two measures, side by side in one run:
  1. advice for every one of N postings (default 5) against one CV, through
     the same path as `analyze.py --job A --job B ...`: the total time to
     first token over the N jobs with the shared prefix reused from the KV
     cache, against the same jobs with the cache cleared before each one.
     Both start from an empty cache and take turns for -r repetitions, so
     the machine's drift hits both alike; medians and their ratio.
  2. the deterministic ranking (`--no-llm`) of 50 postings: reading the files
     and ranking them, median ms of -r runs.

The default CV and postings are real text nobody here wrote: a data
scientist's CV (../shared/data/en/skillora/real_world) and five postings of
../shared/data/real_dev/jobs (the three US federal data and AI postings, two
New York City IT ones). The 50 postings of measure 2 are the real_dev
postings taken in turn until there are 50 (there are fewer: each is repeated,
and the output says how many are distinct).

    python scripts/bench_rank.py                    # Markdown table
    python scripts/bench_rank.py -r 5 --json        # JSON with every sample
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from app.analysis.documents import Document, read_document
from app.cli import parser_from_doc, run
from app.llm import engine as llm_engine
from app.llm.baseline import reset_cache
from app.pipeline import load_engine
from app.ranking import load_job, rank_jobs
from app.settings import Settings, add_flag, make_settings, settings_from_args

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
REAL_DEV_JOBS = DATA / "real_dev" / "jobs"
DEFAULT_CV = DATA / "en" / "skillora" / "real_world" / "resumes" / "rachel_martinez_ds.txt"
DEFAULT_JOBS = [
    REAL_DEV_JOBS / "usajobs" / "usajobs_CBSX-12923831-26-CR.txt",
    REAL_DEV_JOBS / "usajobs" / "usajobs_K-26-DHA-12804858-AKK.txt",
    REAL_DEV_JOBS / "usajobs" / "usajobs_ADLP-606-26-12914212-DH.txt",
    REAL_DEV_JOBS / "nyc" / "nyc_167179.txt",
    REAL_DEV_JOBS / "nyc" / "nyc_160910.txt",
]


BENCH_MAX_TOKENS = 28  # four new tokens for each of the seven sections


def build_parser() -> argparse.ArgumentParser:
    parser = parser_from_doc("bench_rank.py", __doc__)
    parser.add_argument("--cv", type=Path, default=DEFAULT_CV, help="the CV (default: a real data scientist's CV)")
    parser.add_argument(
        "--job", type=Path, action="append", help="a posting (repeat; default: five real postings of real_dev)"
    )
    add_flag(parser, "model")
    add_flag(parser, "threads")
    # Time to first token does not depend on the advice's length: a short one keeps the run short.
    add_flag(parser, "max_tokens", own_default=BENCH_MAX_TOKENS)
    add_flag(parser, "advice_mode")
    parser.add_argument("-r", "--repetitions", type=int, default=3, help="timed repetitions of each (default 3)")
    parser.add_argument("--postings", type=int, default=50, help="postings ranked in measure 2 (default 50)")
    parser.add_argument("--json", action="store_true", help="print JSON with every sample instead of a table")
    return parser


def real_postings() -> list[Path]:
    """Every real posting of ../shared/data/real_dev/jobs, sorted."""
    return sorted(REAL_DEV_JOBS.rglob("*.txt"))


def advise_all(cv: Document, jobs: list[Document], settings: Settings, *, clear_each: bool) -> list[dict[str, Any]]:
    """Advice for every job through rank_jobs (the path of analyze.py); clear_each empties the KV cache before each."""
    engine = load_engine(settings)
    reset_cache(engine)  # both modes start from an empty cache
    every_job = settings.model_copy(update={"advise_top": len(jobs)})
    ranking = rank_jobs(
        cv, jobs, every_job, on_advice_start=(lambda _entry: reset_cache(engine)) if clear_each else None
    )
    samples = []
    for entry in ranking.jobs:
        metrics = entry.report.metrics
        samples.append(
            {
                "job": entry.name,
                **{key: metrics.get(key) for key in ("ttft_s", "prompt_tokens", "prompt_tokens_reused", "total_s")},
            }
        )
    return samples


def bench_reuse(cv: Document, jobs: list[Document], settings: Settings, repetitions: int) -> dict[str, Any]:
    advise_all(cv, jobs[:1], settings, clear_each=True)  # untimed warm-up: load the model, fill the caches
    runs: dict[str, list[list[dict[str, Any]]]] = {"reused": [], "cleared": []}
    for _ in range(repetitions):  # taking turns
        runs["reused"].append(advise_all(cv, jobs, settings, clear_each=False))
        runs["cleared"].append(advise_all(cv, jobs, settings, clear_each=True))

    def totals(mode: str, key: str) -> list[float]:
        return [sum(float(sample[key] or 0) for sample in run) for run in runs[mode]]

    reused_ttft, cleared_ttft = totals("reused", "ttft_s"), totals("cleared", "ttft_s")
    return {
        "jobs": len(jobs),
        "prompt_tokens": totals("reused", "prompt_tokens")[0],
        "tokens_reused_with_reuse": totals("reused", "prompt_tokens_reused")[0],
        "tokens_reused_cleared": totals("cleared", "prompt_tokens_reused")[0],
        "total_ttft_reused_median_s": statistics.median(reused_ttft),
        "total_ttft_cleared_median_s": statistics.median(cleared_ttft),
        "speedup": statistics.median(cleared_ttft) / statistics.median(reused_ttft),
        "per_job_reused": runs["reused"][-1],
        "per_job_cleared": runs["cleared"][-1],
        "samples_total_ttft_reused_s": reused_ttft,
        "samples_total_ttft_cleared_s": cleared_ttft,
    }


def bench_ranking(cv_path: Path, postings: list[Path], repetitions: int) -> dict[str, Any]:
    settings = make_settings(use_llm=False)
    samples = []
    for _ in range(repetitions + 1):  # the first run fills the stemmer's cache: reported apart
        started = time.perf_counter()
        ranking = rank_jobs(read_document(cv_path), [load_job(path) for path in postings], settings)
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "postings": len(postings),
        "distinct_postings": len(set(postings)),
        "ranked": ranking.job_count,
        "failed": len(ranking.failed),
        "first_ms": samples[0],
        "median_ms": statistics.median(samples[1:]),
        "samples_ms": samples[1:],
    }


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(lambda: _bench(args))


def _bench(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    chosen = args.job or DEFAULT_JOBS
    cv = read_document(args.cv)
    jobs = [read_document(path) for path in chosen]
    fifty = list(itertools.islice(itertools.cycle(real_postings() or chosen), args.postings))
    reuse = bench_reuse(cv, jobs, settings, args.repetitions)
    ranking = bench_ranking(args.cv, fifty, max(args.repetitions, 5))
    result = {
        "environment": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "llama_cpp_python": llm_engine.llama_cpp_version(),
            "model": settings.model,
            "threads": settings.threads,
            "max_tokens": settings.max_tokens,
            "advice_mode": settings.advice_mode,
            "repetitions": args.repetitions,
            "cv": str(args.cv),
            "jobs": [str(path) for path in chosen],
            "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        },
        "prompt_reuse": reuse,
        "ranking": ranking,
    }
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    env = result["environment"]
    print(
        f"model {env['model']} · {env['threads']} threads · r={env['repetitions']} · {env['max_tokens']} tokens "
        f"of advice per job ({env['advice_mode']}) · llama-cpp-python {env['llama_cpp_python']} · "
        f"CV {Path(env['cv']).name}\n"
    )
    r, k = reuse, ranking
    rows = [
        (
            f"total TTFT over {r['jobs']} jobs, shared prefix reused (median s)",
            f"{r['total_ttft_reused_median_s']:.2f}",
        ),
        (
            f"total TTFT over {r['jobs']} jobs, cache cleared before each (median s)",
            f"{r['total_ttft_cleared_median_s']:.2f}",
        ),
        ("ratio cleared / reused", f"{r['speedup']:.2f}×"),
        ("prompt tokens reused / all (reuse run)", f"{r['tokens_reused_with_reuse']:.0f} / {r['prompt_tokens']:.0f}"),
        (
            f"--no-llm ranking of {k['postings']} postings ({k['distinct_postings']} distinct, repeated) (median ms)",
            f"{k['median_ms']:.0f}",
        ),
        ("--no-llm ranking, first run (cold caches) ms", f"{k['first_ms']:.0f}"),
    ]
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    print("\nper job, best first (last repetition):\n")
    print("| job | TTFT reused s | TTFT cleared s | prompt tokens reused / all (reused) | (cleared) |")
    print("|---|---|---|---|---|")
    for with_reuse, cleared in zip(r["per_job_reused"], r["per_job_cleared"], strict=True):
        print(
            f"| {with_reuse['job']} | {with_reuse['ttft_s']:.3f} | {cleared['ttft_s']:.3f} | "
            f"{with_reuse['prompt_tokens_reused']} / {with_reuse['prompt_tokens']} | "
            f"{cleared['prompt_tokens_reused']} / {cleared['prompt_tokens']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
