"""The study's results for a run of scripts/run_experiments.py: human ratings, automatic metrics, LLM judge.

The human table has one row per model x do_sample x temperature (x top-p):
the mean 0-5 score of each of the six criteria (adequacy, reliability,
usefulness, honesty, linguistic correctness, coherence), the number of
ratings and the inter-rater agreement (Krippendorff's alpha, interval metric)
where two or more raters scored the same answers. The automatic metrics per
config: verdict accuracy against the labels with the confusion matrix, the
Spearman correlation of the score with the human 0-10 scores, the share of
tool-like names in the advice found in neither CV nor job (hallucination),
advice telling the user to claim what they lack, sections covered, advice
length, tokens/s and time to first token (median, p90). An LLM judge's scores,
when there are any, come in a table of their own.

Examples:
  python scripts/evaluate.py --run runs/smollm2_pairs.jsonl
  python scripts/evaluate.py --run runs/smollm2_pairs.jsonl --format csv -o results.csv
  python scripts/evaluate.py --run runs/smollm2_pairs.jsonl --judge-model llama-2-7b-chat

Exit codes: 0 done; 2 bad input (one line on stderr saying what to do); 1 an
internal error; 130 interrupted (judge rows done so far are kept).
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
from app.pipeline import load_engine
from app.settings import add_flag, make_settings
from app.study.evaluation import evaluate
from app.study.evaluation_report import to_csv, to_markdown
from app.study.experiments import answered, read_rows, row_texts
from app.study.judge import JUDGE_MAX_TOKENS, judge_path_for, read_judged, run_judge
from app.study.ratings import RATINGS_FILE, load_ratings


def build_parser() -> argparse.ArgumentParser:
    parser = parser_from_doc("evaluate.py", __doc__)
    parser.add_argument("--run", required=True, type=Path, help="the JSONL run file of run_experiments.py")
    parser.add_argument(
        "--ratings", type=Path, help=f"the human ratings database (default: {RATINGS_FILE} next to the run file)"
    )
    parser.add_argument("--judge", type=Path, help="the LLM judge's file (default: <run>.judge.jsonl, if it exists)")
    parser.add_argument(
        "--judge-model", help="first score the run's answers with this model as the LLM judge (resumable)"
    )
    parser.add_argument("--judge-limit", type=int, help="judge only the first N answers of the run")
    add_flag(parser, "threads", note=" of the judge")
    add_flag(parser, "ctx", note=" of the judge")
    parser.add_argument("--format", choices=("md", "csv"), default="md", help="Markdown tables (default) or CSV")
    parser.add_argument("-o", "--output", type=Path, help="write the result to this file instead of stdout")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar while judging")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(lambda: _main(args), interrupted_hint=": the judge rows done so far are kept.")


def _main(args: argparse.Namespace) -> int:
    rows = read_rows(args.run)
    if not answered(rows):
        raise InputError(f"{args.run}: the run file has no answers yet; run scripts/run_experiments.py first.")
    texts = row_texts(answered(rows))
    judge_file = args.judge or judge_path_for(args.run)
    if args.judge_model:
        _run_judge(args, rows, texts, judge_file)
    ratings_file = args.ratings or args.run.parent / RATINGS_FILE
    if args.ratings is not None and not args.ratings.exists():
        raise InputError(f"{args.ratings}: no such ratings database; rate answers on the app's Evaluate page.")
    ratings = load_ratings(ratings_file, args.run)
    if args.judge is not None and not args.judge.exists():
        raise InputError(f"{args.judge}: no such judge file; make one with --judge-model NAME.")
    results = evaluate(str(args.run), rows, ratings, texts, read_judged(judge_file))
    text = to_markdown(results) if args.format == "md" else to_csv(results)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _run_judge(args: argparse.Namespace, rows: list[dict[str, Any]], texts: Any, judge_file: Path) -> None:
    if args.judge_limit is not None and args.judge_limit < 1:
        raise InputError("--judge-limit must be 1 or more.")
    settings = make_settings(model=args.judge_model, threads=args.threads, ctx=args.ctx, max_tokens=JUDGE_MAX_TOKENS)
    engine = load_engine(settings)
    chosen = answered(rows)[: args.judge_limit] if args.judge_limit else answered(rows)

    def progress(items: Iterable[Any], total: int) -> Iterator[Any]:
        return iter(tqdm(items, total=total, desc="judging", unit="answer", disable=args.no_progress))

    failures: list[str] = []

    def on_error(message: str) -> None:
        failures.append(message)
        tqdm.write(f"judge failed: {message}", file=sys.stderr)

    judged, skipped = run_judge(
        engine, engine.model.name, chosen, texts, judge_file, progress=progress, on_error=on_error
    )
    print(
        f"{judge_file}: judged {judged} answers with {engine.model.name}, {skipped} skipped (already judged), "
        f"{len(failures)} failed",
        file=sys.stderr,
    )


if __name__ == "__main__":
    sys.exit(main())
