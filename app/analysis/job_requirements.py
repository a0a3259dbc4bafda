"""Extract a job description's requirements from what its text says.

app.analysis.segments cuts the posting into segments and classifies each one
(requirement, duty, offer, company, legal, application instructions) from its
heading and its own words; here the requirement segments are split into items,
and every item gets a kind (role, skill, years, degree, certification, language,
location) and whether it is a must-have. Numbered alternatives ("1. ... or
2. ...") stay one requirement that any alternative meets. Nothing here knows
which skills exist: that is what makes it work for a nurse's or a 1C
programmer's job as well as for a developer's. Imports only the analysis layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from app.analysis.posting_headings import starts_like_heading
from app.analysis.segment_kinds import item_must
from app.analysis.segments import Segment, segment
from app.analysis.textproc import Cues, Language, detect_language, grouped_alternation

Kind = str  # "role" | "skill" | "years" | "degree" | "certification" | "language" | "location"
KINDS: tuple[Kind, ...] = ("role", "skill", "years", "degree", "certification", "language", "location")


@dataclass(frozen=True)
class Requirement:
    """One thing the job asks for."""

    text: str
    kind: Kind
    must: bool
    years: float | None = None  # for kind "years": the minimum asked
    degree_level: int | None = None  # for kind "degree": see DEGREE_LEVELS
    equivalent_accepted: bool = False  # "or equivalent experience": never a knock-out
    # "1. A degree and 2 years ...; or 2. Six years ...": the job accepts any one of them
    # (the texts of the alternatives; `text` holds them all).
    alternatives: tuple[str, ...] = ()
    heading: str = ""  # the heading of the posting it was listed under, "" if none


_LOCATION_KEY = re.compile(r"^(?:location|город|локация|адрес|место работы|office)$", re.IGNORECASE)
_REQUIRED_YEARS_KEY = re.compile(
    r"^(?:требуемый опыт работы|опыт работы|experience required|experience)$", re.IGNORECASE
)

_NOT_GIVEN = Cues(r"not specified|not available|не указан|не требуется|not required")
_BULLET = re.compile(r"^\s*(?:[-*•●▪◦‣·–—]|\d{1,2}[.)])\s+")

_YEARS_PATTERNS: tuple[re.Pattern[str], ...] = (
    # (?<!\d): a number is read from its first digit only (from every digit of a
    # long run of digits, the run was rescanned: quadratic); "\s*(?:\+\s*)?"
    # rather than "\s*\+?\s*", whose two runs of spaces split a long run every way.
    re.compile(r"(?<!\d)(\d+(?:[.,]\d)?)\s*(?:\+\s*)?(?:(?:-|–|—|to)\s*\d+\s*)?(?:years?|yrs?)\b", re.IGNORECASE),
    re.compile(r"(?:at least|minimum(?: of)?|min\.?)\s+(\d+)\s+(?:years?|yrs?)", re.IGNORECASE),
    re.compile(
        r"(?:от|более|не менее|свыше|больше)\s+(\d+(?:[.,]\d)?)(?:-?х)?(?:\s*(?:-|–|—|до)\s*\d+)?\s*(?:лет|года|год)",
        re.IGNORECASE,
    ),
    re.compile(r"(?<!\d)(\d+)\s*(?:-|–|—)\s*\d+\s*(?:лет|года)", re.IGNORECASE),
    re.compile(r"(?<!\d)(\d+(?:[.,]\d)?)\+?\s*(?:лет|года|год)\b", re.IGNORECASE),
)
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_WORD_YEARS = Cues(r"\b(one|two|three|four|five|six|seven|eight|nine|ten)\s*(?:\+\s*)?(?:\(\d+\)\s*)?years?\b")

_GENERIC_DEGREE = r"\bdegree\b|\bgraduate\b|university|высшее"
# 4: doctorate, 3: master's, 2: bachelor's / higher education, 1: vocational diploma.
DEGREE_PATTERNS: tuple[tuple[int, str], ...] = (
    (4, r"\bph\.?\s?d\b|doctorate|doctoral|кандидат\w* наук|доктор\w* наук"),
    (3, r"\bmaster|\bm\.?sc\b|\bm\.s\.|\bms(?=\s+in\b|\s+or\b|\s*,)|\b(?-i:MS|MA)\b(?=\s)|\bmba\b|\bmsn\b|магистр"),
    (
        2,
        r"\bbachelor|\bb\.?sc\b|\bb\.s\.|\bb\.a\.|\bbs(?=\s+in\b|\s+or\b|\s*,)|\b(?-i:BS|BA)\b(?=\s)|"
        r"\bbsn\b|бакалавр|специалитет|" + _GENERIC_DEGREE,
        # Words that name higher education without a level: they count only
        # when no level is named ("Master's degree" is a master's).
    ),
    (
        1,
        r"\bdiploma\b|associate|vocational|apprenticeship|trade school|culinary school|college|"
        r"среднее профессиональное|среднее специальное|средне-специальное|техникум|колледж",
    ),
)
DEGREE_LEVELS: tuple[tuple[int, re.Pattern[str]], ...] = tuple(
    (level, grouped_alternation(pattern)) for level, pattern in DEGREE_PATTERNS
)
# All levels' patterns in one: most texts name no degree, and one pass tells so rather than four.
_ANY_DEGREE = grouped_alternation("|".join(pattern for _, pattern in DEGREE_PATTERNS))


def degree_levels(text: str) -> list[int]:
    """The degree levels a text names, highest first (see DEGREE_LEVELS); [] when it names none."""
    if not _ANY_DEGREE.search(text):
        return []
    return [level for level, pattern in DEGREE_LEVELS if pattern.search(text)]


_EQUIVALENT = re.compile(
    r"or equivalent|equivalent (?:practical )?experience|or related experience|или эквивалентный опыт", re.IGNORECASE
)
_CERTIFICATION = Cues(
    r"certif|licen[cs]|\bregistered\b|\bchartered\b|\bcpa\b|\bacca\b|\bcfa\b|\bpmp\b|accredit|"
    r"сертифик|удостоверени|допуск|лицензи|аттестат|аккредит|медицинская книжка|медкнижк"
)
_LANGUAGE_NAME = Cues(
    r"\b(?:english|spanish|french|german|chinese|mandarin|italian|portuguese|arabic|japanese|russian)\b|"
    r"английск|немецк|французск|испанск|китайск|русск"
)
_LANGUAGE_CUE = Cues(
    r"\bfluen|\blanguage|\bspeak|\bwritten\b|\bspoken\b|\bnative\b|\b[abc][12]\b|upper[- ]intermediate|"
    r"intermediate|язык|уровень|разговорн|свободн|\b[abc][12]\b"
)
_LOCATION = Cues(r"\bremote\b|\bhybrid\b|on[- ]?site|in[- ]office|relocat|удал[её]нн|гибрид|переезд|в офисе")
# Any of the three above: most items name none, and one pass tells so.
_KIND_CUES = Cues.any_of(_CERTIFICATION, _LANGUAGE_NAME, _LOCATION)


def extract_requirements(text: str, language: Language | None = None) -> list[Requirement]:
    """Every requirement of the job, in the order the job states them."""
    language = language or detect_language(text)
    items: list[tuple[str, bool, tuple[str, ...], str]] = []  # text, must, alternatives, heading
    key_values: set[str] = set()
    for raw_line in text.splitlines():
        key, value = _split_key_value(raw_line.strip())
        if key is None or not value:
            continue
        if _LOCATION_KEY.match(key) and not _NOT_GIVEN.search(value):
            items.append((f"Location: {value}", False, (), key))
            key_values.add(value.lower())
        elif _REQUIRED_YEARS_KEY.match(key) and _years_in(value) is not None:
            items.append((f"{key}: {value}", True, (), key))
            key_values.add(value.lower())

    segments = segment(text)
    # A job with no requirements heading at all: its loose bullets ask for something too.
    headed = any(found.section in ("must", "nice") for found in segments)
    chosen = [
        found
        for found in segments
        if (found.kind == "requirement" and not _is_key_value(found, key_values))
        or (not headed and found.bullet and found.kind == "other" and found.section in ("", "unknown"))
    ]
    for chosen_segment in chosen:
        if chosen_segment.alternatives:
            items.append(
                (chosen_segment.text, chosen_segment.must, chosen_segment.alternatives, chosen_segment.heading)
            )
            continue
        for item in _split_items(chosen_segment.text, language):
            # A run-on block may say "желательно" of its last item only: each item's own words count.
            must = item_must(item, chosen_segment.section or None)
            items.append((item, must, (), chosen_segment.heading))

    title = job_title(text)
    if title:
        # The role itself: people are hired for what they have done, and human
        # raters weigh it first.
        items.insert(0, (f"{ROLE_PREFIX}{title}", True, (), ""))
    seen: set[str] = set()
    requirements: list[Requirement] = []
    for item, must, alternatives, heading in items:
        normalized = item.lower()
        # "Skills not specified", "не требуется": a field left empty, not a requirement.
        if normalized in seen or len(item) < 2 or (_NOT_GIVEN.search(item) and len(item.split()) <= 5):
            continue
        seen.add(normalized)
        requirement = classify(item, must)
        if alternatives:
            requirement = _with_alternatives(requirement, alternatives)
        requirements.append(replace(requirement, heading=heading))
    return requirements


def job_duties(text: str) -> list[str]:
    """What the job says the person will do ("Develop ...", "Обязанности: ..."): not requirements, but they
    tell what the role is."""
    return [found.text for found in segment(text) if found.kind == "duty"]


def _is_key_value(found: Segment, key_values: set[str]) -> bool:
    """A segment already read as a "Key: value" line (location, required years)."""
    text = found.text.lower()
    return text in key_values or any(text.endswith(": " + value) for value in key_values)


def _with_alternatives(requirement: Requirement, alternatives: tuple[str, ...]) -> Requirement:
    """A requirement any of whose alternatives will do: the least any of them asks for, never a knock-out."""
    years = [value for value in (_years_in(alternative) for alternative in alternatives) if value is not None]
    levels = [_degree_level(alternative) for alternative in alternatives]
    return replace(
        requirement,
        alternatives=alternatives,
        years=min(years) if requirement.kind == "years" and len(years) == len(alternatives) else requirement.years,
        degree_level=min(levels) if requirement.kind == "degree" else requirement.degree_level,
        # Another alternative may not need this degree or these years.
        equivalent_accepted=True,
    )


def _degree_level(text: str) -> int:
    """The lowest degree level a text names, 0 when it names none."""
    levels = degree_levels(_GENERIC_DEGREE_RE.sub(" ", text))
    return min(levels) if levels else 0


ROLE_PREFIX = "Role: "
_TITLE_KEY = re.compile(r"^(?:должность|вакансия|position|job title|title|role)\s*:\s*(.+)$", re.IGNORECASE)
_LEVEL_WORDS = re.compile(
    r"\bsr\.|\bjr\.|\b(?:senior|junior|middle|lead|principal|staff|sr|jr|ii|iii|iv|position|vacancy|opening|вакансия|"
    r"ведущий|старший|младший|главный)\b|\([^()]{0,80}\)",
    re.IGNORECASE,
)


def job_title(text: str) -> str | None:
    """The job's title: a "Должность:/Position:" line, else a short first line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines[:10]:
        keyed = _TITLE_KEY.match(line)
        if keyed:
            return _clean_title(keyed.group(1))
    first = lines[0].lstrip("#*_ ").strip() if lines else ""
    if first and len(first.split()) <= 8 and ":" not in first and not first.endswith("."):
        if starts_like_heading(first):
            return None  # a job that opens with "Requirements" has no title line
        return _clean_title(first)
    return None


