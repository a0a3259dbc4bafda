"""Measure the deterministic analysis against labelled CV/job pairs.

--pairs FILE: a pairs file (the format of ../shared/data/pairs.json: a "pairs"
list of {id, lang, cv, job, label, ...} with paths relative to the file). Prints
the verdict agreement with the labels (high -> strong_fit, medium ->
partial_fit, low -> not_a_fit), the confusion matrix, and the pairs it got wrong.

--field-pairs FILE: pairs labelled same field of work or not (the format of
tests/field_pairs.json: {id, lang, cv, job, field: "same" | "cross"}). Prints,
per language, the AUC of the score between same-field and cross-field pairs
(the chance that a same-field pair outscores a cross-field one; target >= 0.85),
the share of cross-field pairs judged not_a_fit (target >= 95 %) and the
verdicts of the same-field pairs.

--half tune|check measures one half of every file (pairs split by a hash of
their id): the score was tuned on the "tune" half, "check" is the other.

    python scripts/check_analysis.py --pairs ../shared/data/pairs.json
    python scripts/check_analysis.py --pairs ../shared/data/pairs.json --field-pairs tests/field_pairs.json
    python scripts/check_analysis.py --field-pairs tests/field_pairs.json --half check -v
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from tqdm import tqdm

from app.analysis.documents import read_document
from app.analysis.scoring import VERDICTS, Analysis, analyze
from app.cli import parser_from_doc, run
from app.study.pairs import LABEL_TO_VERDICT, load_field_pairs, load_pairs

AUC_TARGET, CROSS_NOT_A_FIT_TARGET = 0.85, 0.95


def in_half(pair_id: str, half: str) -> bool:
    """Whether a pair belongs to the half asked for: "tune" (even hash of its id), "check" (odd) or "all"."""
    if half == "all":
        return True
    parity = int(hashlib.sha1(pair_id.encode("utf-8")).hexdigest(), 16) % 2
    return parity == (0 if half == "tune" else 1)


def auc(positives: list[float], negatives: list[float]) -> float | None:
    """The chance that a positive outscores a negative (ties count half); None without both."""
    if not positives or not negatives:
        return None
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


@lru_cache(maxsize=512)
def _text(path: Path) -> str:
    return read_document(path).text


def _analyze(cv_path: Path, job_path: Path) -> Analysis:
    return analyze(_text(cv_path), _text(job_path))


def check_verdicts(path: Path, half: str) -> dict[str, Any]:
    """Verdict agreement with the high/medium/low labels of a pairs file."""
    pairs = [pair for pair in load_pairs(path) if in_half(pair.id, half)]
    rows: list[dict[str, Any]] = []
    for pair in tqdm(pairs, desc="labelled pairs", unit="pair", leave=False, disable=None):
        analysis = _analyze(pair.cv_path, pair.job_path)
        rows.append(
            {
                "id": pair.id,
                "lang": pair.lang,
                "label": pair.label,
                "expected": LABEL_TO_VERDICT[pair.label],
                "verdict": analysis.verdict,
                "score": analysis.score,
            }
        )
    confusion: dict[str, dict[str, int]] = {e: dict.fromkeys(VERDICTS, 0) for e in VERDICTS}
    for row in rows:
        confusion[row["expected"]][row["verdict"]] += 1
    agree = sum(row["expected"] == row["verdict"] for row in rows)
    return {"pairs": len(rows), "agreement": agree / len(rows) if rows else 0.0, "confusion": confusion, "rows": rows}


def check_fields(path: Path, half: str) -> dict[str, Any]:
    """AUC and cross-field not_a_fit rate, per language, on a same/cross-field pairs file."""
    pairs = [pair for pair in load_field_pairs(path) if in_half(pair.id, half)]
    rows: list[dict[str, Any]] = []
    for pair in tqdm(pairs, desc="field pairs", unit="pair", leave=False, disable=None):
        analysis = _analyze(pair.cv_path, pair.job_path)
        rows.append(
            {
                "id": pair.id,
                "lang": pair.lang,
                "field": pair.field,
                "verdict": analysis.verdict,
                "score": analysis.score,
            }
        )
    languages: dict[str, Any] = {}
    for language in sorted({row["lang"] for row in rows}):
        same = [row for row in rows if row["lang"] == language and row["field"] == "same"]
        cross = [row for row in rows if row["lang"] == language and row["field"] == "cross"]
        languages[language] = {
            "same": len(same),
            "cross": len(cross),
            "auc": auc([row["score"] for row in same], [row["score"] for row in cross]),
            "cross_not_a_fit": sum(row["verdict"] == "not_a_fit" for row in cross) / len(cross) if cross else None,
            "same_verdicts": {v: sum(row["verdict"] == v for row in same) for v in VERDICTS},
        }
    return {"languages": languages, "rows": rows}


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def print_verdicts(result: dict[str, Any], verbose: bool) -> None:
    rows = result["rows"]
    agree = sum(row["expected"] == row["verdict"] for row in rows)
    print(f"verdict agreement: {agree}/{len(rows)} = {agree / len(rows):.0%}" if rows else "no pairs")
    print("\n| expected \\ got | " + " | ".join(VERDICTS) + " |\n|---|" + "---|" * len(VERDICTS))
    for expected in VERDICTS:
        print(f"| {expected} | " + " | ".join(str(result["confusion"][expected][v]) for v in VERDICTS) + " |")
    print()
    for row in rows:
        if verbose or row["expected"] != row["verdict"]:
            mark = "ok " if row["expected"] == row["verdict"] else "MISS"
            print(f"{mark} {row['id']:55} label={row['label']:6} got={row['verdict']:11} score={row['score']}")


def print_fields(result: dict[str, Any], verbose: bool) -> None:
    print(
        f"\n| language | same-field | cross-field | score AUC (>= {AUC_TARGET}) "
        f"| cross-field not_a_fit (>= {CROSS_NOT_A_FIT_TARGET:.0%}) | same-field strong / partial / not |"
    )
    print("|---|---|---|---|---|---|")
    for language, figures in result["languages"].items():
        verdicts = figures["same_verdicts"]
        auc_text = "n/a" if figures["auc"] is None else f"{figures['auc']:.3f}"
        print(
            f"| {language} | {figures['same']} | {figures['cross']} | {auc_text} | "
            f"{_percent(figures['cross_not_a_fit'])} | "
            f"{verdicts['strong_fit']} / {verdicts['partial_fit']} / {verdicts['not_a_fit']} |"
        )
    print()
    for row in sorted(result["rows"], key=lambda row: (row["lang"], row["field"], row["score"])):
        wrong = row["field"] == "cross" and row["verdict"] != "not_a_fit"
        if verbose or wrong:
            mark = "MISS" if wrong else "    "
            print(f"{mark} {row['lang']} {row['field']:5} score={row['score']:3} {row['verdict']:11} {row['id']}")


def main(argv: list[str] | None = None) -> int:
    parser = parser_from_doc("check_analysis.py", __doc__)
    parser.add_argument("--pairs", type=Path, help="pairs JSON file with high/medium/low labels")
    parser.add_argument("--field-pairs", type=Path, help="pairs JSON file with same/cross field labels")
    parser.add_argument(
        "--half", choices=("all", "tune", "check"), default="all", help="measure one half of the pairs (default: all)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the tables")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every pair, not only the misses")
    args = parser.parse_args(argv)
    if args.pairs is None and args.field_pairs is None:
        parser.error("give --pairs FILE, --field-pairs FILE or both")

    def body() -> int:
        verdicts = check_verdicts(args.pairs, args.half) if args.pairs else None
        fields = check_fields(args.field_pairs, args.half) if args.field_pairs else None
        if args.json:
            report: dict[str, Any] = {"half": args.half, **(verdicts or {})}
            if fields is not None:
                report["field"] = fields
            print(json.dumps(report, ensure_ascii=False, indent=2))
            return 0
        if verdicts is not None:
            print_verdicts(verdicts, args.verbose)
        if fields is not None:
            print_fields(fields, args.verbose)
        return 0

    return run(body)


if __name__ == "__main__":
    sys.exit(main())
