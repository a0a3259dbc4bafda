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

from app.analysis.cv_sections import line_sections
from app.analysis.scoring import Analysis
from app.analysis.segments import split_inline_headings
from app.errors import ContextOverflowError
from app.formatting import clip
from app.llm.base import Message

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"

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


def render_findings(analysis: Analysis, *, brief: bool = False) -> str:
    """The deterministic findings as plain lines for the model to explain.

    `brief` (the last resort of fit_prompt) drops the CV quotes, clips long
    requirements and keeps only a few nice-to-haves of each status; every
    must-have stays.
    """
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
        nice_left = _BRIEF_NICE_PER_STATUS if brief else len(items)
        left_out = 0
        for match in items:
            if not match.requirement.must:
                if nice_left == 0:
                    left_out += 1
                    continue
                nice_left -= 1
            must = "must-have" if match.requirement.must else "nice-to-have"
            text = clip(match.requirement.text, 100) if brief else match.requirement.text
            evidence = f' (CV: "{match.evidence}")' if not brief and match.evidence and status != "missing" else ""
            lines.append(f"- [{must}] {text}{evidence}")
        if left_out:
            lines.append(f"- (and {left_out} more nice-to-have requirements)")
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


def build_messages(analysis: Analysis, cv_text: str, job_text: str, *, brief: bool = False) -> list[Message]:
    language = analysis.language
    user = load_template("user", language).format(
        cv=_defuse(cv_text), job=_defuse(job_text), findings=render_findings(analysis, brief=brief)
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

    Cuts, in order, until the prompt fits: the job's lines outside its
    requirements (company blurb, benefits, duties); the findings' CV quotes
    and most nice-to-haves (they repeat the CV and the job); CV sections from
    the least relevant (contacts, languages, projects, certifications,
    summary, unheaded text); the oldest experience lines; the job's text
    (its requirements stay in the findings); the longest lines, halved.
    Every cut is a warning. What never goes: the must-haves, the verdict, the
    CV's skills and education sections.
    """
    untouched = build_messages(analysis, cv_text, job_text)
    if count_tokens(untouched) <= budget:
        return Prompt(untouched, [])
    trim = _Trim(analysis, cv_text, job_text)
    steps = (trim.job_to_requirements, trim.brief_findings, trim.cv_sections, trim.old_experience, trim.drop_job)
    for step in steps:
        if count_tokens(trim.messages()) <= budget:
            return Prompt(trim.messages(), trim.warnings)
        step(lambda: count_tokens(trim.messages()) > budget)
    trim.shorten_long_lines(lambda: count_tokens(trim.messages()) > budget)
    tokens = count_tokens(trim.messages())
    if tokens > budget:
        raise ContextOverflowError(
            f"the CV and job do not fit the model's context window even after trimming ({tokens} tokens for "
            f"{budget}); raise --ctx, lower --max-tokens, or shorten the documents."
        )
    return Prompt(trim.messages(), trim.warnings)


class _Trim:
    """The prompt's parts while fit_prompt cuts them; each cut notes a warning."""

    def __init__(self, analysis: Analysis, cv_text: str, job_text: str) -> None:
        self.analysis = analysis
        self.original_cv = cv_text
        self.cv_cut = False  # until a CV line goes, the CV is sent exactly as given
        self.cv_lines = cv_text.splitlines()
        self.owners = line_sections(cv_text)
        self.job_text = job_text
        self.brief = False
        self.warnings: list[str] = []

    def messages(self) -> list[Message]:
        cv_text = "\n".join(self.cv_lines) if self.cv_cut else self.original_cv
        return build_messages(self.analysis, cv_text, self.job_text, brief=self.brief)

    def job_to_requirements(self, too_long: Callable[[], bool]) -> None:
        requirement_texts = [m.requirement.text for m in self.analysis.matches]
        job_lines = split_inline_headings(self.job_text).splitlines()
        kept = [line for line in job_lines if _line_is_requirement(line, requirement_texts)]
        if len(kept) < len(job_lines):
            self.job_text = "\n".join(kept)
            self.warnings.append(
                f"To fit the model's context window, {len(job_lines) - len(kept)} lines of the job description "
                "that are not requirements (company, benefits, duties) were left out of the prompt."
            )

    def brief_findings(self, too_long: Callable[[], bool]) -> None:
        self.brief = True
        self.warnings.append(
            "To fit the model's context window, the findings in the prompt were shortened (no CV quotes, fewer "
            "nice-to-haves); the report above still shows them all."
        )

    def cv_sections(self, too_long: Callable[[], bool]) -> None:
        for section in _CV_TRIM_ORDER:
            if not too_long():
                return
            keep = [i for i, owner in enumerate(self.owners) if owner != section]
            if len(keep) == len(self.cv_lines):
                continue
            self.warnings.append(
                f"To fit the model's context window, the CV's {section or 'unheaded'} text "
                f"({len(self.cv_lines) - len(keep)} lines) was left out of the prompt; the analysis above still "
                "used it."
            )
            self.cv_cut = True
            self.cv_lines = [self.cv_lines[i] for i in keep]
            self.owners = [self.owners[i] for i in keep]

    def old_experience(self, too_long: Callable[[], bool]) -> None:
        # CVs list the oldest jobs last; keep at least the three most recent lines.
        dropped = 0
        while too_long():
            rows = [i for i, owner in enumerate(self.owners) if owner == "experience"]
            if len(rows) <= 3:
                break
            del self.cv_lines[rows[-1]], self.owners[rows[-1]]
            self.cv_cut = True
            dropped += 1
        if dropped:
            self.warnings.append(
                f"To fit the model's context window, the last {dropped} lines of the CV's experience (the oldest "
                "jobs) were left out of the prompt; the analysis above still used them."
            )

    def drop_job(self, too_long: Callable[[], bool]) -> None:
        if self.job_text.strip():
            self.job_text = _JOB_IN_FINDINGS
            self.warnings.append(
                "To fit the model's context window, the job description was left out of the prompt; its "
                "requirements are still listed in the findings the model sees."
            )

    def shorten_long_lines(self, too_long: Callable[[], bool]) -> None:
        # Exports such as hh.ru put a whole career on one line: halve the longest
        # line, keeping its beginning, until the prompt fits.
        shortened = False
        while too_long():
            longest = max(range(len(self.cv_lines)), key=lambda i: len(self.cv_lines[i]), default=None)
            if longest is None or len(self.cv_lines[longest]) <= _SHORTEST_CUT + len(_CUT_MARK):
                break
            self.cv_lines[longest] = _shorten(self.cv_lines[longest])
            self.cv_cut = True
            shortened = True
        if shortened:
            self.warnings.append(
                "To fit the model's context window, the longest lines of the CV were shortened in the prompt "
                "(their ends left out); the analysis above still used them whole."
            )


_BRIEF_NICE_PER_STATUS = 3
_JOB_IN_FINDINGS = "(left out to fit the context window: the job's requirements are listed in the FINDINGS)"
_SHORTEST_CUT = 200  # characters: a line this short is not shortened further
_CUT_MARK = " …"


def _shorten(line: str) -> str:
    """The first half of a long line (at least _SHORTEST_CUT characters), marked as cut."""
    keep = max(_SHORTEST_CUT, len(line) // 2)
    return line[:keep].rstrip() + _CUT_MARK


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
