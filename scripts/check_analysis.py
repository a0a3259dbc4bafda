"""Measure the deterministic analysis against labelled CV/job pairs.

Reads a pairs file (the format of ../shared/data/pairs.json: a "pairs" list of
{id, lang, cv, job, label, ...} with paths relative to the file), runs the
analysis on every pair (no model) and prints the verdict agreement with the
labels (high -> strong_fit, medium -> partial_fit, low -> not_a_fit), the
confusion matrix, and the pairs it got wrong.

    python scripts/check_analysis.py --pairs ../shared/data/pairs.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.analysis.documents import read_document
from app.analysis.scoring import analyze
from app.errors import CVEnhancerError
from app.study.pairs import LABEL_TO_VERDICT, load_pairs

VERDICTS = ("strong_fit", "partial_fit", "not_a_fit")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", required=True, type=Path, help="pairs JSON file (paths inside relative to it)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every pair, not only the misses")
    args = parser.parse_args(argv)
    try:
        pairs = load_pairs(args.pairs)
        rows = []
        for pair in pairs:
            analysis = analyze(read_document(pair.cv_path).text, read_document(pair.job_path).text)
            rows.append(
                {
                    "id": pair.id,
                    "label": pair.label,
                    "expected": LABEL_TO_VERDICT[pair.label],
                    "verdict": analysis.verdict,
                    "score": analysis.score,
                }
            )
    except CVEnhancerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    agree = sum(row["expected"] == row["verdict"] for row in rows)
    confusion = {e: {v: 0 for v in VERDICTS} for e in VERDICTS}
    for row in rows:
        confusion[str(row["expected"])][str(row["verdict"])] += 1
    if args.json:
        print(
            json.dumps(
                {
                    "pairs": len(rows),
                    "agreement": agree / len(rows) if rows else 0.0,
                    "confusion": confusion,
                    "rows": rows,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(f"verdict agreement: {agree}/{len(rows)} = {agree / len(rows):.0%}" if rows else "no pairs")
    print("\n| expected \\ got | " + " | ".join(VERDICTS) + " |\n|---|" + "---|" * len(VERDICTS))
    for expected in VERDICTS:
        print(f"| {expected} | " + " | ".join(str(confusion[expected][v]) for v in VERDICTS) + " |")
    print()
    for row in rows:
        if args.verbose or row["expected"] != row["verdict"]:
            mark = "ok " if row["expected"] == row["verdict"] else "MISS"
            print(f"{mark} {row['id']:55} label={row['label']:6} got={row['verdict']:11} score={row['score']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
