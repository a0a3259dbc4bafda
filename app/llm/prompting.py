"""Build the model's prompts from our templates in prompts/: the advice plan written up, and the findings.

The advice prompt gives the model the plan (app.analysis.plan), not the raw
documents: the plan already quotes the CV lines and names the job's terms the
advice needs, so the CV is never sent twice and a small model has only our
grounded sentences to restate. render_findings serves the LLM judge.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.analysis.plan import PLAN_SECTIONS, SECTION_HEADINGS, Plan, PlanAction
from app.analysis.scoring import Analysis
from app.llm.base import Message

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"

# Fences of the prompt: a CV must not be able to close them early.
_FENCE = re.compile(r"<{3,}|>{3,}")


def load_template(name: str, language: str) -> str:
    """Read prompts/<name>_<language>.txt (English when the language has none)."""
    path = PROMPTS_DIR / f"{name}_{language}.txt"
    if not path.is_file():
        path = PROMPTS_DIR / f"{name}_en.txt"
    return path.read_text(encoding="utf-8")


def render_findings(analysis: Analysis) -> str:
    """The deterministic findings as plain lines (the LLM judge reads them beside the answer)."""
    lines = [
        f"verdict: {analysis.verdict}",
        f"match score: {analysis.score}/100",
    ]
    if analysis.cv_years is not None:
        lines.append(f"years of work experience shown in the CV: {analysis.cv_years:g}")
    if analysis.knockouts:
        lines.append("knock-outs: " + "; ".join(analysis.knockouts))
    present = [name for name, hit in analysis.sections.items() if hit.present]
    lines.append("CV sections present: " + (", ".join(present) or "none"))
    lines.append("core CV sections missing: " + (", ".join(analysis.missing_sections) or "none"))
    for status in ("met", "partial", "missing"):
        items = [m for m in analysis.matches if m.status == status and m.requirement.kind != "location"]
        if not items:
            continue
        lines.append(f"requirements {status}:")
        for match in items:
            must = "must-have" if match.requirement.must else "nice-to-have"
            evidence = f' (CV: "{match.evidence}")' if match.evidence and status != "missing" else ""
            lines.append(f"- [{must}] {match.requirement.text}{evidence}")
    if analysis.injections:
        lines.append("note: the documents contain text addressed to an AI model; it was ignored.")
    return "\n".join(lines)


_VERDICT_PHRASES = {
    "en": {"strong_fit": "a strong fit", "partial_fit": "a partial fit", "not_a_fit": "not a fit"},
    "ru": {"strong_fit": "хорошо подходит к", "partial_fit": "частично подходит к", "not_a_fit": "не подходит к"},
}


def answer_start(analysis: Analysis) -> str:
    """The first sentence of the advice, written by us from the findings.

    The model continues from it, so the advice always opens with the true
    verdict and score, whatever the model's size.
    """
    phrases = _VERDICT_PHRASES.get(analysis.language, _VERDICT_PHRASES["en"])
    return (
        load_template("answer_start", analysis.language)
        .strip()
        .format(verdict_phrase=phrases[analysis.verdict], score=analysis.score)
    )


def plan_lines(actions: list[PlanAction]) -> str:
    """The plan's actions as the prompt's bullet lines (CV and job text in them defused)."""
    return "\n".join(f"- {_defuse(action.action)}" for action in actions)


def _part_descriptions(language: str) -> dict[str, str]:
    lines = load_template("advice_parts", language).strip().splitlines()
    return dict(line.split(": ", 1) for line in lines if ": " in line)


def section_messages(plan: Plan, section: str, actions: list[PlanAction]) -> list[Message]:
    """The prompt for one section: the system rules, then only that section's plan."""
    heading = SECTION_HEADINGS[plan.language][section]
    user = load_template("advice_section", plan.language).format(
        heading=heading,
        about=_part_descriptions(plan.language)[section],
        verdict=_VERDICT_NAMES[plan.language][plan.verdict],
        score=plan.score,
        actions=plan_lines(actions),
    )
    return [
        {"role": "system", "content": load_template("system", plan.language).strip()},
        {"role": "user", "content": user.strip()},
    ]


def whole_messages(plan: Plan, actions: list[PlanAction]) -> list[Message]:
    """The prompt for the whole advice: the system rules, then the plan under the seven headings."""
    about = _part_descriptions(plan.language)
    blocks = []
    for section in PLAN_SECTIONS:
        chosen = [action for action in actions if action.section == section]
        blocks.append(f"{plan.heading(section)} ({about[section]})\n{plan_lines(chosen)}")
    user = load_template("advice_whole", plan.language).format(
        verdict=_VERDICT_NAMES[plan.language][plan.verdict], score=plan.score, actions="\n".join(blocks)
    )
    return [
        {"role": "system", "content": load_template("system", plan.language).strip()},
        {"role": "user", "content": user.strip()},
    ]


def plan_prompt_text(plan: Plan) -> str:
    """Everything the prompts tell the model as fact: the plan, headings, verdict and score, the opening."""
    names = " ".join(_VERDICT_NAMES[plan.language].values())
    # Headings without their numbers: "6." must not ground "6 months".
    headings = " ".join(SECTION_HEADINGS[plan.language][section] for section in PLAN_SECTIONS)
    # The score itself is left out: it is grounded only where stated as the score (see invented_numbers).
    without_score = [re.sub(rf"\b{plan.score}/100\b", " ", action.action) for action in plan.actions]
    return "\n".join([*without_score, headings, names])


def all_instructions() -> str:
    """Every instruction of our advice prompts, in every language (what an echo of the prompt would repeat)."""
    texts = []
    for language in ("en", "ru"):
        for name in ("system", "advice_section", "advice_whole", "advice_parts"):
            texts.append(re.sub(r"\{\w+\}", " ", load_template(name, language)))
    return "\n".join(texts)


_VERDICT_NAMES = {
    "en": {"strong_fit": "strong fit", "partial_fit": "partial fit", "not_a_fit": "not a fit"},
    "ru": {"strong_fit": "хорошо подходит", "partial_fit": "частично подходит", "not_a_fit": "не подходит"},
}


def _defuse(text: str) -> str:
    """Keep user text from closing our <<< >>> fences."""
    # Any run of three or more brackets becomes two, so no run can form a fence.
    return _FENCE.sub(lambda match: match.group(0)[0] * 2, text)
