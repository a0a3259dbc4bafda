"""Build the advice plan from the findings: one action per finding, every section filled, three next steps (pure).

See app.analysis.plan for the kinds of action and their priorities.
"""

from __future__ import annotations

import re

from app.analysis.cv_sections import line_sections
from app.analysis.job_requirements import ROLE_PREFIX
from app.analysis.matching import RequirementMatch
from app.analysis.plan import PLAN_SECTIONS, Plan, PlanAction
from app.analysis.plan_terms import (
    BULLET,
    SOFT_CV_LINE,
    YEARS_HEAD,
    clip_quote,
    core_phrase,
    display_words,
    distinctive_words,
    quote_terms,
    requirement_section,
)
from app.analysis.plan_wording import VERDICT_PHRASE, WORDS
from app.analysis.scoring import Analysis
from app.analysis.textproc import Language, content_stems, raw_tokens, stem

# Most "keep" actions per section: they are reminders, the gaps come first.
_KEEP_PER_SECTION = 2
_OUTCOME_LINES = 2
# An experience line that already states a result: a figure, or a word of change.
_HAS_OUTCOME = re.compile(
    r"\d|increas|reduc|improv|grew|grow|cut|sav|rais|boost|decreas|achiev|won|award|top\b|"
    r"увелич|сократ|сниз|повыс|улучш|выросл|рост|сэконом|добил|достиг",
    re.IGNORECASE,
)
_DATE_LIKE = re.compile(r"\b(?:19|20)\d\d\b|present|настоящее время|по н\.?в", re.IGNORECASE)


def build_plan(analysis: Analysis, cv_text: str) -> Plan:
    """The ordered advice plan for this analysis (pure: the same findings give the same plan)."""
    words = WORDS[analysis.language if analysis.language in WORDS else "en"]
    # Lines addressed to a model are evidence of nothing: the plan never quotes them.
    injected = {
        number for finding in analysis.injections if finding.document == "CV" for number in finding.line_numbers
    }
    if injected:
        lines = cv_text.splitlines()
        cv_text = "\n".join("" if number in injected else line for number, line in enumerate(lines, start=1))
    builder = _Builder(analysis, cv_text, words)
    actions = builder.build()
    order = {name: index for index, name in enumerate(PLAN_SECTIONS)}
    actions.sort(key=lambda action: (order[action.section], action.priority))
    return Plan(analysis.language, analysis.verdict, analysis.score, tuple(actions))


