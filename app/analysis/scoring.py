"""The deterministic CV-against-job analysis: sections, requirements, score, verdict.

No model is involved, so the same CV and job give the same result every time,
and text written to fool a model cannot move the score. The language model
only explains these findings (app/llm/prompting.py builds its prompt,
app/llm/advice_checks.py checks what it wrote).

Score, version 1 (SCORE_VERSION):
  every requirement counts with a weight: must-have 3, nice-to-have 1,
  location 0.5; it earns its weight times 1 (met), 0.5 (partial) or 0 (missing);
  score = round(100 * earned / total weight). A job with no requirement we
  can read scores 0 and says so in a warning.
Verdict:
  not_a_fit   a knock-out (a must-have years of experience, degree or licence
              missing), or more than NOT_A_FIT_MISSING_SHARE (half) of the
              must-haves missing, or score < PARTIAL_FIT_MIN;
  strong_fit  score >= STRONG_FIT_MIN and at most STRONG_FIT_MISSING_SHARE (a
              fifth) of the must-haves missing;
  partial_fit otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from app.analysis.cv_sections import CORE_SECTIONS, DATE_RANGE, SectionHit, find_sections, line_sections
from app.analysis.injection import InjectionFinding, find_injections
from app.analysis.job_requirements import DEGREE_LEVELS, ROLE_PREFIX, Requirement, extract_requirements
from app.analysis.textproc import Language, content_stems, detect_language, raw_tokens, stem, stem_set, title_words
from app.formatting import clip

SCORE_VERSION = "1.0"
STRONG_FIT_MIN = 70
PARTIAL_FIT_MIN = 30
MUST_WEIGHT, NICE_WEIGHT, LOCATION_WEIGHT = 3.0, 1.0, 0.5
STATUS_VALUE = {"met": 1.0, "partial": 0.5, "missing": 0.0}
# A requirement's words found in the CV: two of three make it met, one of three partial (one of four is missing).
MET_SHARE, PARTIAL_SHARE = 0.66, 0.34
# With a list of alternatives ("Python or Java"): at least half the other words found.
ALTERNATIVES_HEAD_SHARE = 0.5
# Years asked: this share of them still counts as partial ("5+ years" with 3 shown).
PARTIAL_YEARS_SHARE = 0.6
# The verdict: more than this share of must-haves missing is not a fit; at most this share allows a strong fit.
NOT_A_FIT_MISSING_SHARE, STRONG_FIT_MISSING_SHARE = 0.5, 0.2
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


class CvProfile:
    """The CV prepared once for matching: its lines with their stems, years and degree."""

    def __init__(self, text: str, today: dt.date) -> None:
        self.text = text
        self.lines = [
            _CvLine(line.strip(), frozenset(content_stems(line))) for line in text.splitlines() if line.strip()
        ]
        self.stems: frozenset[str] = (
            frozenset().union(*(line.stems for line in self.lines)) if self.lines else frozenset()
        )
        self.language = detect_language(text)
        self.years = estimate_years_of_experience(text, today)
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
    score = compute_score(matches)
    knockouts = find_knockouts(matches)
    verdict = decide_verdict(score, matches, knockouts)

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
    )


def match_requirement(requirement: Requirement, profile: CvProfile) -> RequirementMatch:
    """How far the CV meets one requirement, with the CV line that shows it."""
    if requirement.kind == "years":
        return _match_years(requirement, profile)
    if requirement.kind == "degree":
        return _match_degree(requirement, profile)
    if requirement.kind == "language":
        return _match_language(requirement, profile)
    if requirement.kind == "role":
        return _match_role(requirement, profile)
    return _match_terms(requirement, profile)


def _match_role(requirement: Requirement, profile: CvProfile) -> RequirementMatch:
    """The job's title against the CV's lines, word for word (no aggressive stemming)."""
    wanted = title_words(requirement.text.removeprefix(ROLE_PREFIX)) - _ROLE_FILLER
    if not wanted:
        return RequirementMatch(requirement, "missing", None)
    best_line: str | None = None
    best_hits: frozenset[str] = frozenset()
    for line in profile.lines:
        hits = wanted & title_words(line.text)
        if len(hits) > len(best_hits):
            best_line, best_hits = line.text, hits
    share = len(best_hits) / len(wanted)
    status: Status = "met" if share >= MET_SHARE else "partial" if share >= PARTIAL_SHARE else "missing"
    evidence = clip(best_line, EVIDENCE_CHARS) if best_line and status != "missing" else None
    return RequirementMatch(requirement, status, evidence, tuple(best_hits), tuple(wanted - best_hits))


def _match_terms(
    requirement: Requirement, profile: CvProfile, *, ignore: frozenset[str] = frozenset()
) -> RequirementMatch:
    """Skill-like requirements: the share of the requirement's words found in the CV.

    A list of alternatives ("scikit-learn, TensorFlow, or PyTorch", "(e.g.
    Python, Java)") is met by any one of them.
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
        return RequirementMatch(requirement, "missing", None)
    status: Status
    if alternative_stems:
        alt_ok = bool(found_alternatives)
        if head_share is None:
            status = "met" if alt_ok else "missing"
        elif alt_ok and head_share >= ALTERNATIVES_HEAD_SHARE:
            status = "met"
        elif alt_ok or head_share >= ALTERNATIVES_HEAD_SHARE:
            status = "partial"
        else:
            status = "missing"
    else:
        assert head_share is not None
        # Two of three words met; one of three is not enough for partial.
        status = "met" if head_share >= MET_SHARE else "partial" if head_share >= PARTIAL_SHARE else "missing"

    wanted = found_head + [s for stems in found_alternatives for s in stems]
    evidence, _ = profile.best_line(wanted) if wanted and status != "missing" else (None, frozenset())
    missing_terms = missing_head + ([] if found_alternatives else [s for stems in alternative_stems for s in stems])
    return RequirementMatch(requirement, status, evidence, tuple(wanted), tuple(missing_terms))


