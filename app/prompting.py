"""Build the advice prompt from our templates in prompts/ and the analysis findings.

The prompt is ordered system -> CV -> job -> findings, so a second analysis of
the same CV against another job shares the system-and-CV prefix and llama.cpp
re-evaluates only the rest. When the prompt does not fit the context window,
the least relevant parts are trimmed section by section, and each cut is
reported as a warning: never a silent cut.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.analysis import Analysis
from app.cv_sections import line_sections
from app.errors import ContextOverflowError
from app.job_requirements import split_inline_headings

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
Message = dict[str, str]

# Trim order for the CV: the sections that matter least to the match go first.
_CV_TRIM_ORDER: tuple[str | None, ...] = ("contacts", "languages", "projects", "certifications", "summary", None)
# Fences of the prompt: a CV must not be able to close them early.
_FENCE = re.compile(r"<{3,}|>{3,}")


@dataclass
class Prompt:
    messages: list[Message]
    warnings: list[str] = field(default_factory=list)


def load_template(name: str, language: str) -> str:
    """Read prompts/<name>_<language>.txt (English when the language has none)."""
    path = PROMPTS_DIR / f"{name}_{language}.txt"
    if not path.is_file():
        path = PROMPTS_DIR / f"{name}_en.txt"
    return path.read_text(encoding="utf-8")


def render_findings(analysis: Analysis) -> str:
    """The deterministic findings as plain lines for the model to explain."""
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


def build_messages(analysis: Analysis, cv_text: str, job_text: str) -> list[Message]:
    language = analysis.language
    user = load_template("user", language).format(
        cv=_defuse(cv_text), job=_defuse(job_text), findings=render_findings(analysis)
    )
    return [{"role": "system", "content": load_template("system", language).strip()}, {"role": "user", "content": user}]


def fit_prompt(
    analysis: Analysis,
    cv_text: str,
    job_text: str,
    *,
    count_tokens: Callable[[list[Message]], int],
    budget: int,
) -> Prompt:
    """Messages that fit in `budget` tokens, trimming the least relevant text first.

    Order of cuts: the job's lines outside its requirements (company blurb,
    benefits, responsibilities), then CV sections from the least relevant
    (contacts, languages, projects, certifications, summary, unheaded text),
    then the oldest experience lines. Requirements, the CV's skills and
    education, and the findings are never cut.
    """
    warnings: list[str] = []
    messages = build_messages(analysis, cv_text, job_text)
    if count_tokens(messages) <= budget:
        return Prompt(messages, warnings)

    requirement_texts = [m.requirement.text for m in analysis.matches]
    job_lines = split_inline_headings(job_text).splitlines()
    kept_job = [line for line in job_lines if _line_is_requirement(line, requirement_texts)]
    if len(kept_job) < len(job_lines):
        job_text = "\n".join(kept_job)
        warnings.append(
            f"To fit the model's context window, {len(job_lines) - len(kept_job)} lines of the job description "
            "that are not requirements (company, benefits, duties) were left out of the prompt."
        )
        messages = build_messages(analysis, cv_text, job_text)
        if count_tokens(messages) <= budget:
            return Prompt(messages, warnings)

    cv_lines = cv_text.splitlines()
    owners = line_sections(cv_text)
    for section in _CV_TRIM_ORDER:
        keep = [line for line, owner in zip(cv_lines, owners, strict=True) if owner != section]
        if len(keep) == len(cv_lines):
            continue
        warnings.append(
            f"To fit the model's context window, the CV's {section or 'unheaded'} text "
            f"({len(cv_lines) - len(keep)} lines) was left out of the prompt; the analysis above still used it."
        )
        cv_lines, owners = keep, [owner for owner in owners if owner != section]
        messages = build_messages(analysis, "\n".join(cv_lines), job_text)
        if count_tokens(messages) <= budget:
            return Prompt(messages, warnings)

    # Last resort: drop experience lines from the end (CVs list the oldest jobs last).
    dropped = 0
    while cv_lines and count_tokens(messages) > budget:
        experience_rows = [index for index, owner in enumerate(owners) if owner == "experience"]
        if len(experience_rows) <= 3:
            break
        del cv_lines[experience_rows[-1]]
        del owners[experience_rows[-1]]
        dropped += 1
        messages = build_messages(analysis, "\n".join(cv_lines), job_text)
    if dropped:
        warnings.append(
            f"To fit the model's context window, the last {dropped} lines of the CV's experience (the oldest jobs) "
            "were left out of the prompt; the analysis above still used them."
        )
    if count_tokens(messages) > budget:
        raise ContextOverflowError(
            f"the CV and job do not fit the model's context window even after trimming ({count_tokens(messages)} "
            f"tokens for {budget}); raise --ctx, lower --max-tokens, or shorten the documents."
        )
    return Prompt(messages, warnings)


def _line_is_requirement(line: str, requirement_texts: list[str]) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    return (
        any(text in stripped or stripped.lstrip("-*• ") in text for text in requirement_texts)
        or len(stripped.split()) <= 4
    )


def _defuse(text: str) -> str:
    """Keep user text from closing our <<< >>> fences."""
    # Any run of three or more brackets becomes two, so no run can form a fence.
    return _FENCE.sub(lambda match: match.group(0)[0] * 2, text)
