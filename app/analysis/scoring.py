"""The deterministic CV-against-job analysis: sections, requirements, score, verdict.

No model is involved, so the same CV and job give the same result every time,
and text written to fool a model cannot move the score. The language model
only explains these findings (see app/llm/prompting.py).

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
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from app.analysis.cv_sections import (
    CORE_SECTIONS,
    SOFT_SKILL_WORDS,
    DatedRole,
    SectionHit,
    dated_roles,
    find_sections,
    line_sections,
    merged_years,
)
from app.analysis.injection import InjectionFinding, find_injections
from app.analysis.job_requirements import DEGREE_LEVELS, ROLE_PREFIX, Requirement, classify, extract_requirements
from app.analysis.textproc import Language, content_stems, detect_language, raw_tokens, stem, stem_set, title_words
from app.formatting import clip

SCORE_VERSION = "2.0"
STRONG_FIT_MIN = 70
PARTIAL_FIT_MIN = 30
MUST_WEIGHT, NICE_WEIGHT, SOFT_WEIGHT, LOCATION_WEIGHT = 3.0, 1.0, 1.0, 0.5
STATUS_VALUE = {"met": 1.0, "partial": 0.5, "missing": 0.0}
# Relative weights of the three parts (tuned on half of the labelled pairs, see the README).
REQUIREMENTS_PART, ROLE_PART, FIELD_PART = 5.0, 3.0, 3.0
FIELD_FULL_SHARE = 0.4
FIELD_MIN_SHARE = 0.15
STRONG_MISSING_MAX = 0.4

# A requirement's words found in the CV: two of three make it met, one of three partial (one of four is missing).
MET_SHARE, PARTIAL_SHARE = 0.66, 0.34
# Years asked: this share of them still counts as partial ("5+ years" with 3 shown).
PARTIAL_YEARS_SHARE = 0.6
# More than this share of the must-haves missing is not a fit (unless the CV held this very job).
NOT_A_FIT_MISSING_SHARE = 0.5
# The CV's titles against the job's: below this the role is not the CV's; from this, the CV held the job.
ROLE_SHOWN_MIN, ROLE_HELD_MIN = 0.34, 0.99
# The longest CV line quoted as evidence, in characters.
EVIDENCE_CHARS = 200

Verdict = Literal["strong_fit", "partial_fit", "not_a_fit"]
Status = Literal["met", "partial", "missing"]
VERDICTS: tuple[Verdict, ...] = ("strong_fit", "partial_fit", "not_a_fit")


@dataclass(frozen=True)
class RequirementMatch:
    """A requirement of the job and what the CV shows of it."""

    requirement: Requirement
    status: Status
    evidence: str | None  # the CV line that shows it, quoted as written
    matched_terms: tuple[str, ...] = ()
    missing_terms: tuple[str, ...] = ()
    # True when this gap alone rules the application out (see find_knockouts).
    knocks_out: bool = False
    # The share of the requirement the CV shows, 0..1 (None: the status's value).
    # "Docker, Kubernetes, AWS, Cloudflare" with three shown is 0.75.
    coverage: float | None = None
    # The requirement's own words that the CV does not show, as the job writes them.
    missing_words: tuple[str, ...] = ()

    @property
    def credit(self) -> float:
        return STATUS_VALUE[self.status] if self.coverage is None else self.coverage


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


@dataclass(frozen=True)
class _CvLine:
    text: str
    stems: frozenset[str]


@dataclass(frozen=True)
class _Role:
    span: tuple[float, float]
    stems: frozenset[str]


class CvProfile:
    """The CV prepared once for matching: its lines, titles, dated roles, years and degree."""

    def __init__(self, text: str, today: dt.date) -> None:
        self.text = text
        self.lines = [
            _CvLine(line.strip(), frozenset(content_stems(line))) for line in text.splitlines() if line.strip()
        ]
        self.stems: frozenset[str] = (
            frozenset().union(*(line.stems for line in self.lines)) if self.lines else frozenset()
        )
        self.language = detect_language(text)
        roles = dated_roles(text, _year_value(today))
        self.roles = [_Role((role.start, role.end), frozenset(content_stems(role.text))) for role in roles]
        self.years = _years_from(roles, text)
        self.titles = _cv_titles(text, roles)
        self.degree_level, self.degree_line = _degree_level(text)

    def best_line(self, wanted: Iterable[str]) -> tuple[str | None, frozenset[str]]:
        """The CV line that holds most of the wanted stems, and which of them it holds."""
        wanted_set = frozenset(wanted)
        best: _CvLine | None = None
        best_hits: frozenset[str] = frozenset()
        for line in self.lines:
            hits = line.stems & wanted_set
            if len(hits) > len(best_hits):
                best, best_hits = line, hits
        return (clip(best.text, EVIDENCE_CHARS) if best else None), best_hits

    def years_in(self, field_stems: frozenset[str]) -> float:
        """Years of the dated roles that name at least half of the field's words."""
        needed = max(1, (len(field_stems) + 1) // 2)
        spans = [role.span for role in self.roles if len(role.stems & field_stems) >= needed]
        return round(merged_years(spans), 1)


def analyze(cv_text: str, job_text: str, *, today: dt.date | None = None) -> Analysis:
    """Compare a CV with a job description. Pure and deterministic for a given `today`."""
    today = today or dt.date.today()
    cv_injections = find_injections(cv_text, "CV")
    job_injections = find_injections(job_text, "job description")
    # Lines addressed to the model are evidence of nothing: drop them before matching.
    clean_cv = _without_lines(cv_text, {finding.line_number for finding in cv_injections})
    clean_job = _without_lines(job_text, {finding.line_number for finding in job_injections})

    language = detect_language(clean_cv + "\n" + clean_job)
    sections = find_sections(clean_cv)
    profile = CvProfile(clean_cv, today)
    requirements = extract_requirements(clean_job, detect_language(clean_job))
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


def match_requirement(requirement: Requirement, profile: CvProfile) -> RequirementMatch:
    """How far the CV meets one requirement, with the CV line that shows it.

    A requirement the job lets be met in several ways ("1. A degree and two
    years ...; or 2. Six years ...") is as met as its best alternative, and a
    knock-out only when every alternative is one.
    """
    if len(requirement.alternatives) > 1:
        # "A combination of education and experience equivalent to 1 above" names no
        # thing to look for; it only says that no single alternative is a must.
        concrete = [text for text in requirement.alternatives if not _EQUIVALENCE_CLAUSE.search(text)]
        options = [_match_one(classify(text, requirement.must), profile) for text in concrete]
        if options:
            best = max(options, key=lambda option: (option.credit, not option.knocks_out))
            knocks_out = len(concrete) == len(requirement.alternatives) and all(o.knocks_out for o in options)
            return replace(best, requirement=requirement, knocks_out=knocks_out)
    return _match_one(requirement, profile)


_EQUIVALENCE_CLAUSE = re.compile(
    r"\bequivalent to\b|combination of (?:education|training|experience)|эквивалентн", re.IGNORECASE
)


def _match_one(requirement: Requirement, profile: CvProfile) -> RequirementMatch:
    if requirement.kind == "years":
        return _match_years(requirement, profile)
    if requirement.kind == "degree":
        return _match_degree(requirement, profile)
    if requirement.kind == "language":
        return _match_language(requirement, profile)
    if requirement.kind == "role":
        return _match_role(requirement, profile)
    if requirement.kind == "location":
        return _match_location(requirement, profile)
    if requirement.kind == "skill" and _NAMES_EDUCATION.search(requirement.text):
        # "Профильное образование", "Education: high school": a degree in other words. Never a
        # knock-out: the extractor did not read it as a degree requirement.
        level = min((level for level, pattern in DEGREE_LEVELS if pattern.search(requirement.text)), default=1)
        return _match_degree(replace(requirement, degree_level=level, equivalent_accepted=True), profile)
    return _match_terms(requirement, profile)


_NAMES_EDUCATION = re.compile(r"\beducation\b|образовани", re.IGNORECASE)


def _match_location(requirement: Requirement, profile: CvProfile) -> RequirementMatch:
    """A place is met by its city: "Москва, Волжская, Люблино" wants Moscow, not the street."""
    place = requirement.text.removeprefix("Location:").strip()
    city = re.split(r"[,;(]", place, maxsplit=1)[0]
    match = _match_terms(replace(requirement, text=city or place), profile)
    return replace(match, requirement=requirement)


def _status(share: float) -> Status:
    # Two of three words met; one of three is not enough for partial.
    return "met" if share >= MET_SHARE else "partial" if share >= PARTIAL_SHARE else "missing"


def _match_role(requirement: Requirement, profile: CvProfile) -> RequirementMatch:
    """The job's title against the CV's own titles: its headline and its dated roles' titles.

    Word for word (no aggressive stemming: an accountant is not an account
    executive), in either language ("Python-разработчик" is a "Python developer").
    A title met in a bullet ("worked with data scientists") is not a past role.
    """
    title = requirement.text.removeprefix(ROLE_PREFIX)
    wanted = title_words(title) - _ROLE_FILLER
    if not wanted:
        return RequirementMatch(requirement, "missing", None)
    best_line: str | None = None
    best_hits: frozenset[str] = frozenset()
    for line in profile.titles:
        hits = wanted & title_words(line)
        if len(hits) > len(best_hits):
            best_line, best_hits = line, hits
    share = len(best_hits) / len(wanted)
    status = _status(share)
    evidence = clip(best_line, EVIDENCE_CHARS) if best_line and status != "missing" else None
    missing = tuple(word for word in _display_words(title) if title_words(word) - best_hits)
    return RequirementMatch(
        requirement,
        status,
        evidence,
        tuple(best_hits),
        tuple(wanted - best_hits),
        coverage=share,
        missing_words=missing,
    )


def _match_terms(
    requirement: Requirement, profile: CvProfile, *, ignore: frozenset[str] = frozenset()
) -> RequirementMatch:
    """Skill-like requirements: the share of the requirement's words found in the CV.

    A list of alternatives ("scikit-learn, TensorFlow, or PyTorch", "(e.g.
    Python, Java)") is met by any one of them; a list of things all asked
    ("Docker, Kubernetes, AWS, Cloudflare") is met in proportion.
    """
    head, alternatives = _split_alternatives(requirement.text)
    head_stems = [s for s in dict.fromkeys(content_stems(head)) if s not in ignore and s not in _GENERIC_STEMS]
    alternative_stems = [[s for s in content_stems(alt) if s not in _GENERIC_STEMS] for alt in alternatives]
    alternative_stems = [stems for stems in alternative_stems if stems]
    found_alternatives = [stems for stems in alternative_stems if all(s in profile.stems for s in stems)]

    found_head = [s for s in head_stems if s in profile.stems]
    missing_head = [s for s in head_stems if s not in profile.stems]
    head_share = len(found_head) / len(head_stems) if head_stems else None

    if head_share is None and not alternative_stems:
        return RequirementMatch(requirement, "missing", None, coverage=0.0)
    if alternative_stems:
        # The head of a list of alternatives names their kind ("Cloud platform (AWS, GCP, Azure)"):
        # one alternative shown meets it; the head alone shows the kind, not the thing.
        head_credit = head_share or 0.0
        share = 0.75 + 0.25 * head_credit if found_alternatives else 0.5 * head_credit
    else:
        assert head_share is not None
        share = head_share
    status = _status(share)

    wanted = found_head + [s for stems in found_alternatives for s in stems]
    evidence, _ = profile.best_line(wanted) if wanted and status != "missing" else (None, frozenset())
    missing_stems = set(missing_head) | (
        set() if found_alternatives else {s for stems in alternative_stems for s in stems}
    )
    missing_terms = missing_head + ([] if found_alternatives else [s for stems in alternative_stems for s in stems])
    shown_alternative = bool(found_alternatives)
    missing_words = tuple(
        word
        for word in _display_words(requirement.text)
        if (word_stems := frozenset(content_stems(word)) - _GENERIC_STEMS - ignore)
        and word_stems <= missing_stems
        # With an alternative shown, the head only named their kind ("Cloud platform (AWS, GCP)").
        and not shown_alternative
    )
    return RequirementMatch(
        requirement,
        status,
        evidence,
        tuple(wanted),
        tuple(missing_terms),
        coverage=round(share, 3),
        missing_words=missing_words,
    )


def _match_years(requirement: Requirement, profile: CvProfile) -> RequirementMatch:
    """Years asked against years the CV shows in that field, counted from its dated roles.

    "3+ years of accounts payable experience" counts the roles whose text names
    accounts payable; a requirement that names no field counts all work.
    Only too few years of any work is a knock-out: years in a neighbouring
    field are a gap to explain, not a reason to stop reading.
    """
    asked = requirement.years or 0.0
    field_match = _match_terms(requirement, profile, ignore=_YEARS_WORDS)
    field_stems = frozenset(field_match.matched_terms) | frozenset(field_match.missing_terms)
    total_status = _years_status(profile.years, asked)
    if not field_stems:
        years, status = profile.years, total_status
    else:
        years = profile.years_in(field_stems) if profile.roles else None
        if not years and field_match.status == "met" and not profile.roles:
            years = profile.years  # no dated roles, but the field is named: trust a stated figure
        status = _years_status(years, asked)
    coverage = min(1.0, (years or 0.0) / asked) if asked else STATUS_VALUE[status]
    if field_stems:
        in_all = f" (of {profile.years:g} in all)" if profile.years and profile.years != years else ""
        years_text = f"{years:g} years of experience in roles that name it{in_all}" if years else None
    else:
        years_text = f"{years:g} years of experience" if years is not None else None
    evidence = field_match.evidence or years_text
    if years_text and field_match.evidence:
        evidence = f"{years_text}; {field_match.evidence}"
    return RequirementMatch(
        requirement,
        status,
        evidence,
        field_match.matched_terms,
        field_match.missing_terms,
        knocks_out=requirement.must and total_status == "missing",
        coverage=round(coverage, 3),
        missing_words=field_match.missing_words,
    )


def _years_status(years: float | None, asked: float) -> Status:
    if years is None or (years <= 0 and asked > 0):
        return "missing"
    if years >= asked:
        return "met"
    return "partial" if years >= asked * PARTIAL_YEARS_SHARE else "missing"


def _match_degree(requirement: Requirement, profile: CvProfile) -> RequirementMatch:
    """The level of the highest degree, then its field: "degree in Accounting" wants accounting studied."""
    asked = requirement.degree_level or 2
    have = profile.degree_level
    if have >= asked:
        status: Status = "met"
    elif have == asked - 1 or (have > 0 and requirement.equivalent_accepted):
        status = "partial"
    else:
        status = "missing"
    knocks_out = requirement.must and status == "missing" and not requirement.equivalent_accepted
    field_words = _degree_field(requirement.text)
    missing_words: tuple[str, ...] = ()
    if status == "met" and field_words and not (field_words & profile.stems):
        # The level is there, the subject is not: "BS in Nursing" against a BS in Computer Science.
        status = "partial"
        missing_words = tuple(word for word in _display_words(requirement.text) if stem_set(word) & field_words)
    return RequirementMatch(
        requirement,
        status,
        profile.degree_line if have else None,
        knocks_out=knocks_out,
        missing_words=missing_words,
    )


def _match_language(requirement: Requirement, profile: CvProfile) -> RequirementMatch:
    names = [stem(token) for token in raw_tokens(requirement.text) if stem(token) in _LANGUAGE_STEMS]
    if not names:
        return _match_terms(requirement, profile)
    evidence, hits = profile.best_line(names)
    if hits:
        # The level written next to the language: "French - native, English - B1" is B1 for English.
        segments = [part for part in re.split(r"[,;|/(]", evidence or "") if stem_set(part) & hits]
        asked, shown = language_level(requirement.text), language_level(segments[0] if segments else "")
        # "English B1" against "Fluent English": the language is there, the level is not.
        status: Status = "partial" if asked is not None and shown is not None and shown < asked else "met"
        return RequirementMatch(requirement, status, evidence, tuple(hits))
    # A CV written in the language is evidence enough of it.
    if (profile.language == "en" and "english" in names) or (profile.language == "ru" and "russian" in names):
        language_name = "English" if profile.language == "en" else "Russian"
        return RequirementMatch(requirement, "met", f"(the CV itself is written in {language_name})")
    missing = tuple(word for word in _display_words(requirement.text) if stem_set(word) & set(names))
    return RequirementMatch(requirement, "missing", None, (), tuple(names), missing_words=missing)


_CEFR = {"a1": 1, "a2": 2, "b1": 3, "b2": 4, "c1": 5, "c2": 6}
_LEVEL_WORDS: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), level)
    for pattern, level in (
        (r"\bnative\b|\bmother tongue\b|родной", 6),
        (r"\bfluent\w*|\bproficient\b|\badvanced\b|свободн|продвинут", 5),
        (r"upper[- ]intermediate|выше среднего", 4),
        (r"\bintermediate\b|\bconversational\b|средн|разговорн", 3),
        (r"\bbasic\b|\belementary\b|базов|начальн", 2),
    )
)