def _match_years(requirement: Requirement, profile: CvProfile) -> RequirementMatch:
    """Years asked against years the CV shows, and the field of those years."""
    asked = requirement.years or 0.0
    if profile.years is None:
        years_status: Status = "missing"
    elif profile.years >= asked:
        years_status = "met"
    elif profile.years >= asked * PARTIAL_YEARS_SHARE:
        years_status = "partial"
    else:
        years_status = "missing"
    # "3+ years of experience in machine learning": the years must be in that field.
    field_match = _match_terms(requirement, profile, ignore=_YEARS_WORDS)
    status: Status
    if field_match.status == "missing" and field_match.missing_terms:
        status = "missing" if years_status != "met" or len(field_match.missing_terms) > 1 else "partial"
    elif field_match.status == "partial":
        status = "partial" if years_status == "met" else "missing"
    else:
        status = years_status
    years_text = f"{profile.years:g} years of experience" if profile.years is not None else None
    evidence = field_match.evidence or years_text
    if years_text and field_match.evidence:
        evidence = f"{years_text}; {field_match.evidence}"
    # Only too few years rules a CV out; years in a neighbouring field are a gap to explain.
    return RequirementMatch(
        requirement,
        status,
        evidence,
        field_match.matched_terms,
        field_match.missing_terms,
        knocks_out=requirement.must and years_status == "missing",
    )


def _match_degree(requirement: Requirement, profile: CvProfile) -> RequirementMatch:
    asked = requirement.degree_level or 2
    have = profile.degree_level
    if have >= asked:
        status: Status = "met"
    elif have == asked - 1 or (have > 0 and requirement.equivalent_accepted):
        status = "partial"
    else:
        status = "missing"
    return RequirementMatch(
        requirement,
        status,
        profile.degree_line if have else None,
        knocks_out=requirement.must and status == "missing" and not requirement.equivalent_accepted,
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
    return RequirementMatch(requirement, "missing", None, (), tuple(names))


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


def compute_score(matches: list[RequirementMatch]) -> int:
    """Score version 1: weighted share of requirements met (see the module docstring)."""
    total = earned = 0.0
    for match in matches:
        weight = (
            LOCATION_WEIGHT
            if match.requirement.kind == "location"
            else MUST_WEIGHT
            if match.requirement.must
            else NICE_WEIGHT
        )
        total += weight
        earned += weight * STATUS_VALUE[match.status]
    return round(100 * earned / total) if total else 0


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


def decide_verdict(score: int, matches: list[RequirementMatch], knockouts: list[str]) -> Verdict:
    musts = [match for match in matches if match.requirement.must]
    missing_share = sum(match.status == "missing" for match in musts) / len(musts) if musts else 0.0
    if knockouts or missing_share > NOT_A_FIT_MISSING_SHARE or score < PARTIAL_FIT_MIN:
        return "not_a_fit"
    if score >= STRONG_FIT_MIN and missing_share <= STRONG_FIT_MISSING_SHARE:
        return "strong_fit"
    return "partial_fit"


# --- years of experience -------------------------------------------------

_MONTHS = {
    **{
        name: number
        for number, name in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
        )
    },
    **{
        name: number
        for number, name in enumerate(
            ["янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"], start=1
        )
    },
    "май": 5,
}
_NOT_WORK_SECTIONS = frozenset({"education", "certifications", "projects", "languages"})
_STATED_YEARS = (
    re.compile(r"(\d+(?:[.,]\d)?)\s*\+?\s*(?:years?|yrs?)(?:\s+of)?(?:\s+\w+){0,3}?\s+experience", re.IGNORECASE),
    re.compile(r"experience\s*(?:of|:)?\s*(\d+(?:[.,]\d)?)\s*\+?\s*years?", re.IGNORECASE),
    re.compile(
        r"опыт\w* работы:?\s*(?:более\s+|свыше\s+)?(\d+)\s*(?:лет|года|год)(?:\s*(\d+)\s*месяц)?", re.IGNORECASE
    ),
)
_EDUCATION_LINE = re.compile(
    r"universit|college|school|academy|institute|bachelor|master|ph\.?d|b\.?sc|m\.?sc|degree|gpa|coursework|"
    r"университет|институт|академи|колледж|техникум|образовани|факультет|диплом",
    re.IGNORECASE,
)


