"""Measure requirement extraction against hand-made gold lists: recall, precision, must/nice agreement.

A gold file is a JSON list of {"job": "path/relative/to/the/gold/file.txt",
"requirements": [{"text": "...", "must": true}]}, every text a literal span of
the posting. An extracted requirement matches a gold one when their words
overlap by at least 60 % of the shorter. Recall is the share of gold items
found, precision the share of extracted items that match a gold one, must/nice
agreement the share of found gold items whose best match has the same must.
An entry may list "boilerplate" spans (pay, benefits, equal-opportunity,
how-to-apply sentences): the "boilerplate" column counts extracted requirements
that are one of them (the target is 0). The job's title ("Role: ...") and
location are not scored. Printed per posting and overall (all postings pooled).

Examples:
  python scripts/check_requirements.py --gold tests/gold/real_dev.json
  python scripts/check_requirements.py --gold tests/gold/real_dev.json --gold tests/gold/real_formats.json -v
  python scripts/check_requirements.py --gold tests/gold/pairs_en.json --json

Exit codes: 0 done; 2 bad input (one line on stderr saying what to do); 1 an internal error.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.cli import parser_from_doc, run
from app.study.requirement_gold import PostingScore, load_gold, overall, score_posting


def build_parser() -> argparse.ArgumentParser:
    parser = parser_from_doc("check_requirements.py", __doc__)
    parser.add_argument(
        "--gold", required=True, type=Path, action="append", help="gold JSON file (repeat to pool several)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="list missed gold items, spurious extractions, must/nice misses"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(lambda: _main(args))


def _main(args: argparse.Namespace) -> int:
    scores: list[PostingScore] = []
    for gold_file in args.gold:
        for posting in load_gold(gold_file):
            label = str(posting.job_path.relative_to(posting.job_path.parents[1]))
            scores.append(score_posting(posting, label=label))
    total = overall(scores)
    if args.json:
        rows = [_as_dict(score) for score in scores]
        print(json.dumps({"postings": rows, "overall": _as_dict(total)}, ensure_ascii=False, indent=2))
        return 0
    print("| posting | gold | extracted | recall | precision | must/nice | boilerplate |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for score in [*scores, total]:
        name = f"**{score.job}**" if score is total else score.job
        print(
            f"| {name} | {score.gold} | {score.extracted} | {score.recall:.2f} | {score.precision:.2f} "
            f"| {score.must_agreement:.2f} | {len(score.boilerplate_extracted)}/{score.boilerplate} |"
        )
    if args.verbose:
        for score in scores:
            lines = (
                [f"  missed: {text}" for text in score.missed]
                + [f"  spurious: {text}" for text in score.spurious]
                + [f"  must/nice: {text}" for text in score.must_disagree]
                + [f"  boilerplate: {text}" for text in score.boilerplate_extracted]
            )
            if lines:
                print(f"\n{score.job}")
                print("\n".join(lines))
    return 0


def _as_dict(score: PostingScore) -> dict[str, object]:
    return {
        "job": score.job,
        "gold": score.gold,
        "extracted": score.extracted,
        "recall": round(score.recall, 4),
        "precision": round(score.precision, 4),
        "must_agreement": round(score.must_agreement, 4),
        "missed": score.missed,
        "spurious": score.spurious,
        "must_disagree": score.must_disagree,
        "boilerplate": score.boilerplate,
        "boilerplate_extracted": score.boilerplate_extracted,
    }


if __name__ == "__main__":
    raise SystemExit(main())
