"""Match one job requirement against the CV: met, partial or missing, its credit, and the CV line that shows it (pure).

Skills by the share of their words the CV uses (a list of alternatives met by
any one), years by the dated roles that name the field, a degree by its level
and subject, a language by its level, the job's title against the CV's own
titles, a place by its city.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from app.analysis.alternatives import split_alternatives
from app.analysis.cv_profile import EVIDENCE_CHARS, CvProfile
from app.analysis.job_requirements import ROLE_PREFIX, Requirement, classify, degree_levels
from app.analysis.textproc import content_stems, raw_tokens, stem, stem_set, title_words, without_non_skills
from app.formatting import clip

STATUS_VALUE = {"met": 1.0, "partial": 0.5, "missing": 0.0}
# A requirement's words found in the CV: two of three make it met, one of three partial (one of four is missing).
MET_SHARE, PARTIAL_SHARE = 0.66, 0.34
# Years asked: this share of them still counts as partial ("5+ years" with 3 shown).
PARTIAL_YEARS_SHARE = 0.6

Status = Literal["met", "partial", "missing"]


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
        level = min(degree_levels(requirement.text), default=1)
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
    head, alternatives = split_alternatives(without_non_skills(requirement.text))
    head_stems = [s for s in dict.fromkeys(content_stems(head)) if s not in ignore and s not in GENERIC_STEMS]
    alternative_stems = [[s for s in content_stems(alt) if s not in GENERIC_STEMS] for alt in alternatives]
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
    # With an alternative shown, the head only named their kind ("Cloud platform (AWS, GCP)"); with nothing
    # missing, no word is (the words are not even read then).
    missing_words = (
        tuple(
            word
            for word in _display_words(requirement.text)
            if (word_stems := frozenset(content_stems(word)) - GENERIC_STEMS - ignore) and word_stems <= missing_stems
        )
        if missing_stems and not found_alternatives
        else ()
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


# --- degree --------------------------------------------------------------------

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
    return frozenset(s for s in content_stems(text) if s not in _DEGREE_WORDS and s not in GENERIC_STEMS)


# --- words ---------------------------------------------------------------------

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
GENERIC_STEMS = frozenset(
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


@lru_cache(maxsize=16384)  # a word's answer depends on the word alone (like textproc.stem)
def _is_filler(word: str) -> bool:
    stems = stem_set(word)
    return not stems or stems <= GENERIC_STEMS or stems <= _YEARS_WORDS


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