# " - Google Cloud", " at Acme", ", Remote": what follows the role in a title.
# (?<!\s): from the first space of a run only; from every space of a long run
# of spaces, the run was rescanned once per space (quadratic).
_TITLE_TAIL = re.compile(r"(?<!\s)\s+(?:-|–|—|\||at|@)\s+|,")


def _clean_title(title: str) -> str | None:
    # "SOFTWARE ENGINEER III - GOOGLE CLOUD" -> "SOFTWARE ENGINEER"; the level
    # and the team are not part of the role.
    title = _TITLE_TAIL.split(title, maxsplit=1)[0]
    title = _LEVEL_WORDS.sub(" ", title)
    title = " ".join(title.split())
    return title or None


_GENERIC_DEGREE_RE = grouped_alternation(_GENERIC_DEGREE)


_NAMES_A_DEGREE_PATTERN = r"degree|diploma|образовани|bachelor|master|ph\.?d|\bbsn\b|\bb\.?sc\b|\bm\.?sc\b|\bmsn\b"
_NAMES_A_DEGREE = grouped_alternation(_NAMES_A_DEGREE_PATTERN)
_ANY_DIGIT = re.compile(r"\d")
_EDUCATION = grouped_alternation(r"образовани|education")
_HIGHER = grouped_alternation(r"высше|higher")
_NONE_REQUIRED = grouped_alternation(r"не требуется|no experience|not required")
_KEY_VALUE = re.compile(r"^(?:#{1,6}\s*)?([^:]{2,60}):\s*(.*)$")


