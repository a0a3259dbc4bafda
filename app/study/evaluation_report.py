"""The study's results as a reader gets them: the Markdown report (tables and confusion matrix) and the CSV rows."""

from __future__ import annotations

import csv
import io
from typing import Any

from app.analysis.scoring import VERDICTS
from app.formatting import markdown_table
from app.study.evaluation import AGREEMENT_METHOD, CRITERION_LABELS, SECTION_COUNT, GroupKey, Results
from app.study.ratings import CRITERIA


def _number(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _decoding_cells(row: dict[str, Any]) -> list[str]:
    return [
        row["model"],
        str(row["do_sample"]),
        _number(row["temperature"]),
        _number(row["top_p"]),
    ]


def to_markdown(results: Results) -> str:
    decoding_headers = ["model", "do_sample", "temperature", "top_p"]
    criteria = [CRITERION_LABELS[name] for name in CRITERIA]
    parts = [
        f"# Experiment results: {results.run}",
        f"{results.rows} answers, {results.pairs} pairs, {len(results.human)} model x config rows"
        + (f", {len(results.failed)} failed (listed at the end)." if results.failed else "."),
        "## Human ratings (mean 0-5 per criterion)",
        f"Agreement: {AGREEMENT_METHOD} over the answers scored by two or more raters (the count in brackets); "
        "— where there are none.",
        markdown_table(
            [*decoding_headers, *criteria, "ratings", "answers rated", "raters", "agreement (α)"],
            [
                [
                    *_decoding_cells(row),
                    *(_number(row[name]) for name in CRITERIA),
                    str(row["n_ratings"]),
                    f"{row['n_answers_rated']}/{row['n_answers']}",
                    str(row["raters"]),
                    f"{_number(row['agreement_alpha'])} ({row['agreement_answers']})",
                ]
                for row in results.human
            ],
        ),
    ]
    if not any(row["n_ratings"] for row in results.human):
        parts.append("_No human ratings yet: rate the answers on the app's Evaluate page._")
    parts += [
        "## Automatic metrics",
        "Verdict accuracy against the labels (high → strong_fit, medium → partial_fit, low → not_a_fit); "
        "Spearman ρ of the score with human_score_of_10 (pairs that have one); hallucination: tool-like names "
        "in the advice found in neither CV nor job, of all tool-like names it uses; claim advice: answers (sentences) "
        f"telling the user to claim a missing must-have; sections covered of {SECTION_COUNT}; "
        "p90 by linear interpolation.",
        markdown_table(
            [
                *decoding_headers,
                "answers",
                "failed",
                "verdict accuracy",
                "Spearman ρ (n)",
                "hallucination",
                "claim advice",
                "sections",
                "words",
                "tok/s median",
                "tok/s p90",
                "TTFT s median",
                "TTFT s p90",
                "prompt reused",
            ],
            [
                [
                    *_decoding_cells(row),
                    str(row["rows"]),
                    str(row["failed"]),
                    f"{_percent(row['verdict_accuracy'])} ({row['verdict_correct']}/{row['rows']})",
                    f"{_number(row['spearman_score_vs_human'])} ({row['spearman_n']})",
                    f"{_percent(row['hallucination_share'])} ({row['unsupported_terms']}/{row['named_terms']})",
                    f"{row['claim_advice_answers']} ({row['claim_sentences']})",
                    _number(row["sections_covered_mean"], 1),
                    _number(row["advice_words_mean"], 0),
                    _number(row["tokens_per_s_median"], 1),
                    _number(row["tokens_per_s_p90"], 1),
                    _number(row["ttft_s_median"]),
                    _number(row["ttft_s_p90"]),
                    _percent(row["prompt_reuse_share"]),
                ]
                for row in results.automatic
            ],
        ),
    ]
    parts += [
        "## Grounded advice (automatic)",
        "Over the final advice the user reads: missing must-haves addressed (one of the job's terms for each is "
        "named), numbers found in neither the CV, the job nor the findings, runs of our prompt's instructions "
        f"echoed back, answers with all {SECTION_COUNT} sections, and of the sections the model wrote, the share "
        "that passed every check (the rest were replaced by the plan's text).",
        markdown_table(
            [
                *decoding_headers,
                "must-haves addressed",
                "invented numbers",
                "echoed instructions",
                "claim advice",
                "all sections",
                "model sections passed",
            ],
            [
                [
                    *_decoding_cells(row),
                    f"{_percent(row['must_haves_addressed_share'])} "
                    f"({row['must_haves_addressed']}/{row['missing_must_haves']})",
                    str(row["invented_numbers"]),
                    str(row["echoed_instructions"]),
                    f"{row['claim_advice_answers']} ({row['claim_sentences']})",
                    f"{row['all_sections_answers']}/{row['rows']}",
                    f"{_percent(row['model_sections_passed_share'])} "
                    f"({row['model_sections']}/{row['model_sections'] + row['plan_sections']})",
                ]
                for row in results.automatic
            ],
        ),
    ]
    parts += _confusion_markdown(results.automatic)
    if results.judge:
        parts += [
            "## LLM judge (automatic; not human ratings)",
            "Mean 0-5 per criterion as scored by a model through JSON-schema-constrained output. "
            "Kept apart from the human ratings above and never averaged with them.",
            markdown_table(
                ["judge", *decoding_headers, *criteria, "judged"],
                [
                    [
                        row["judge_model"],
                        *_decoding_cells(row),
                        *(_number(row[name]) for name in CRITERIA),
                        f"{row['n_judged']}/{row['n_answers']}",
                    ]
                    for row in results.judge
                ],
            ),
        ]
    if results.failed:
        parts += [
            "## Failed rows (no answer; run run_experiments.py again to retry them)",
            "\n".join(f"- {row['id']}: {row.get('error') or 'unknown error'}" for row in results.failed),
        ]
    return "\n\n".join(parts) + "\n"


def _confusion_markdown(automatic: list[dict[str, Any]]) -> list[str]:
    """One confusion matrix per distinct matrix (the verdict is deterministic, so configs usually share one)."""
    shared: dict[str, tuple[dict[str, dict[str, int]], list[str]]] = {}
    for row in automatic:
        matrix = row["confusion"]
        shared.setdefault(repr(matrix), (matrix, []))[1].append(f"{row['model']} {row['config']}")
    parts = []
    for matrix, names in shared.values():
        parts.append(f"### Verdict confusion matrix: {', '.join(names)}")
        parts.append(
            markdown_table(
                ["expected \\ got", *VERDICTS],
                [[expected, *(str(matrix[expected][got]) for got in VERDICTS)] for expected in VERDICTS],
            )
        )
    return parts


def csv_rows(results: Results) -> list[dict[str, Any]]:
    """One wide row per (model, config): the human table's columns, then automatic_*, then judge_* columns."""
    automatic = {(row["model"], row["config"]): row for row in results.automatic}
    judged: dict[GroupKey, list[dict[str, Any]]] = {}
    for row in results.judge:
        judged.setdefault((row["model"], row["config"]), []).append(row)
    out = []
    for human in results.human:
        key = (human["model"], human["config"])
        row = dict(human)
        auto = automatic.get(key, {})
        for name, value in auto.items():
            if name == "confusion":
                for expected in VERDICTS:
                    for got in VERDICTS:
                        row[f"auto_confusion_{expected}_as_{got}"] = value[expected][got]
            elif name not in row:
                row[f"auto_{name}"] = value
        for judge in judged.get(key, []):
            prefix = f"judge[{judge['judge_model']}]_"
            for name in (*CRITERIA, "n_judged"):
                row[prefix + name] = judge[name]
        out.append(row)
    return out


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    return round(value, 4) if isinstance(value, float) else value


def to_csv(results: Results) -> str:
    rows = csv_rows(results)
    headers = list(dict.fromkeys(name for row in rows for name in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=headers, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: _csv_value(row.get(name)) for name in headers})
    return buffer.getvalue()