def language_level(text: str) -> int | None:
    """A language level on the CEFR scale (A1 = 1 ... C2 = 6) named in the text, if any."""
    cefr = re.search(r"\b([abc][12])\b", text, re.IGNORECASE)
    if cefr:
        return _CEFR[cefr.group(1).lower()]
    for pattern, level in _LEVEL_WORDS:
        if pattern.search(text):
            return level
    return None


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


_MORE_SOFT_TRAITS = re.compile(
    r"attention to detail|detail[- ]oriented|self[- ]starter|work ethic|motivated|multi-?task\w*|proactive|"
    r"positive attitude|punctual\w*|flexib\w*|reliab\w*|storytelling|desire to learn|eager\w* to learn|"
    r"(?:умени\w* )?работ\w* в команде|желани\w* (?:учиться|развиваться|работать)|грамотн\w*|доброжелательн\w*|"
    r"аккуратн\w*|усидчив\w*|порядочн\w*|честн\w*|нацеленн\w* на результат|умени\w* работать",
    re.IGNORECASE,
)


def is_soft_trait(requirement: Requirement) -> bool:
    """A must-have that names only personal qualities ("Коммуникабельность", "strong communication skills")."""
    if requirement.kind != "skill":
        return False
    rest = _MORE_SOFT_TRAITS.sub(" ", SOFT_SKILL_WORDS.sub(" ", requirement.text))
    if rest == requirement.text:
        return False
    return not [s for s in content_stems(rest) if s not in _GENERIC_STEMS and s not in _TRAIT_FILLER]


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


