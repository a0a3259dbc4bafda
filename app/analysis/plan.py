"""The advice plan: what the person should do, derived from the findings alone (pure, no model).

The plan is the grounded core of the advice. Every action answers a finding of
the analysis (a requirement, a CV section, a line of the CV) and is worded by
us, in the CV's language, so it holds whatever model writes the prose around
it. It lives in the analysis layer because it needs nothing but an Analysis
and the CV's text; the llm package turns it into a prompt and checks the
model's prose against it. This module holds the plan and its actions;
plan_builder builds it from the findings, in plan_wording's sentences and
with plan_terms' words.

Sections follow the advice's headings: match, experience, education,
hard_skills, soft_skills, missing_sections, next_steps. Kinds of action:
  verdict        the verdict and score, as the analysis found them (match);
  not_a_fit      said plainly: the largest gaps and a rough learning path (match);
  learn          a missing requirement: learn it, then a concrete way to show
                 it (a project, a course, a certificate); never "add it";
  make_explicit  a partial match: quote the CV line, name the job's own term;
  keep           a met must-have: keep its evidence visible;
  add_outcome    an experience line with no result: add the result, with a
                 [placeholder] the person fills in, never a number of ours;
  fill_section   a missing core section: what to put in it, from the CV's facts;
  next_step      three concrete next actions, the most important first.
Priority (1 first): 1 the verdict and missing must-haves; 2 partial must-haves;
3 missing nice-to-haves, missing sections and the not-a-fit path; 4 partial
nice-to-haves and outcomes; 5 what to keep.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.analysis.textproc import Language

PLAN_SECTIONS: tuple[str, ...] = (
    "match",
    "experience",
    "education",
    "hard_skills",
    "soft_skills",
    "missing_sections",
    "next_steps",
)
SECTION_HEADINGS: dict[Language, dict[str, str]] = {
    "en": {
        "match": "Match",
        "experience": "Experience",
        "education": "Education",
        "hard_skills": "Hard skills",
        "soft_skills": "Soft skills",
        "missing_sections": "Missing sections",
        "next_steps": "Next steps",
    },
    "ru": {
        "match": "Соответствие",
        "experience": "Опыт работы",
        "education": "Образование",
        "hard_skills": "Профессиональные навыки",
        "soft_skills": "Личные качества",
        "missing_sections": "Недостающие разделы",
        "next_steps": "Следующие шаги",
    },
}


@dataclass(frozen=True)
class PlanAction:
    """One thing to do, answering one finding."""

    section: str  # one of PLAN_SECTIONS
    kind: str  # see the module docstring
    action: str  # plain sentences, in the CV's language, written by us
    requirement: str | None = None  # the job's requirement (or the missing section) it answers
    evidence: str | None = None  # the CV line it quotes
    priority: int = 3  # 1 first
    # The words that show the advice covers this action (the job's own terms, the section's name).
    terms: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "kind": self.kind,
            "action": self.action,
            "requirement": self.requirement,
            "evidence": self.evidence,
            "priority": self.priority,
        }


@dataclass(frozen=True)
class Plan:
    language: Language
    verdict: str
    score: int
    actions: tuple[PlanAction, ...]

    def for_section(self, section: str) -> list[PlanAction]:
        return [action for action in self.actions if action.section == section]

    def heading(self, section: str) -> str:
        number = PLAN_SECTIONS.index(section) + 1
        return f"{number}. {SECTION_HEADINGS[self.language][section]}:"

    def section_text(self, section: str) -> str:
        """The section's actions as plain sentences: the advice when the model's text fails its checks."""
        return " ".join(action.action for action in self.for_section(section))

    def to_list(self) -> list[dict[str, Any]]:
        return [action.to_dict() for action in self.actions]

    def to_markdown(self) -> str:
        """A checklist, by section."""
        lines: list[str] = []
        for section in PLAN_SECTIONS:
            actions = self.for_section(section)
            if not actions:
                continue
            lines.append(f"**{self.heading(section).rstrip(':')}**")
            lines += [f"- [ ] {action.action}" for action in actions]
            lines.append("")
        return "\n".join(lines).rstrip()