def classify(item: str, must: bool) -> Requirement:
    """Give one requirement item its kind and the numbers it states."""
    if item.startswith(ROLE_PREFIX):
        return Requirement(item, "role", must)
    years = _years_in(item)
    if years is not None:
        return Requirement(item, "years", must, years=years)
    levels = degree_levels(_GENERIC_DEGREE_RE.sub(" ", item))
    if not levels and _GENERIC_DEGREE_RE.search(item):
        levels = [2]
    if _EDUCATION.search(item) and _HIGHER.search(item):
        levels.append(2)
    names_a_degree = _NAMES_A_DEGREE.search(item)
    kind_cue = _KIND_CUES.search(item) is not None  # then read which one
    # "Registered nurse licence" mentions no degree; "BSN and RN licence" does.
    if levels and (names_a_degree or not (kind_cue and _CERTIFICATION.search(item))):
        # "Master's degree or PhD": the lowest level named is enough.
        return Requirement(
            item, "degree", must, degree_level=min(levels), equivalent_accepted=bool(_EQUIVALENT.search(item))
        )
    if kind_cue and _CERTIFICATION.search(item):
        return Requirement(item, "certification", must)
    if kind_cue and _LANGUAGE_NAME.search(item) and (_LANGUAGE_CUE.search(item) or len(item.split()) <= 3):
        return Requirement(item, "language", must)
    # "Remote", "Hybrid, 2 days in office"; a long requirement that mentions remote work is not a location.
    if (kind_cue and _LOCATION.search(item) and len(item.split()) <= 8) or item.startswith("Location:"):
        return Requirement(item, "location", False)
    return Requirement(item, "skill", must)


