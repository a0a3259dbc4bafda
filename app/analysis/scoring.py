"""The deterministic CV-against-job analysis: sections, requirements, score, verdict.

No model is involved, so the same CV and job give the same result every time,
and text written to fool a model cannot move the score. The language model
only explains these findings (see app/llm/prompting.py). Each requirement
is matched (app.analysis.matching) against the CV prepared once
(app.analysis.cv_profile); here the matches become the score and the verdict.

Score, version 2 (SCORE_VERSION), out of 100, three parts:
  requirements (weight REQUIREMENTS_PART): every requirement but the job's
      title counts with a weight (must-have 3, nice-to-have 1, soft trait 1,
      location 0.5) times its credit: the share of it the CV shows, so
      "Docker, Kubernetes, AWS, Cloudflare" with three of four shown earns 0.75;
  role (ROLE_PART): the job's title against the CV's own titles (its headline
      and the titles of its dated roles);
  field (FIELD_PART): the share of the job's vocabulary the CV uses, full
      credit from FIELD_FULL_SHARE: the signal that a CV and a job are about
      the same kind of work even when requirements are phrased differently.
  A part that a job does not give (no title) is left out and the rest rescaled.
  A job with no requirement we can read scores 0 and says so in a warning.
Verdict:
  not_a_fit   a knock-out (a must-have years of experience, degree or licence
              missing), more than half of the must-haves missing, a score below
              PARTIAL_FIT_MIN, or another field of work: the job's title not
              among the CV's titles and less than FIELD_MIN_SHARE of its vocabulary;
  strong_fit  score >= STRONG_FIT_MIN and at most a fifth of the must-haves missing;
  partial_fit otherwise.
Version 1 scored the requirements alone, gave a requirement met, half or
nothing, counted years of any work and read a job title anywhere in the CV:
same-field pairs in English scored barely above cross-field ones (AUC 0.66).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from app.analysis.cv_profile import CvProfile
from app.analysis.cv_sections import CORE_SECTIONS, SOFT_SKILL_WORDS, SectionHit, find_sections, forget_lines
from app.analysis.injection import InjectionFinding, find_injections
from app.analysis.job_requirements import Requirement, extract_requirements
from app.analysis.matching import GENERIC_STEMS, RequirementMatch, match_requirement
from app.analysis.posting_headings import heading_kind
from app.analysis.segment_kinds import classify_segment, is_aside
from app.analysis.textproc import Language, content_stems, grouped_alternation, language_of, script_letters, stem_set

SCORE_VERSION = "2.0"
STRONG_FIT_MIN = 70
PARTIAL_FIT_MIN = 30
MUST_WEIGHT, NICE_WEIGHT, SOFT_WEIGHT, LOCATION_WEIGHT = 3.0, 1.0, 1.0, 0.5
# Relative weights of the three parts (tuned on half of the labelled pairs, see the README).
REQUIREMENTS_PART, ROLE_PART, FIELD_PART = 5.0, 3.0, 3.0
FIELD_FULL_SHARE = 0.4
FIELD_MIN_SHARE = 0.15
STRONG_MISSING_MAX = 0.4
# More than this share of the must-haves missing is not a fit (unless the CV held this very job).
NOT_A_FIT_MISSING_SHARE = 0.5
# The CV's titles against the job's: below this the role is not the CV's; from this, the CV held the job.
ROLE_SHOWN_MIN, ROLE_HELD_MIN = 0.34, 0.99

Verdict = Literal["strong_fit", "partial_fit", "not_a_fit"]
VERDICTS: tuple[Verdict, ...] = ("strong_fit", "partial_fit", "not_a_fit")


@dataclass(frozen=True)
class ScoreParts:
    """The three parts of the score, each 0..1 (role None: the job gives no title)."""

    requirements: float
    role: float | None
    field: float
    field_share: float  # the raw share of the job's vocabulary found in the CV


@dataclass(frozen=True)
class Analysis:
    """Everything the deterministic analysis found."""

    language: Language
    verdict: Verdict
    score: int
    sections: dict[str, SectionHit]
    matches: list[RequirementMatch]
    knockouts: list[str]
    cv_years: float | None
    warnings: list[str] = field(default_factory=list)
    injections: list[InjectionFinding] = field(default_factory=list)
    score_version: str = SCORE_VERSION
    score_parts: ScoreParts | None = None

    @property
    def missing_sections(self) -> list[str]:
        return [name for name in CORE_SECTIONS if not self.sections[name].present]

    @property
    def missing_must_haves(self) -> list[RequirementMatch]:
        return [m for m in self.matches if m.requirement.must and m.status == "missing"]


def analyze(cv_text: str, job_text: str, *, today: dt.date | None = None) -> Analysis:
    """Compare a CV with a job description. Pure and deterministic for a given `today`."""
    today = today or dt.date.today()
    cv_injections = find_injections(cv_text, "CV")
    job_injections = find_injections(job_text, "job description")
    # Lines addressed to the model are evidence of nothing: drop them before matching.
    clean_cv = _without_lines(cv_text, {number for finding in cv_injections for number in finding.line_numbers})
    clean_job = _without_lines(job_text, {number for finding in job_injections for number in finding.line_numbers})

    cv_letters, job_letters = script_letters(clean_cv), script_letters(clean_job)
    # The language of the two together ("\n" between them is no letter).
    language = language_of((cv_letters[0] + job_letters[0], cv_letters[1] + job_letters[1]))
    sections = find_sections(clean_cv)
    profile = CvProfile(clean_cv, today, language=language_of(cv_letters))
    requirements = extract_requirements(clean_job, language_of(job_letters))
    matches = [match_requirement(requirement, profile) for requirement in requirements]
    parts = score_parts(matches, field_share(profile, clean_job))
    score = combine_score(parts) if requirements else 0
    knockouts = find_knockouts(matches)
    verdict = decide_verdict(score, matches, knockouts, parts)

    warnings = [finding.warning() for finding in cv_injections + job_injections]
    if not requirements:
        warnings.append(
            "No requirements could be read from the job description; paste the part that lists "
            "what the employer asks for (requirements, skills, qualifications)."
        )
    return Analysis(
        language=language,
        verdict=verdict,
        score=score,
        sections=sections,
        matches=matches,
        knockouts=knockouts,
        cv_years=profile.years,
        warnings=warnings,
        injections=cv_injections + job_injections,
        score_parts=parts,
    )


def forget_texts() -> None:
    """Empty the caches keyed by whole texts (a segment's, a heading's, a CV line's...), not by single words.

    A posting read for the first time fills them; scripts/bench_core.py empties them before each timed
    run, so that its figure is the one for a posting never seen before, not for the same one again.
    """
    classify_segment.cache_clear()
    is_aside.cache_clear()
    heading_kind.cache_clear()
    is_soft_trait.cache_clear()
    forget_lines()


def requirement_weight(requirement: Requirement) -> float:
    """How much one requirement counts in the requirements part of the score."""
    if requirement.kind == "location":
        return LOCATION_WEIGHT
    if not requirement.must:
        return NICE_WEIGHT
    if is_soft_trait(requirement):
        # "Внимательность", "team player": CVs rarely list them and they tell
        # nothing about the field; they count like a nice-to-have.
        return SOFT_WEIGHT
    return MUST_WEIGHT


_MORE_SOFT_TRAITS_PATTERN = (
    r"attention to detail|detail[- ]oriented|self[- ]starter|work ethic|motivated|multi-?task\w*|proactive|"
    r"positive attitude|punctual\w*|flexib\w*|reliab\w*|storytelling|desire to learn|eager\w* to learn|"
    r"(?:умени\w* )?работ\w* в команде|желани\w* (?:учиться|развиваться|работать)|грамотн\w*|доброжелательн\w*|"
    r"аккуратн\w*|усидчив\w*|порядочн\w*|честн\w*|нацеленн\w* на результат|умени\w* работать"
)
_MORE_SOFT_TRAITS = grouped_alternation(_MORE_SOFT_TRAITS_PATTERN)


@lru_cache(maxsize=4096)  # asked for each requirement by the score and again by the verdict
def is_soft_trait(requirement: Requirement) -> bool:
    """A must-have that names only personal qualities ("Коммуникабельность", "strong communication skills")."""
    if requirement.kind != "skill":
        return False
    rest = _MORE_SOFT_TRAITS.sub(" ", SOFT_SKILL_WORDS.sub(" ", requirement.text))
    if rest == requirement.text:
        return False
    return not [s for s in content_stems(rest) if s not in GENERIC_STEMS and s not in _TRAIT_FILLER]


def compute_score(matches: list[RequirementMatch]) -> int:
    """The requirements part alone, 0..100: weighted credit of every requirement but the title."""
    share = _requirements_share([m for m in matches if m.requirement.kind != "role"])
    return round(100 * share) if share is not None else 0


def _requirements_share(matches: list[RequirementMatch]) -> float | None:
    total = earned = 0.0
    for match in matches:
        weight = requirement_weight(match.requirement)
        total += weight
        earned += weight * match.credit
    return earned / total if total else None


def field_share(profile: CvProfile, job_text: str) -> float:
    """The share of the job's distinct content words that the CV uses too."""
    job_stems = stem_set(job_text)
    return len(job_stems & profile.stems) / len(job_stems) if job_stems else 0.0


def score_parts(matches: list[RequirementMatch], share_of_vocabulary: float) -> ScoreParts:
    """The three parts of score version 2 (see the module docstring)."""
    roles = [m for m in matches if m.requirement.kind == "role"]
    requirements = _requirements_share([m for m in matches if m.requirement.kind != "role"])
    return ScoreParts(
        requirements=requirements if requirements is not None else 0.0,
        role=roles[0].credit if roles else None,
        field=min(1.0, share_of_vocabulary / FIELD_FULL_SHARE),
        field_share=round(share_of_vocabulary, 3),
    )


def combine_score(parts: ScoreParts) -> int:
    """Score version 2: the weighted parts, rescaled over the parts the job gives."""
    weighted = [(REQUIREMENTS_PART, parts.requirements), (FIELD_PART, parts.field)]
    if parts.role is not None:
        weighted.append((ROLE_PART, parts.role))
    total = sum(weight for weight, _ in weighted)
    return round(100 * sum(weight * value for weight, value in weighted) / total)


def find_knockouts(matches: list[RequirementMatch]) -> list[str]:
    """Must-haves whose absence ends the application on its own."""
    labels = {"years": "required years of experience not shown", "degree": "required degree not shown"}
    knockouts: list[str] = []
    for match in matches:
        requirement = match.requirement
        if match.knocks_out:
            knockouts.append(f"{labels.get(requirement.kind, 'required item not shown')}: {requirement.text}")
        elif requirement.kind == "certification" and requirement.must and match.status == "missing":
            knockouts.append(f"required licence or certification not shown: {requirement.text}")
    return knockouts


def other_field(parts: ScoreParts | None) -> bool:
    """The CV and the job are about different work: the title is not the CV's and the vocabulary barely meets."""
    if parts is None:
        return False
    return (parts.role is None or parts.role < ROLE_SHOWN_MIN) and parts.field_share < FIELD_MIN_SHARE


def decide_verdict(
    score: int, matches: list[RequirementMatch], knockouts: list[str], parts: ScoreParts | None = None
) -> Verdict:
    musts = [m for m in matches if m.requirement.must and not is_soft_trait(m.requirement)]
    missing_share = sum(m.status == "missing" for m in musts) / len(musts) if musts else 0.0
    # Someone who has held this very job is not ruled out by the posting's wish list alone.
    held_the_job = parts is not None and parts.role is not None and parts.role >= ROLE_HELD_MIN
    too_many_missing = missing_share > NOT_A_FIT_MISSING_SHARE and not held_the_job
    if knockouts or score < PARTIAL_FIT_MIN or other_field(parts) or too_many_missing:
        return "not_a_fit"
    if score >= STRONG_FIT_MIN and missing_share <= STRONG_MISSING_MAX:
        return "strong_fit"
    return "partial_fit"


_TRAIT_FILLER = stem_set(
    "skills skill excellent strong good высокая высокий хорошие навыки умение способность качества"
)


def _without_lines(text: str, line_numbers: set[int]) -> str:
    if not line_numbers:
        return text
    # Blank the lines rather than drop them, so line numbers still point into the user's text.
    return "\n".join("" if number in line_numbers else line for number, line in enumerate(text.splitlines(), start=1))