class _Builder:
    def __init__(self, analysis: Analysis, cv_text: str, words: dict[str, str]) -> None:
        self.analysis = analysis
        self.cv_text = cv_text
        self.w = words
        self.language: Language = analysis.language if analysis.language in WORDS else "en"
        self.matches = [m for m in analysis.matches if m.requirement.kind != "location"]

    def build(self) -> list[PlanAction]:
        actions = self.match_actions()
        actions += self.requirement_actions()
        actions += self.outcome_actions()
        actions += self.section_fallbacks(actions)
        actions += self.missing_section_actions()
        actions += self.next_steps(actions)
        return actions

    # --- match ---------------------------------------------------------------------------

    def match_actions(self) -> list[PlanAction]:
        analysis = self.analysis
        musts = [m for m in self.matches if m.requirement.must]
        met = sum(m.status == "met" for m in musts)
        if musts:
            text = self.w[f"verdict_{analysis.verdict}"].format(score=analysis.score, met=met, musts=len(musts))
        else:
            phrase = VERDICT_PHRASE[self.language][analysis.verdict]
            text = self.w["verdict_no_musts"].format(phrase=phrase, score=analysis.score)
        actions = [
            PlanAction("match", "verdict", text, priority=1, terms=(str(analysis.score),)),
        ]
        if analysis.verdict == "not_a_fit":
            gaps = self.largest_gaps()
            if gaps:
                terms = [self.term(gap) for gap in gaps]
                path = "; ".join(
                    self.w[f"path_{self.kind_key(gap)}"].format(term=term)
                    for gap, term in zip(gaps, terms, strict=True)
                )
                text = self.w["not_a_fit"].format(gaps=self.join(terms), path=path)
                actions.append(
                    PlanAction(
                        "match",
                        "not_a_fit",
                        text,
                        requirement="; ".join(gap.requirement.text for gap in gaps),
                        priority=1,
                        terms=tuple(terms),
                    )
                )
        return actions

    def largest_gaps(self) -> list[RequirementMatch]:
        """The two or three biggest gaps: knock-outs, then missing must-haves, then partial ones."""

        def rank(match: RequirementMatch) -> tuple[int, int]:
            role = match.requirement.kind == "role"
            group = 0 if match.knocks_out else 2 if role else 1 if match.status == "missing" else 3
            return (group, self.matches.index(match))

        gaps = [m for m in self.matches if m.requirement.must and m.status != "met"]
        return sorted(gaps, key=rank)[:3]

    # --- requirements --------------------------------------------------------------------

    def requirement_actions(self) -> list[PlanAction]:
        actions: list[PlanAction] = []
        kept: dict[str, int] = {}
        for match in self.matches:
            requirement = match.requirement
            section = requirement_section(match)
            req = clip_quote(requirement.text.removeprefix(ROLE_PREFIX))
            evidence = clip_quote(match.evidence) if match.evidence else None
            term = self.term(match)
            terms = self.check_terms(match)
            if match.status == "missing":
                if section == "soft_skills":
                    # A quality is shown by an example, not learnt on a course.
                    text = self.w["learn_soft"].format(req=req, term=term)
                    priority = 1 if requirement.must else 3
                elif requirement.must:
                    key = f"learn_{self.kind_key(match)}"
                    if (
                        key == "learn_years"
                        and self.analysis.cv_years
                        and self.analysis.cv_years >= (requirement.years or 0)
                    ):
                        key = "learn_years_field"  # enough years, in another field
                    text = self.w[key].format(req=req, term=term, have=self.have_years())
                    priority = 1
                else:
                    text = self.w["learn_nice"].format(req=req, term=term)
                    priority = 3
                actions.append(PlanAction(section, "learn", text, requirement.text, None, priority, terms))
            elif match.status == "partial":
                named = self.display_terms(requirement.text, match.missing_terms) or term
                if requirement.kind == "years":
                    evidence = self.evidence_line(match)
                    text = self.w["partial_years"].format(
                        req=req, have=self.have_years(), terms=named, evidence=evidence
                    )
                elif requirement.kind == "degree":
                    text = self.w["partial_degree"].format(req=req, evidence=evidence or "")
                else:
                    text = self.w["partial"].format(req=req, evidence=evidence or "", terms=named)
                priority = 2 if requirement.must else 4
                actions.append(PlanAction(section, "make_explicit", text, requirement.text, evidence, priority, terms))
            elif requirement.must and evidence and kept.get(section, 0) < _KEEP_PER_SECTION:
                kept[section] = kept.get(section, 0) + 1
                evidence = self.evidence_line(match) if requirement.kind == "years" else evidence
                text = self.w["keep"].format(req=req, evidence=evidence)
                actions.append(PlanAction(section, "keep", text, requirement.text, evidence, 5, terms))
        return actions

    def have_years(self) -> str:
        years = self.analysis.cv_years
        return self.w["years_none"] if years is None else self.w["years_some"].format(years=years)

    def evidence_line(self, match: RequirementMatch) -> str:
        # Years evidence reads "3.8 years of experience; <CV line>": quote the CV line only.
        evidence = match.evidence or ""
        if match.requirement.kind == "years" and "; " in evidence:
            evidence = evidence.split("; ", 1)[1]
        return clip_quote(evidence)

    # --- experience lines without a result --------------------------------------------

    def outcome_actions(self) -> list[PlanAction]:
        lines = self.cv_text.splitlines()
        owners = line_sections(self.cv_text)
        job_stems = {s for m in self.matches for s in (*m.matched_terms, *m.missing_terms)}
        candidates: list[tuple[int, int, str]] = []
        for index, (line, owner) in enumerate(zip(lines, owners, strict=True)):
            if owner != "experience":
                continue
            text = BULLET.sub("", line).strip()
            if len(text.split()) < 5 or _HAS_OUTCOME.search(text) or _DATE_LIKE.search(text):
                continue
            if not (BULLET.match(line) or text.endswith(".")):
                continue
            relevance = len({stem(token) for token in raw_tokens(text)} & job_stems)
            candidates.append((-relevance, index, text))
        chosen = sorted(candidates)[:_OUTCOME_LINES]
        return [
            PlanAction(
                "experience",
                "add_outcome",
                self.w["outcome"].format(evidence=clip_quote(text)),
                None,
                clip_quote(text),
                4,
                tuple(distinctive_words(text)[:2]),
            )
            for _, _, text in sorted(chosen, key=lambda item: item[1])
        ]

    # --- sections the requirements left empty ------------------------------------------

    def section_fallbacks(self, actions: list[PlanAction]) -> list[PlanAction]:
        """Every section of the advice gets at least one action, grounded in the CV where it can be."""
        have = {action.section for action in actions}
        extra: list[PlanAction] = []
        sections = self.analysis.sections
        if "experience" not in have:
            extra.append(PlanAction("experience", "keep", self.w["experience_fallback"], priority=5))
        if "education" not in have:
            hit = sections.get("education")
            if hit is not None and hit.present and hit.evidence:
                evidence = clip_quote(hit.evidence)
                text = self.w["education_shown"].format(evidence=evidence)
                extra.append(PlanAction("education", "keep", text, None, evidence, 5, quote_terms(evidence)))
            else:
                extra.append(PlanAction("education", "keep", self.w["education_none_asked"], priority=5))
        if "hard_skills" not in have:
            skills = [m for m in self.matches if m.status == "met" and m.requirement.kind == "skill"]
            if skills:
                match = skills[0]
                text = self.w["keep"].format(
                    req=clip_quote(match.requirement.text), evidence=clip_quote(match.evidence or "")
                )
                extra.append(
                    PlanAction(
                        "hard_skills", "keep", text, match.requirement.text, match.evidence, 5, self.check_terms(match)
                    )
                )
            elif sections["hard_skills"].present:
                extra.append(PlanAction("hard_skills", "keep", self.w["skills_keep_plain"], priority=5))
            else:
                extra.append(PlanAction("hard_skills", "keep", self.w["fill_hard_skills_plain"], priority=5))
        if "soft_skills" not in have:
            line = self.soft_skill_line()
            if line:
                text = self.w["soft_none_asked"].format(evidence=line)
                extra.append(PlanAction("soft_skills", "keep", text, None, line, 5, quote_terms(line)))
            else:
                extra.append(PlanAction("soft_skills", "keep", self.w["soft_none_asked_plain"], priority=5))
        return extra

    def soft_skill_line(self) -> str | None:
        """A CV line that shows a quality: from its soft-skills section first, else from anywhere."""
        lines = self.cv_text.splitlines()
        owners = line_sections(self.cv_text)
        ordered = [line for line, owner in zip(lines, owners, strict=True) if owner == "soft_skills"] + lines
        for line in ordered:
            text = BULLET.sub("", line).strip()
            if 2 <= len(text.split()) <= 25 and SOFT_CV_LINE.search(text):
                return clip_quote(text)
        return None

    # --- missing sections ---------------------------------------------------------------

    def missing_section_actions(self) -> list[PlanAction]:
        actions: list[PlanAction] = []
        for section in self.analysis.missing_sections:
            evidence: str | None = None
            terms_text = ""
            if section == "experience":
                evidence = self.first_line_of(("projects", "summary"))
                key = "fill_experience_facts" if evidence else "fill_experience"
            elif section == "education":
                evidence = self.education_line()
                key = "fill_education_facts" if evidence else "fill_education"
            elif section == "hard_skills":
                shown = [m for m in self.matches if m.status != "missing" and m.requirement.kind == "skill"]
                terms = list(dict.fromkeys(self.display_terms(m.requirement.text, m.matched_terms) for m in shown))
                terms_text = ", ".join(term for term in terms if term)[:160]
                key = "fill_hard_skills" if terms_text else "fill_hard_skills_plain"
            else:
                evidence = self.soft_skill_line()
                key = "fill_soft_skills" if evidence else "fill_soft_skills_plain"
            text = self.w[key].format(evidence=evidence or "", terms=terms_text)
            name = self.w[f"section_{section}"]
            actions.append(PlanAction("missing_sections", "fill_section", text, name, evidence, 3, (name,)))
        if not actions:
            names = tuple(self.w[f"section_{name}"] for name in ("experience", "education"))
            actions.append(PlanAction("missing_sections", "keep", self.w["no_missing_sections"], None, None, 5, names))
        return actions

    def first_line_of(self, sections: tuple[str, ...]) -> str | None:
        lines = self.cv_text.splitlines()
        owners = line_sections(self.cv_text)
        for wanted in sections:
            for line, owner in zip(lines, owners, strict=True):
                text = BULLET.sub("", line).strip()
                if owner == wanted and len(text.split()) >= 3:
                    return clip_quote(text)
        return None

    def education_line(self) -> str | None:
        pattern = re.compile(
            r"universit|college|bachelor|master|degree|course|diploma|bsc|msc|университет|институт|колледж|курс|"
            r"диплом|бакалавр|магистр",
            re.IGNORECASE,
        )
        for line in self.cv_text.splitlines():
            text = BULLET.sub("", line).strip()
            if pattern.search(text):
                return clip_quote(text)
        return None

    # --- next steps ---------------------------------------------------------------------

    def next_steps(self, actions: list[PlanAction]) -> list[PlanAction]:
        steps: list[tuple[str, tuple[str, ...]]] = []
        # Skills first: they are what a person can start learning today.
        learn_must = sorted(
            (a for a in actions if a.kind == "learn" and a.priority == 1),
            key=lambda a: a.section not in ("hard_skills", "soft_skills"),
        )
        learn_nice = [a for a in actions if a.kind == "learn" and a.priority > 1]
        partial = [a for a in actions if a.kind == "make_explicit" and a.evidence]
        outcomes = [a for a in actions if a.kind == "add_outcome"]
        fills = [a for a in actions if a.kind == "fill_section"]
        if learn_must:
            first_two = learn_must[:2]
            names = [self.term_of(a) for a in first_two]
            steps.append(
                (self.w["step_learn"].format(term=self.join(names)), tuple(t for a in first_two for t in a.terms))
            )
        if partial:
            first = partial[0]
            terms_text = ", ".join(first.terms[:4])
            steps.append(
                (
                    self.w["step_partial"].format(evidence=first.evidence, terms=terms_text),
                    first.terms,
                )
            )
        if fills:
            name = fills[0].requirement or ""
            steps.append((self.w["step_section"].format(section=name), (name,)))
        if outcomes:
            steps.append((self.w["step_outcome"], ()))
        if learn_nice and len(steps) < 3:
            steps.append((self.w["step_learn_nice"].format(term=self.term_of(learn_nice[0])), learn_nice[0].terms))
        for filler in ("step_tailor", "step_apply"):
            if len(steps) < 3:
                steps.append((self.w[filler], ()))
        return [
            PlanAction("next_steps", "next_step", text, None, None, number, terms)
            for number, (text, terms) in enumerate(steps[:3], start=1)
        ]

    # --- helpers ------------------------------------------------------------------------

    def term_of(self, action: PlanAction) -> str:
        match = next((m for m in self.matches if m.requirement.text == action.requirement), None)
        return self.term(match) if match else ", ".join(action.terms[:2])

    def kind_key(self, match: RequirementMatch) -> str:
        kind = match.requirement.kind
        return kind if kind in ("years", "degree", "certification", "language", "role") else "skill"

    def term(self, match: RequirementMatch) -> str:
        """What to learn, in the job's words: the requirement without its filler ("Experience with")."""
        text = match.requirement.text.removeprefix(ROLE_PREFIX)
        if self.language == "ru":
            # Russian inflects: quote the job's words rather than bend them into a sentence.
            return f"«{clip_quote(text, 80)}»"
        if match.requirement.kind == "years":
            return clip_quote(YEARS_HEAD.sub("", text).strip(" .;:") or text, 80)
        return clip_quote(core_phrase(text), 80)

    def check_terms(self, match: RequirementMatch) -> tuple[str, ...]:
        """The job's words for this requirement that advice covering it would name."""
        text = match.requirement.text.removeprefix(ROLE_PREFIX)
        if match.requirement.kind == "degree" and match.evidence and match.status != "missing":
            return quote_terms(match.evidence)  # "BSc", "Engineering": not the word "degree" any text may use
        stems = match.missing_terms if match.status != "met" else match.matched_terms
        words = display_words(text, stems or tuple(content_stems(text)))
        return tuple(words) or (clip_quote(core_phrase(text), 60),)

    def display_terms(self, text: str, stems: tuple[str, ...] | list[str]) -> str:
        return ", ".join(display_words(text, stems)[:4])

    def join(self, items: list[str]) -> str:
        items = [item for item in items if item]
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + f" {self.w['and']} " + items[-1]
