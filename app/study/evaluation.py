"""The study's results from a run: the human-ratings table, automatic metrics, the LLM judge's table.

Pure functions over run rows (app.study.experiments), ratings (app.study.ratings) and
judge rows (app.study.judge); no model and no files. Every table has one row per
(model, config), i.e. per model x do_sample x temperature (x top-p), in the
run's order. Human ratings and LLM-judge scores are kept in separate tables
and never averaged together. app.study.evaluation_report writes the results as
Markdown and CSV.

Definitions:
- agreement: Krippendorff's alpha with the interval metric, over the
  (answer, criterion) scores of the answers that two or more raters scored;
  None where no answer has two raters or the scores do not vary at all.
- verdict accuracy: the report's verdict against the pair's label
  (high -> strong_fit, medium -> partial_fit, low -> not_a_fit).
- Spearman: rank correlation (average ranks for ties) of the report's score
  with human_score_of_10, over the pairs that have one.
- hallucination share: tool-like names in the advice (PyTorch, AWS, C++...;
  app.llm.advice_checks) found in neither the CV nor the job, over all tool-like
  names the advice uses, summed over the config's answers.
- claim advice: sentences telling the person to put on the CV a missing
  must-have (app.llm.advice_checks.claim_advice).
- sections covered: how many of the advice's seven headed parts ("1. Match"
  ... "7. Next steps", or the Russian headings) appear.
- must-haves addressed: of the analysis's missing must-haves (a location
  aside), those the final advice names by one of the job's own terms (the
  plan's "learn" action for it, app.llm.advice_checks.left_out_actions); one
  the plan has no "learn" action for counts as not addressed.
- invented numbers: numbers in the final advice found in neither the CV, the
  job nor the findings and plan (the score only where stated as the score).
- echoed instructions: runs of five or more words of our prompt templates.
- model sections passed: of the sections in the report (advice_sources), the
  share the model wrote and that passed every check.
- p90: numpy's linear-interpolation percentile (app.study.stats).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.analysis.plan_builder import build_plan
from app.analysis.scoring import VERDICTS, Analysis, analyze
from app.llm.advice_checks import (
    claim_advice,
    echoed_instructions,
    invented_numbers,
    left_out_actions,
    unsupported_terms,
)
from app.llm.prompting import all_instructions, plan_prompt_text
from app.study.experiments import answered, decoding_of
from app.study.pairs import LABEL_TO_VERDICT
from app.study.ratings import CRITERIA
from app.study.stats import krippendorff_alpha_interval, mean, median, percentile, spearman

AGREEMENT_METHOD = "Krippendorff's alpha (interval metric)"
CRITERION_LABELS = {
    "adequacy": "adequacy",
    "reliability": "reliability",
    "usefulness": "usefulness",
    "honesty": "honesty",
    "linguistic_correctness": "linguistic correctness",
    "coherence": "coherence",
}
# The seven headed parts the prompt asks for (prompts/user_*.txt), English and Russian.
_SECTION_NAMES: tuple[tuple[str, str], ...] = (
    (r"match", r"соответствие"),
    (r"(?:work\s+)?experience", r"опыт(?:\s+работы)?"),
    (r"education", r"образование"),
    (r"(?:hard|technical)\s+skills", r"профессиональные\s+навыки"),
    (r"soft\s+skills", r"личные\s+качества"),
    (r"missing\s+sections", r"недостающие\s+разделы"),
    (r"next\s+steps", r"следующие\s+шаги"),
)
# A heading: "2. Experience" (numbered), or "Experience:" / "**Experience**" alone on its line.
_SECTION_PATTERNS = tuple(
    re.compile(
        rf"(?im)^[\s#>*_-]*(?:{number}\s*[.)]\s*[*_]*\s*(?:{english}|{russian})(?![\w])"
        rf"|[*_]*(?:{english}|{russian})[*_]*\s*(?::|$))"
    )
    for number, (english, russian) in enumerate(_SECTION_NAMES, 1)
)
SECTION_COUNT = len(_SECTION_NAMES)

GroupKey = tuple[str, str]  # (model, config)


# --- checks of one answer ------------------------------------------------------------------


def sections_covered(advice: str) -> int:
    """How many of the seven headed parts ("1. Match" ... "7. Next steps", or Russian) the advice has."""
    return sum(1 for pattern in _SECTION_PATTERNS if pattern.search(advice))


def advice_words(advice: str) -> int:
    return len(advice.split())


def named_terms(advice: str) -> list[str]:
    """Every tool-like name the advice uses (unsupported_terms against empty documents)."""
    return unsupported_terms(advice, "", "")


@dataclass(frozen=True)
class AnswerChecks:
    named_terms: list[str]
    unsupported_terms: list[str]
    claim_sentences: list[str]
    sections: int
    words: int
    missing_must_haves: int = 0
    must_haves_addressed: int = 0
    invented_numbers: list[str] = field(default_factory=list)
    echoed_instructions: list[str] = field(default_factory=list)


def check_answer(advice: str, cv_text: str, job_text: str, analysis: Analysis | None = None) -> AnswerChecks:
    """The automatic checks of one final answer (what the user reads), against the documents and the plan."""
    analysis = analysis or analyze(cv_text, job_text)
    plan = build_plan(analysis, cv_text)
    # Counted from the analysis, not the plan, so a must-have the plan dropped counts as not addressed.
    # Addressed = its "learn" action covered: one of the job's terms for it named (a location is not learnt).
    missing = [match for match in analysis.missing_must_haves if match.requirement.kind != "location"]
    learn = {action.requirement: action for action in plan.actions if action.kind == "learn" and action.priority == 1}
    addressed = sum(
        1
        for match in missing
        if match.requirement.text in learn and not left_out_actions(advice, [learn[match.requirement.text]])
    )
    grounded = plan_prompt_text(plan)
    return AnswerChecks(
        named_terms=named_terms(advice),
        unsupported_terms=unsupported_terms(advice, cv_text, job_text),
        claim_sentences=claim_advice(advice, analysis),
        sections=sections_covered(advice),
        words=advice_words(advice),
        missing_must_haves=len(missing),
        must_haves_addressed=addressed,
        invented_numbers=invented_numbers(advice, cv_text, job_text, grounded, score=analysis.score),
        echoed_instructions=echoed_instructions(advice, all_instructions(), grounded),
    )


# --- grouping ------------------------------------------------------------------------------


def group_key(row: dict[str, Any]) -> GroupKey:
    return (row["model"], row["config"])


def groups(rows: Iterable[dict[str, Any]]) -> dict[GroupKey, list[dict[str, Any]]]:
    """Rows by (model, config), in the run's order of first appearance."""
    grouped: dict[GroupKey, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(group_key(row), []).append(row)
    return grouped


def _key_columns(key: GroupKey) -> dict[str, Any]:
    model, config = key
    decoding = decoding_of({"config": config})
    return {
        "model": model,
        "config": config,
        "do_sample": decoding["do_sample"],
        "temperature": decoding["temperature"],
        "top_p": decoding["top_p"],
    }


# --- the tables ----------------------------------------------------------------------------


def human_table(rows: list[dict[str, Any]], ratings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The study table: per (model, config) the mean of each criterion, the counts and the agreement."""
    by_row: dict[str, list[dict[str, Any]]] = {}
    for rating in ratings:
        by_row.setdefault(rating["row_id"], []).append(rating)
    table = []
    for key, group in groups(rows).items():
        members = answered(group)
        scored = [rating for row in members for rating in by_row.get(row["id"], [])]
        multi = [by_row[row["id"]] for row in members if len({r["rater"] for r in by_row.get(row["id"], [])}) >= 2]
        units = [[rating[name] for rating in answer] for answer in multi for name in CRITERIA]
        table.append(
            {
                **_key_columns(key),
                **{name: mean(rating[name] for rating in scored) for name in CRITERIA},
                "n_ratings": len(scored),
                "n_answers": len(members),
                "n_answers_rated": len({rating["row_id"] for rating in scored}),
                "raters": len({rating["rater"] for rating in scored}),
                "agreement_alpha": krippendorff_alpha_interval(units),
                "agreement_answers": len(multi),
            }
        )
    return table


def confusion_matrix(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """expected verdict (from the label) -> the report's verdict -> count."""
    matrix: dict[str, dict[str, int]] = {expected: dict.fromkeys(VERDICTS, 0) for expected in VERDICTS}
    for row in rows:
        matrix[LABEL_TO_VERDICT[row["label"]]][row["report"]["verdict"]] += 1
    return matrix


def automatic_table(rows: list[dict[str, Any]], texts: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    """The automatic metrics per (model, config); `texts` maps pair_id -> (CV text, job text)."""
    analyses: dict[str, Analysis] = {}
    table = []
    for key, group in groups(rows).items():
        members = answered(group)
        checks = []
        for row in members:
            cv_text, job_text = texts[row["pair_id"]]
            if row["pair_id"] not in analyses:
                analyses[row["pair_id"]] = analyze(cv_text, job_text)
            checks.append(check_answer(row["report"].get("advice", ""), cv_text, job_text, analyses[row["pair_id"]]))
        correct = sum(LABEL_TO_VERDICT[row["label"]] == row["report"]["verdict"] for row in members)
        with_human = [row for row in members if row.get("human_score_of_10") is not None]
        named = sum(len(check.named_terms) for check in checks)
        unsupported = sum(len(check.unsupported_terms) for check in checks)
        metrics = [row["report"].get("metrics", {}) for row in members]
        prompt_tokens = sum(m.get("prompt_tokens") or 0 for m in metrics)
        table.append(
            {
                **_key_columns(key),
                "rows": len(members),
                "failed": len(group) - len(members),
                "verdict_correct": correct,
                "verdict_accuracy": correct / len(members) if members else None,
                "confusion": confusion_matrix(members),
                "spearman_score_vs_human": spearman(
                    [row["report"]["score"] for row in with_human], [row["human_score_of_10"] for row in with_human]
                ),
                "spearman_n": len(with_human),
                "named_terms": named,
                "unsupported_terms": unsupported,
                "hallucination_share": unsupported / named if named else None,
                "claim_advice_answers": sum(1 for check in checks if check.claim_sentences),
                "missing_must_haves": sum(check.missing_must_haves for check in checks),
                "must_haves_addressed": sum(check.must_haves_addressed for check in checks),
                "must_haves_addressed_share": _share(
                    sum(check.must_haves_addressed for check in checks),
                    sum(check.missing_must_haves for check in checks),
                ),
                "invented_numbers": sum(len(check.invented_numbers) for check in checks),
                "echoed_instructions": sum(len(check.echoed_instructions) for check in checks),
                "all_sections_answers": sum(1 for check in checks if check.sections == SECTION_COUNT),
                "model_sections": sum(_sources(row)["model"] for row in members),
                "plan_sections": sum(_sources(row)["plan"] for row in members),
                "model_sections_passed_share": _share(
                    sum(_sources(row)["model"] for row in members),
                    sum(_sources(row)["model"] + _sources(row)["plan"] for row in members),
                ),
                "claim_sentences": sum(len(check.claim_sentences) for check in checks),
                "sections_covered_mean": mean(check.sections for check in checks),
                "advice_words_mean": mean(check.words for check in checks),
                "tokens_per_s_median": median(m.get("gen_tokens_per_s") for m in metrics),
                "tokens_per_s_p90": percentile((m.get("gen_tokens_per_s") for m in metrics), 90),
                "ttft_s_median": median(m.get("ttft_s") for m in metrics),
                "ttft_s_p90": percentile((m.get("ttft_s") for m in metrics), 90),
                "prompt_reuse_share": sum(m.get("prompt_tokens_reused") or 0 for m in metrics) / prompt_tokens
                if prompt_tokens
                else None,
            }
        )
    return table


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _sources(row: dict[str, Any]) -> dict[str, int]:
    """Sections the model wrote that passed the checks, and sections replaced by the plan (0, 0 in older runs)."""
    sources = row["report"].get("advice_sources") or {}
    return {"model": int(sources.get("model", 0)), "plan": int(sources.get("plan", 0))}


def judge_table(rows: list[dict[str, Any]], judged: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The LLM judge's means per (judge model, model, config): its own table, never mixed with human ratings."""
    by_row = {row["id"]: row for row in rows}
    judges = list(dict.fromkeys(item["judge_model"] for item in judged))
    table = []
    for judge in judges:
        scores: dict[str, list[dict[str, Any]]] = {}
        for item in judged:
            if item["judge_model"] == judge and item["id"] in by_row:
                scores.setdefault(item["id"], []).append(item["scores"])
        for key, group in groups(rows).items():
            members = answered(group)
            answers = [score for row in members for score in scores.get(row["id"], [])]
            if not answers:
                continue
            table.append(
                {
                    "judge_model": judge,
                    **_key_columns(key),
                    **{name: mean(score[name] for score in answers) for name in CRITERIA},
                    "n_judged": len(answers),
                    "n_answers": len(members),
                }
            )
    return table


@dataclass
class Results:
    run: str
    rows: int  # answers (rows with a report)
    pairs: int
    human: list[dict[str, Any]]
    automatic: list[dict[str, Any]]
    judge: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)  # rows without a report, with their error


def evaluate(
    run: str,
    rows: list[dict[str, Any]],
    ratings: list[dict[str, Any]],
    texts: dict[str, tuple[str, str]],
    judged: list[dict[str, Any]] | None = None,
) -> Results:
    return Results(
        run=run,
        rows=len(answered(rows)),
        failed=[row for row in rows if row.get("report") is None],
        pairs=len({row["pair_id"] for row in rows}),
        human=human_table(rows, ratings),
        automatic=automatic_table(rows, texts),
        judge=judge_table(rows, judged or []),
    )