def estimate_years_of_experience(text: str, today: dt.date) -> float | None:
    """Years of work the CV shows: merged date ranges of work, or the years it states.

    Date ranges on education lines are left out. When both a stated figure
    ("6 years of experience") and dated jobs exist, the larger is taken: CVs
    often leave early jobs undated but never invent dates.
    """
    intervals: list[tuple[float, float]] = []
    for line, section in zip(text.splitlines(), line_sections(text), strict=True):
        if section in _NOT_WORK_SECTIONS or _EDUCATION_LINE.search(line):
            continue
        for match in DATE_RANGE.finditer(line):
            start = _month_value(
                match.group("start_month"), match.group("start_numeric_month"), int(match.group("start")), 1
            )
            if match.group("open"):
                end = today.year + (today.month - 1) / 12
            else:
                end = _month_value(
                    match.group("end_month"), match.group("end_numeric_month"), int(match.group("end")), 12
                )
            if end >= start:
                intervals.append((start, end))
    dated = _merged_length(intervals) if intervals else None

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


def _month_value(month_word: str | None, numeric_month: str | None, year: int, default_month: int) -> float:
    month = default_month
    if numeric_month:
        month = int(numeric_month[:-1]) or default_month
    elif month_word:
        month = _MONTHS.get(month_word.strip().lower()[:3], default_month)
    # An end month counts in full: "Jan 2020 - Dec 2020" is one year.
    return year + (month - 1) / 12 + (1 / 12 if default_month == 12 else 0)


def _merged_length(intervals: list[tuple[float, float]]) -> float:
    total = 0.0
    current_start, current_end = None, None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None and current_start is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None and current_start is not None:
        total += current_end - current_start
    return total


# --- degree ----------------------------------------------------------------

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
    )
)
_ROLE_FILLER = title_words("role position job")
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
_ALTERNATIVES = re.compile(r"\((?:e\.g\.,?|such as|like|например|напр\.)?\s*([^)]*)\)", re.IGNORECASE)


def _split_alternatives(text: str) -> tuple[str, list[str]]:
    """Split a requirement into its head and a list of alternatives, if it has one.

    "Expert in Java, Go, or Python" -> ("Expert in", ["Java", "Go", "Python"]);
    "NLP libraries (spaCy, NLTK, Hugging Face)" -> ("NLP libraries", ["spaCy", "NLTK", "Hugging Face"]).
    """
    parenthesised = _ALTERNATIVES.search(text)
    if (parenthesised and "," in parenthesised.group(1)) or (
        parenthesised and re.search(r"\bor\b|\bили\b|/", parenthesised.group(1) if parenthesised else "")
    ):
        head = text[: parenthesised.start()] + text[parenthesised.end() :]
        return head, _list_items(parenthesised.group(1))
    or_list = re.search(r"((?:[\w+#.\- ]+,\s*)*[\w+#.\- ]+,?\s+(?:or|или|and/or)\s+[\w+#.\- ]+)$", text, re.IGNORECASE)
    if or_list and re.search(r"\b(?:or|или|and/or)\b", text, re.IGNORECASE):
        items = _list_items(or_list.group(1))
        if len(items) >= 2 and all(len(item.split()) <= 3 for item in items[1:]):
            # The first item carries the head words ("Expert in Java"): keep them as the head.
            first_words = items[0].split()
            head = text[: or_list.start()] + " ".join(first_words[:-1])
            items[0] = first_words[-1] if first_words else items[0]
            return head, items
    return text, []


def _list_items(text: str) -> list[str]:
    parts = re.split(r",|/|\bor\b|\band/or\b|\bили\b", text, flags=re.IGNORECASE)
    return [part.strip(" .") for part in parts if part.strip(" .")]


def _without_lines(text: str, line_numbers: set[int]) -> str:
    if not line_numbers:
        return text
    # Blank the lines rather than drop them, so line numbers still point into the user's text.
    return "\n".join("" if number in line_numbers else line for number, line in enumerate(text.splitlines(), start=1))
