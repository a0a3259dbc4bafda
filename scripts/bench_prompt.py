"""Prompt tokens and time to first token of the advice prompt, before and after the plan, side by side.

"Before" is the prompt of an earlier commit (the CV, the job and the findings,
read from git with that commit's templates); "after" is today's first prompt,
section by section (the default) and whole. All three run on one loaded model
from an empty KV cache, taking turns for -r repetitions after an untimed
warm-up (the shortest prompt), so drift of a shared machine hits them alike. Time to first token is
what a user waits before the first word of advice: prompt evaluation plus one
token.

    python scripts/bench_prompt.py                  # the example pair, Markdown table
    python scripts/bench_prompt.py -r 7 --json      # with the raw samples
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from app.analysis.documents import read_document
from app.analysis.scoring import analyze
from app.cli import parser_from_doc, run
from app.errors import InputError
from app.llm.baseline import measured_run
from app.llm.engine import Engine
from app.llm.prompting import answer_start, render_findings
from app.pipeline import build_advice_prompt, decoding_for, load_engine
from app.settings import Settings, make_settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "app" / "examples"
# The last commit before the advice plan (issue 11): its prompt sent the CV, the job and the findings.
BEFORE_REF = "93f00ea"


def git_show(ref: str, path: str) -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{ref}:{path}"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise InputError(
            f"cannot read {path} at {ref} from git ({error}); run from a git clone, or pass --before-ref."
        ) from None


def before_prompt(engine: Engine, ref: str, cv_text: str, job_text: str) -> str:
    """The advice prompt as the commit `ref` built it: its templates around the CV, the job and the findings."""
    analysis = analyze(cv_text, job_text)
    language = analysis.language
    system = git_show(ref, f"prompts/system_{language}.txt").strip()
    user = git_show(ref, f"prompts/user_{language}.txt").format(
        cv=cv_text, job=job_text, findings=render_findings(analysis)
    )
    text, _ = engine.render([{"role": "system", "content": system}, {"role": "user", "content": user}])
    return text + answer_start(analysis)


def measure(engine: Engine, prompts: dict[str, str], settings: Settings, repetitions: int) -> dict[str, Any]:
    decoding = decoding_for(settings)

    def once(prompt: str) -> dict[str, float]:
        metrics = measured_run(engine, prompt, decoding=decoding, max_tokens=1)
        return {"ttft_s": metrics.ttft_s or 0.0, "prompt_tokens_per_s": metrics.prompt_tokens_per_s or 0.0}

    once(min(prompts.values(), key=len))  # untimed warm-up: pages the weights in, fills the caches
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in prompts}
    for _ in range(repetitions):
        for name, prompt in prompts.items():  # taking turns
            samples[name].append(once(prompt))
    results = {}
    for name, prompt in prompts.items():
        ttfts = [sample["ttft_s"] for sample in samples[name]]
        results[name] = {
            "prompt_tokens": len(engine.tokenize(prompt)),
            "ttft_s_median": statistics.median(ttfts),
            "ttft_s_sd": statistics.stdev(ttfts) if len(ttfts) > 1 else 0.0,
            "prompt_tokens_per_s_median": statistics.median(s["prompt_tokens_per_s"] for s in samples[name]),
            "samples": samples[name],
        }
    return results


def markdown(results: dict[str, Any], settings: Settings, repetitions: int) -> str:
    before = results["before"]
    lines = [
        f"Model {settings.model}, {settings.threads} thread(s), {repetitions} repetitions from an empty cache "
        "(median ± sd), taking turns.",
        "",
        "| prompt | tokens evaluated before the first word | time to first token | vs before |",
        "|---|---|---|---|",
    ]
    for name, row in results.items():
        ratio = row["ttft_s_median"] / before["ttft_s_median"] if before["ttft_s_median"] else float("nan")
        lines.append(
            f"| {name} | {row['prompt_tokens']} | {row['ttft_s_median']:.3f} ± {row['ttft_s_sd']:.3f} s "
            f"| {ratio:.2f}× |"
        )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = parser_from_doc("bench_prompt.py", __doc__)
    parser.add_argument("--cv", type=Path, default=EXAMPLES / "example_cv.txt", help="the CV (default: the example)")
    parser.add_argument("--job", type=Path, default=EXAMPLES / "example_job.txt", help="the job (default: the example)")
    parser.add_argument("--model", help="catalog name or .gguf path (default: the embedded SmolLM2-135M)")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (default 2)")
    parser.add_argument("-r", "--repetitions", type=int, default=5, help="timed runs of each prompt (default 5)")
    parser.add_argument("--before-ref", default=BEFORE_REF, help=f"git commit of the 'before' prompt ({BEFORE_REF})")
    parser.add_argument("--json", action="store_true", help="print JSON with the raw samples")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(lambda: _bench(args))


def _bench(args: argparse.Namespace) -> int:
    if args.repetitions < 1:
        raise InputError("--repetitions must be at least 1.")
    settings = make_settings(model=args.model, threads=args.threads)
    cv, job = read_document(args.cv), read_document(args.job)
    engine = load_engine(settings)
    analysis = analyze(cv.text, job.text)
    prompts = {
        "before": before_prompt(engine, args.before_ref, cv.text, job.text),
        "after (by section, first section)": build_advice_prompt(engine, analysis, cv.text, job.text, settings).text,
        "after (whole)": build_advice_prompt(
            engine, analysis, cv.text, job.text, settings.model_copy(update={"advice_mode": "whole"})
        ).text,
    }
    results = measure(engine, prompts, settings, args.repetitions)
    if args.json:
        print(json.dumps({"settings": settings.model_dump(), "results": results}, indent=2))
    else:
        print(markdown(results, settings, args.repetitions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