# --- years of experience -------------------------------------------------

_STATED_YEARS = (
    # (?<!\d) and "\s*(?:\+\s*)?": see job_requirements._YEARS_PATTERNS (quadratic otherwise).
    re.compile(
        r"(?<!\d)(\d+(?:[.,]\d)?)\s*(?:\+\s*)?(?:years?|yrs?)(?:\s+of)?(?:\s+\w+){0,3}?\s+experience", re.IGNORECASE
    ),
    re.compile(r"experience\s*(?:(?:of|:)\s*)?(\d+(?:[.,]\d)?)\s*(?:\+\s*)?years?", re.IGNORECASE),
    re.compile(
        r"опыт\w* работы:?\s*(?:более\s+|свыше\s+)?(\d+)\s*(?:лет|года|год)(?:\s*(\d+)\s*месяц)?", re.IGNORECASE
    ),
)


def _year_value(today: dt.date) -> float:
    return today.year + (today.month - 1) / 12


def estimate_years_of_experience(text: str, today: dt.date) -> float | None:
    """Years of work the CV shows: merged date ranges of work, or the years it states.

    Date ranges on education lines are left out. When both a stated figure
    ("6 years of experience") and dated jobs exist, the larger is taken: CVs
    often leave early jobs undated but never invent dates.
    """
    return _years_from(dated_roles(text, _year_value(today)), text)