def _years_in(text: str) -> float | None:
    """The minimum years of experience a phrase asks for, if it asks for any."""
    if _NONE_REQUIRED.search(text):
        return None
    # Every years pattern needs a digit: most items have none, and one search for it is cheap.
    for pattern in _YEARS_PATTERNS if _ANY_DIGIT.search(text) else ():
        match = pattern.search(text)
        if match:
            value = float(match.group(1).replace(",", "."))
            if 0 < value <= 30:
                return value
    word = _WORD_YEARS.search(text)
    if word:
        return float(_WORD_NUMBERS[word.group(1).lower()])
    return None


def _split_key_value(line: str) -> tuple[str | None, str]:
    match = _KEY_VALUE.match(line) if ":" in line else None  # most lines have no colon: no pattern for them
    if not match or _BULLET.match(line):
        return None, ""
    return match.group(1).strip(" *_"), match.group(2).strip()


def _split_items(text: str, language: Language) -> list[str]:
    """Split a block line into items: on ";", on commas of a plain list, on sentences.

    A long sentence with commas ("Strong knowledge of databases, caching, and
    message queues") stays one item; a bare list ("Python, SQL, Excel") is split.
    """
    text = text.strip().rstrip(".;")
    if not text:
        return []
    parts = [part.strip() for part in re.split(r";|\s•\s|(?<=[a-zа-яё)])\.\s+(?=[A-ZА-ЯЁ])", text) if part.strip()]
    items: list[str] = []
    for part in parts:
        # Commas inside parentheses, or a list closed by "or", are one item
        # with alternatives ("scikit-learn, TensorFlow, or PyTorch").
        outside_parentheses = re.sub(r"\([^()]{0,200}\)", "", part)
        pieces = [piece.strip() for piece in outside_parentheses.split(",")]
        has_alternatives = re.search(r",\s*(?:or|или|and/or|and|и)\s", outside_parentheses, re.IGNORECASE)
        if len(pieces) > 2 and not has_alternatives and all(len(piece.split()) <= 4 for piece in pieces):
            items.extend(piece for piece in pieces if piece)
        elif language == "ru" and len(part.split()) > 12:
            items.extend(_split_run_on_russian(part))
        elif language == "ru" and len(part.split()) > 6 and "," not in part:
            items.extend(_split_run_on_russian(part))
        else:
            items.append(part)
    return items


def _split_run_on_russian(text: str) -> list[str]:
    """Split "Активные продажи Холодные звонки Ведение клиентской базы" into its phrases.

    hh.ru exports join skill tags with single spaces; in Russian only the first
    word of a phrase is capitalised, so a capitalised Cyrillic word that follows a
    word starts the next phrase.
    """
    # A capitalised word, not an acronym: "Настройка ПК" stays one phrase.
    phrases = re.split(r"(?<=[\wа-яё)])\s+(?=[А-ЯЁ][а-яё])", text)
    items: list[str] = []
    for phrase in phrases:
        # Requirement lists that lost their bullets and capitals: every item
        # opens with "опыт", "знание", "понимание"... ("опыт ... знание UML ...").
        items.extend(part.strip(" .") for part in _RUSSIAN_ITEM_START.split(phrase) if part.strip(" ."))
    return items


_ITEM_MODIFIERS = ("хорошее", "базовое", "уверенное", "глубокое", "отличное", "желательно", "обязательно")
_RUSSIAN_ITEM_START = re.compile(
    r"(?<=[\w)+#,])"
    + "".join(f"(?<!{word})" for word in _ITEM_MODIFIERS)  # "хорошее знание" stays together
    + r"(?<!\bили)(?<!\bи)"  # "... или опыт ..." is one item with alternatives
    + r"\s+(?=(?:(?:"
    + "|".join(_ITEM_MODIFIERS)
    + r")\s+)?(?:опыт|знание|понимание|навыки|умение|владение|готовность|способность|наличие|"
    r"высшее|образование)\b)",
    re.IGNORECASE,
)