def _years_from(roles: list[DatedRole], text: str) -> float | None:
    dated = merged_years([(role.start, role.end) for role in roles]) if roles else None
    stated: float | None = None
    for pattern in _STATED_YEARS:
        for match in pattern.finditer(text):
            value = float(match.group(1).replace(",", "."))
            if match.lastindex and match.lastindex >= 2 and match.group(2):
                value += int(match.group(2)) / 12
            if value <= 50:
                stated = max(stated or 0.0, value)
    candidates = [value for value in (dated, stated) if value is not None]
    return round(max(candidates), 1) if candidates else None


_TITLE_KEY = re.compile(
    r"^(?:ищет работу на должность|желаемая должность|последняя/нынешняя должность|должность|"
    r"position|title|desired position|objective)\s*:\s*(.+)$",
    re.IGNORECASE,
)


def _cv_titles(text: str, roles: list[DatedRole]) -> list[str]:
    """The CV's own titles: its first lines (name and headline), keyed titles, its dated roles' titles."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    titles = lines[:3]
    titles += [match.group(1) for line in lines if (match := _TITLE_KEY.match(line))]
    for role in roles:
        titles += role.title_lines
    # Undated entries of the work history ("Software Engineering Intern at X (Summer 2023)").
    titles += [
        line.strip()
        for line, section in zip(text.splitlines(), line_sections(text), strict=True)
        if section == "experience" and line.strip() and not _BULLET_LINE.match(line) and len(line.split()) <= 10
    ]
    return titles


_BULLET_LINE = re.compile(r"^\s*(?:[-*•●▪◦‣·–—]|\d{1,2}[.)])\s+")


# --- degree ----------------------------------------------------------------

_DEGREE_WORDS = stem_set(
    "degree degrees bachelor bachelors master masters phd doctorate doctoral bs ba ms ma bsc msc mba b.s m.s b.a "
    "m.a diploma associate associates graduate accredited college university school higher education high "
    "baccalaureate arts science sciences level completed four-year four program programs field fields discipline "
    "disciplines major area study studies "
    "высшее высшего образование образования среднее профессиональное специальное бакалавр бакалавриат магистр "
    "магистратура специалитет диплом неоконченное вуз вуза направлению специальности специальность"
)


def _degree_field(text: str) -> frozenset[str]:
    """The subject a degree requirement names ("in Accounting or Finance"), as stems; empty when none."""
    return frozenset(s for s in content_stems(text) if s not in _DEGREE_WORDS and s not in _GENERIC_STEMS)


_INCOMPLETE_DEGREE = re.compile(
    r"неоконченное высшее|incomplete|unfinished|not completed|in progress|expected 20\d\d", re.IGNORECASE
)


def _degree_level(text: str) -> tuple[int, str | None]:
    """The highest degree the CV shows (see DEGREE_LEVELS) and the line that shows it."""
    best_level, best_line = 0, None
    for line in text.splitlines():
        for level, pattern in DEGREE_LEVELS:
            if pattern.search(line):
                effective = level - 1 if _INCOMPLETE_DEGREE.search(line) else level
                if effective > best_level:
                    best_level, best_line = effective, clip(line.strip(), EVIDENCE_CHARS)
                break
    return best_level, best_line


# --- helpers ---------------------------------------------------------------

_YEARS_WORDS = frozenset(
    stem(word)
    for word in (
        "years",
        "year",
        "experience",
        "professional",
        "commercial",
        "industry",
        "лет",
        "опыт",
        "работы",
        "требуемый",
    )
)
# Words every requirement may use that are not themselves a skill.
_GENERIC_STEMS = frozenset(
    stem(word)
    for word in (
        "active",
        "valid",
        "current",
        "certification",
        "certified",
        "certificate",
        "licence",
        "license",
        "licensed",
        "command",
        "ability",
        "writing",
        "written",
        "e.g",
        "etc",
        "relevant",
        "related",
        "field",
        "one",
        "more",
        "either",
        "setting",
        "similar",
        "role",
        "location",
        "действующий",
        "действующая",
        "сертификат",
        "удостоверение",
        "хорошее",
        "отличное",
        "выше",
        "ниже",
        "обязателен",
        "обязательно",
        "уровне",
        "уровень",
        "уверенного",
        "базовое",
        "базовые",
        "базовых",
    )
) | frozenset({"i", "ii", "iii", "iv", "v", "vi"})
_ROLE_FILLER = title_words("role position job")
_TRAIT_FILLER = stem_set(
    "skills skill excellent strong good высокая высокий хорошие навыки умение способность качества"
)


def _display_words(text: str) -> list[str]:
    """The items of a requirement as the job writes them, without filler ("Experience with Docker" -> "Docker")."""
    pieces = re.split(r"[,;:()/]|\band\b|\bor\b|\band/or\b|\bи\b|\bили\b|\bлибо\b", text, flags=re.IGNORECASE)
    items: list[str] = []
    for piece in pieces:
        words = piece.split()
        while words and _is_filler(words[0]):
            words.pop(0)
        while words and _is_filler(words[-1]):
            words.pop()
        item = " ".join(words).strip(" .-–—")
        if item and item not in items:
            items.append(item)
    return items


def _is_filler(word: str) -> bool:
    stems = stem_set(word)
    return not stems or stems <= _GENERIC_STEMS or stems <= _YEARS_WORDS


_LANGUAGE_STEMS = frozenset(
    stem(word)
    for word in (
        "english",
        "spanish",
        "french",
        "german",
        "chinese",
        "mandarin",
        "italian",
        "portuguese",
        "arabic",
        "japanese",
        "russian",
        "немецкий",
        "французский",
        "испанский",
        "китайский",
    )
)
# "(e.g. Python, Java)": the parenthesis is found with str.find, not a pattern,
# because `\(...[^)]*\)` rescans to the end of the text from every "(" that is
# never closed (quadratic on "((((...").
_ALTERNATIVES_CUE = re.compile(r"(?:e\.g\.,?|such as|like|например|напр\.)?\s*", re.IGNORECASE)


def _split_alternatives(text: str) -> tuple[str, list[str]]:
    """Split a requirement into its head and a list of alternatives, if it has one.

    "Expert in Java, Go, or Python" -> ("Expert in", ["Java", "Go", "Python"]);
    "NLP libraries (spaCy, NLTK, Hugging Face)" -> ("NLP libraries", ["spaCy", "NLTK", "Hugging Face"]).
    Linear in the length of the text, whatever the text (see _trailing_or_list_start).
    """
    parenthesised = _first_parenthesis(text)
    if parenthesised is not None:
        start, end, inner = parenthesised
        if "," in inner or re.search(r"\bor\b|\bили\b|/", inner):
            return text[:start] + text[end:], _list_items(inner)
    or_list = _trailing_or_list_start(text)
    if or_list is not None and re.search(r"\b(?:or|или|and/or)\b", text, re.IGNORECASE):
        or_start, or_end = or_list
        items = _list_items(text[or_start:or_end])
        if len(items) >= 2 and all(len(item.split()) <= 3 for item in items[1:]):
            # The first item carries the head words ("Expert in Java"): keep them as the head.
            first_words = items[0].split()
            head = text[:or_start] + " ".join(first_words[:-1])
            items[0] = first_words[-1] if first_words else items[0]
            return head, items
    return text, []


def _first_parenthesis(text: str) -> tuple[int, int, str] | None:
    """The first "(...)" of the text: its start, its end and the text inside without a leading "e.g."."""
    start = text.find("(")
    if start < 0:
        return None
    close = text.find(")", start + 1)
    if close < 0:
        return None
    cue = _ALTERNATIVES_CUE.match(text, start + 1, close)
    return start, close + 1, text[cue.end() if cue else start + 1 : close]


# States of _trailing_or_list_start's automaton, which reads the text backwards.
_LAST_ITEM = "item after the conjunction"  # "Python" of "Java, Go, or Python"
_SPACE_AFTER_OR = "space after the conjunction"
_OR_R, _OR_DONE = "r of or", "or"  # "/" may follow "or" for "and/or"
_AND_SLASH, _AND_N, _AND_A = "/or", "d/or", "nd/or"
_ILI_I, _ILI_L = "и of или", "ли of или"
_CONJUNCTION_DONE = "and/or or или"
_SPACE_BEFORE_OR = "space before the conjunction"
_ITEM = "item before the conjunction"  # the list may start here
_SPACE_BEFORE_ITEM = "space between a comma and an item"
_COMMA = "comma"  # an item must come before it

# What each state becomes on reading one character class backwards. Classes:
# "w" a list character ([\w+#.\- ] less the space and the letters below), " " the
# space (a list character and a space), "s" any other space, "," and "/", the
# letters of the conjunctions (lower-cased), "x" anything else.
_CONJUNCTION_LETTERS = frozenset("rodnaил")
_LIST_CLASSES = frozenset("w ") | _CONJUNCTION_LETTERS
_SPACE_CLASSES = frozenset(" s")


def _step(state: str, kind: str) -> set[str]:
    item, space = kind in _LIST_CLASSES, kind in _SPACE_CLASSES
    following: set[str] = set()
    if state == _LAST_ITEM:
        following |= {_LAST_ITEM} if item else set()
        following |= {_SPACE_AFTER_OR} if space else set()
    elif state == _SPACE_AFTER_OR:
        following |= {_SPACE_AFTER_OR} if space else set()
        following |= {"r": {_OR_R}, "и": {_ILI_I}}.get(kind, set())
    elif state == _OR_R and kind == "o":
        following.add(_OR_DONE)
    elif state == _OR_DONE:
        following |= {_SPACE_BEFORE_OR} if space else {_AND_SLASH} if kind == "/" else set()
    elif (state, kind) in {(_AND_SLASH, "d"), (_AND_N, "n"), (_ILI_I, "л")}:
        following.add({_AND_SLASH: _AND_N, _AND_N: _AND_A, _ILI_I: _ILI_L}[state])
    elif (state, kind) in {(_AND_A, "a"), (_ILI_L, "и")}:
        following.add(_CONJUNCTION_DONE)
    elif state == _CONJUNCTION_DONE and space:
        following.add(_SPACE_BEFORE_OR)
    elif state == _SPACE_BEFORE_OR:
        following |= {_SPACE_BEFORE_OR} if space else set()
        following |= {_COMMA} if kind == "," else set()
        following |= {_ITEM} if item else set()
    elif state in (_ITEM, _SPACE_BEFORE_ITEM):
        following |= {_ITEM} if item and state == _ITEM else set()
        following |= {_SPACE_BEFORE_ITEM} if space else set()
        following |= {_COMMA} if kind == "," else set()
    elif state == _COMMA and item:
        following.add(_ITEM)
    return following


def _character_class(character: str) -> str:
    lower = character.lower()
    if lower in _CONJUNCTION_LETTERS or character in " ,/":
        return lower
    if character.isspace():
        return "s"
    # [\w+#.\-]: a word character, "+", "#", ".", "-".
    return "w" if character.isalnum() or character in "_+#.-" else "x"


_START: frozenset[str] = frozenset({"start"})
# Transitions of the set of states, filled as they are met (a few dozen in all).
_TRANSITIONS: dict[tuple[frozenset[str], str], frozenset[str]] = {}


def _trailing_or_list_start(text: str) -> tuple[int, int] | None:
    r"""Where a list "A, B, or C" that ends the text starts and ends, or None when the text does not end with one.

    The same answer as the span of re.search(r"((?:[\w+#.\- ]+,\s*)*[\w+#.\- ]+,?\s+(?:or|или|and/or)\s+"
    r"[\w+#.\- ]+)$", text, re.IGNORECASE), which backtracks exponentially when a long list does not end
    the text ("a, b, ..., or similar (any)" took 89 s). Here one pass from the end runs the pattern's
    automaton backwards, carrying the set of states it may be in, and remembers the leftmost place where
    the list may start: linear in the length of the text.
    """
    # "$" matches before a final newline too; the last item cannot hold one.
    end = len(text) - 1 if text.endswith("\n") else len(text)
    states = _START
    leftmost: int | None = None
    for index in range(end - 1, -1, -1):
        kind = _character_class(text[index])
        key = (states, kind)
        following = _TRANSITIONS.get(key)
        if following is None:
            if states is _START:
                following = frozenset({_LAST_ITEM} if kind in _LIST_CLASSES else ())
            else:
                following = frozenset(state for before in states for state in _step(before, kind))
            _TRANSITIONS[key] = following
        states = following
        if not states:
            break
        if _ITEM in states:
            leftmost = index
    return (leftmost, end) if leftmost is not None else None


def _list_items(text: str) -> list[str]:
    parts = re.split(r",|/|\bor\b|\band/or\b|\bили\b", text, flags=re.IGNORECASE)
    return [part.strip(" .") for part in parts if part.strip(" .")]


def _without_lines(text: str, line_numbers: set[int]) -> str:
    if not line_numbers:
        return text
    # Blank the lines rather than drop them, so line numbers still point into the user's text.
    return "\n".join("" if number in line_numbers else line for number, line in enumerate(text.splitlines(), start=1))
