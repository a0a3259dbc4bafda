"""Extract a job description's requirements from its own structure.

The job's text says what it wants: "Requirements" / "Требования" blocks, their
bullets, "Skills: a, b, c" lines, "Nice to have" / "Будет плюсом" blocks. We
read those blocks, split them into items, and give every item a kind
(skill, years, degree, certification, language, location) and whether it is a
must-have. Nothing here knows which skills exist: that is what makes it work
for a nurse's or a 1C programmer's job as well as for a developer's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.analysis.textproc import Language, detect_language

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


# Block headings. "nice" is tested before "must" because "Preferred
# qualifications" also contains "qualifications".
_NICE_HEADING = re.compile(
    r"nice[- ]to[- ]have|preferred|bonus|pluses|plus if|would be (?:a )?(?:plus|great|nice)|desirable|"
    r"desired|advantage|optional|good to have|extra credit|^навыки$|^ключевые навыки$|"
    r"будет плюсом|плюсом будет|желательно|"
    r"преимуществом|приветствуется|дополнительным плюсом|будет преимуществом",
    re.IGNORECASE,
)
_MUST_HEADING = re.compile(
    r"requirements?|required|qualifications|must[- ]haves?|what you(?:'ll)? (?:need|bring|have)|"
    r"what we(?:'re| are)? looking for|who you are|you have|you are|about you|your profile|"
    r"(?:key |core |required |technical )?skills|competencies|ideal candidate|we expect|"
    r"требования|требуется|что ждем|что мы ждем|мы ждем|мы ожидаем|ожидаем|от кандидата|"
    r"необходимые навыки|что нужно|нам важно|вы нам подходите|"
    r"наши ожидания|необходимо",
    re.IGNORECASE,
)
_IGNORED_HEADING = re.compile(
    r"responsibilit|duties|what you(?:'ll)? do|day to day|your role|the role|about|offer|benefits|"
    r"perks|compensation|salary|why join|how to apply|to apply|company|team|overview|summary|"
    r"description|обязанности|задачи|чем предстоит|тебе предстоит|вам предстоит|условия|"
    r"мы предлагаем|что предлагаем|предлагаем|о компании|о нас|описание|зарплата|заработная|род деятельности",
    re.IGNORECASE,
)
_LOCATION_KEY = re.compile(r"^(?:location|город|локация|адрес|место работы|office)$", re.IGNORECASE)
_REQUIRED_YEARS_KEY = re.compile(
    r"^(?:требуемый опыт работы|опыт работы|experience required|experience)$", re.IGNORECASE
)

# Headings embedded in one long line (hh.ru exports and pasted text lose their
# line breaks): break the line before them so each block can be read alone.
_INLINE_HEADING_WORDS = (
    r"(?:Требования|Что ждём от кандидата|Что ждем от кандидата|Мы ждём|Мы ждем|Ожидаем|"
    r"Будет плюсом|Будет преимуществом|Обязанности|Задачи|Условия|Мы предлагаем|Что предлагаем|"
    r"Тебе предстоит|Вам предстоит|Навыки|Ключевые навыки|Род деятельности|Requirements|"
    r"Preferred Qualifications|Minimum Qualifications|Basic Qualifications|Qualifications|"
    r"Responsibilities|Nice to have|What we offer|Benefits)"
)
# A heading inside a line ends with a colon, or (hh.ru, where the colon was
# lost with the line break) with two spaces.
# Not inside a longer heading: "Preferred Qualifications:" is one heading.
_INLINE_HEADING = re.compile(
    # (?<!\s): from the first space of a run only; from every space of it, a long
    # run of spaces was rescanned once per space (quadratic).
    r"(?<!Preferred)(?<!Minimum)(?<!Basic)(?<!Key)(?<!\s)\s+(?=" + _INLINE_HEADING_WORDS + r"(?:\s*:|\s{2,}))"
    # ... or, its colon lost, right after a sentence and before a lower-case word
    # ("...по проекту. Требования опыт работы от 3 лет ..."): spaces may be normalised away.
    r"|(?<=[.!?;])\s+(?=" + _INLINE_HEADING_WORDS + r"\s+[a-zа-яё])"
)
_HEADING_WITHOUT_COLON = re.compile(r"^(" + _INLINE_HEADING_WORDS + r")(?:\s{2,}|\s+(?=[a-zа-яё]))")
_NOT_GIVEN = re.compile(r"not specified|not available|не указан|не требуется|not required", re.IGNORECASE)
# An item of a must-have block that calls itself optional.
_OPTIONAL_ITEM = re.compile(
    r"\bpreferred\b|\bis a plus\b|\ba plus\b|nice to have|\bideally\b|желательно|будет плюсом|приветствуется|"
    r"преимуществом",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•●▪◦‣·–—]|\d{1,2}[.)])\s+")
# A Markdown heading, a line in capitals ("REQUIREMENTS"), or a line ending in a
# colon. "In capitals" is a look-ahead for one capital and no lower-case letter
# anywhere: `[^a-z]*[A-Z][^a-z]*$` tried every split of a long capital line (quadratic).
_HEADING_SHAPE = re.compile(r"^#{1,6}\s+\S|^(?=[^A-ZА-ЯЁ]*[A-ZА-ЯЁ])[^a-zа-яё]*$|:\s*$")

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
_WORD_YEARS = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten)\s*\+?\s*(?:\(\d+\)\s*)?years?\b", re.IGNORECASE
)

_GENERIC_DEGREE = r"\bdegree\b|\bgraduate\b|university|высшее"
# 4: doctorate, 3: master's, 2: bachelor's / higher education, 1: vocational diploma.
DEGREE_LEVELS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (4, re.compile(r"\bph\.?\s?d\b|doctorate|doctoral|кандидат\w* наук|доктор\w* наук", re.IGNORECASE)),
    (
        3,
        re.compile(
            r"\bmaster|\bm\.?sc\b|\bm\.s\.|\bms(?=\s+in\b|\s+or\b|\s*,)|\b(?-i:MS|MA)\b(?=\s)|\bmba\b|\bmsn\b|магистр",
            re.IGNORECASE,
        ),
    ),
    (
        2,
        re.compile(
            r"\bbachelor|\bb\.?sc\b|\bb\.s\.|\bb\.a\.|\bbs(?=\s+in\b|\s+or\b|\s*,)|\b(?-i:BS|BA)\b(?=\s)|"
            r"\bbsn\b|бакалавр|специалитет|" + _GENERIC_DEGREE,
            # Words that name higher education without a level: they count only
            # when no level is named ("Master's degree" is a master's).
            re.IGNORECASE,
        ),
    ),
    (
        1,
        re.compile(
            r"\bdiploma\b|associate|vocational|apprenticeship|trade school|culinary school|college|"
            r"среднее профессиональное|среднее специальное|средне-специальное|техникум|колледж",
            re.IGNORECASE,
        ),
    ),
)
_EQUIVALENT = re.compile(
    r"or equivalent|equivalent (?:practical )?experience|or related experience|или эквивалентный опыт", re.IGNORECASE
)
_CERTIFICATION = re.compile(
    r"certif|licen[cs]|\bregistered\b|\bchartered\b|\bcpa\b|\bacca\b|\bcfa\b|\bpmp\b|accredit|"
    r"сертифик|удостоверени|допуск|лицензи|аттестат|аккредит|медицинская книжка|медкнижк",
    re.IGNORECASE,
)
_LANGUAGE_NAME = re.compile(
    r"\b(?:english|spanish|french|german|chinese|mandarin|italian|portuguese|arabic|japanese|russian)\b|"
    r"английск|немецк|французск|испанск|китайск|русск",
    re.IGNORECASE,
)
_LANGUAGE_CUE = re.compile(
    r"\bfluen|\blanguage|\bspeak|\bwritten\b|\bspoken\b|\bnative\b|\b[abc][12]\b|upper[- ]intermediate|"
    r"intermediate|язык|уровень|разговорн|свободн|\b[abc][12]\b",
    re.IGNORECASE,
)
_LOCATION = re.compile(
    r"\bremote\b|\bhybrid\b|on[- ]?site|in[- ]office|relocat|удал[её]нн|гибрид|переезд|в офисе", re.IGNORECASE
)


def split_inline_headings(text: str) -> str:
    """Put embedded block headings ("... Требования: ...") on their own lines."""
    # Only deep inside a long line: "Preferred Qualifications:" at a line start
    # is one heading, not "Preferred" followed by "Qualifications:".
    split = "\n".join(_split_line_at_headings(line) for line in text.splitlines())
    return "\n".join(_HEADING_WITHOUT_COLON.sub(r"\1: ", line) for line in split.splitlines())


def _split_line_at_headings(line: str) -> str:
    return _INLINE_HEADING.sub(lambda match: "\n" if _ends_a_block(line[: match.start()]) else match.group(0), line)


def _ends_a_block(before: str) -> bool:
    """Whether text before an embedded heading is a finished block ("Описание:", "... sentence.")."""
    before = before.rstrip()
    return len(before) >= 30 or before.endswith((":", ".", ";", "!", "?"))


def extract_requirements(text: str, language: Language | None = None) -> list[Requirement]:
    """Every requirement of the job, in the order the job states them."""
    language = language or detect_language(text)
    items: list[tuple[str, bool]] = []
    loose_bullets: list[str] = []  # bullets outside any recognised block, for jobs without headings
    saw_heading = False
    block: str | None = None  # None (preamble), "must", "nice" or "ignore"
    for raw_line in split_inline_headings(text).splitlines():
        line = raw_line.strip()
        if not line:
            continue
        key, value = _split_key_value(line)
        if key is not None:
            if _LOCATION_KEY.match(key) and value and not _NOT_GIVEN.search(value):
                items.append((f"Location: {value}", False))
                continue
            if _REQUIRED_YEARS_KEY.match(key) and value and _years_in(value) is not None:
                items.append((f"{key}: {value}", True))
                continue
        heading_block = _heading_block(line, key)
        if heading_block is not None:
            block = heading_block
            saw_heading = True
            if value:  # "Skills: Python, SQL" carries its items on the same line
                items.extend((item, block == "must") for item in _split_items(value, language) if block != "ignore")
            continue
        if block in ("must", "nice"):
            items.extend((item, block == "must") for item in _split_items(_BULLET.sub("", line), language))
        elif block is None and _BULLET.match(line):
            loose_bullets.append(_BULLET.sub("", line).strip())

    if not items:
        # A job with no requirement block: its loose bullets, else (no headings
        # at all) its sentences that ask for something. Bullets under "What we
        # offer" are never requirements.
        fallback = loose_bullets or ([] if saw_heading else _requirement_sentences(text))
        items = [(item, True) for item in fallback]
    title = job_title(text)
    if title:
        # The role itself: people are hired for what they have done, and human
        # raters weigh it first.
        items.insert(0, (f"{ROLE_PREFIX}{title}", True))
    seen: set[str] = set()
    requirements: list[Requirement] = []
    for item, must in items:
        normalized = item.lower()
        if normalized in seen or len(item) < 2 or _NOT_GIVEN.search(item):
            continue
        seen.add(normalized)
        requirements.append(classify(item, must and not _OPTIONAL_ITEM.search(item)))
    return requirements


ROLE_PREFIX = "Role: "
_TITLE_KEY = re.compile(r"^(?:должность|вакансия|position|job title|title|role)\s*:\s*(.+)$", re.IGNORECASE)
_LEVEL_WORDS = re.compile(
    r"\bsr\.|\bjr\.|\b(?:senior|junior|middle|lead|principal|staff|sr|jr|ii|iii|iv|position|vacancy|opening|вакансия|"
    r"ведущий|старший|младший|главный)\b",
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
        if any(pattern.match(first) for pattern in (_NICE_HEADING, _MUST_HEADING, _IGNORED_HEADING)):
            return None  # a job that opens with "Requirements" has no title line
        return _clean_title(first)
    return None


# " - Google Cloud", " at Acme", ", Remote": what follows the role in a title.
# (?<!\s): from the first space of a run only (see _INLINE_HEADING).
_TITLE_TAIL = re.compile(r"(?<!\s)\s+(?:-|–|—|\||at|@)\s+|,")


def drop_parenthesised(text: str, replacement: str = "") -> str:
    r"""The text with every "(...)" replaced: from each "(" to the first ")" after it.

    What re.sub(r"\([^)]*\)", replacement, text) does, in linear time: the
    pattern rescans the rest of the text from every "(" that is never closed
    ("((((..." took minutes). Titles are one line, so `\(.*?\)` there is the same.
    """
    pieces: list[str] = []
    position = 0
    while (opening := text.find("(", position)) >= 0:
        closing = text.find(")", opening + 1)
        if closing < 0:
            break  # no ")" after this "(": none after a later one either
        pieces += [text[position:opening], replacement]
        position = closing + 1
    pieces.append(text[position:])
    return "".join(pieces)


def _clean_title(title: str) -> str | None:
    # "SOFTWARE ENGINEER III - GOOGLE CLOUD" -> "SOFTWARE ENGINEER"; the level
    # and the team are not part of the role.
    title = _TITLE_TAIL.split(title, maxsplit=1)[0]
    title = _LEVEL_WORDS.sub(" ", drop_parenthesised(title, " "))
    title = " ".join(title.split())
    return title or None


_GENERIC_DEGREE_RE = re.compile(_GENERIC_DEGREE, re.IGNORECASE)


def classify(item: str, must: bool) -> Requirement:
    """Give one requirement item its kind and the numbers it states."""
    if item.startswith(ROLE_PREFIX):
        return Requirement(item, "role", must)
    years = _years_in(item)
    if years is not None:
        return Requirement(item, "years", must, years=years)
    levels = [level for level, pattern in DEGREE_LEVELS if pattern.search(_GENERIC_DEGREE_RE.sub(" ", item))]
    if not levels and _GENERIC_DEGREE_RE.search(item):
        levels = [2]
    if re.search(r"образовани|education", item, re.IGNORECASE) and re.search(r"высше|higher", item, re.IGNORECASE):
        levels.append(2)
    names_a_degree = re.search(
        r"degree|diploma|образовани|bachelor|master|ph\.?d|\bbsn\b|\bb\.?sc\b|\bm\.?sc\b|\bmsn\b", item, re.IGNORECASE
    )
    # "Registered nurse licence" mentions no degree; "BSN and RN licence" does.
    if levels and (names_a_degree or not _CERTIFICATION.search(item)):
        # "Master's degree or PhD": the lowest level named is enough.
        return Requirement(
            item, "degree", must, degree_level=min(levels), equivalent_accepted=bool(_EQUIVALENT.search(item))
        )
    if _CERTIFICATION.search(item):
        return Requirement(item, "certification", must)
    if _LANGUAGE_NAME.search(item) and (_LANGUAGE_CUE.search(item) or len(item.split()) <= 3):
        return Requirement(item, "language", must)
    if _LOCATION.search(item) or item.startswith("Location:"):
        return Requirement(item, "location", False)
    return Requirement(item, "skill", must)


def _years_in(text: str) -> float | None:
    """The minimum years of experience a phrase asks for, if it asks for any."""
    if re.search(r"не требуется|no experience|not required", text, re.IGNORECASE):
        return None
    for pattern in _YEARS_PATTERNS:
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
    match = re.match(r"^(?:#{1,6}\s*)?([^:]{2,60}):\s*(.*)$", line)
    if not match or _BULLET.match(line):
        return None, ""
    return match.group(1).strip(" *_"), match.group(2).strip()


def _heading_block(line: str, key: str | None) -> str | None:
    """The block a heading line opens, or None when the line is not a heading."""
    if _BULLET.match(line):
        return None
    candidate = key if key is not None else line.strip("#*_ ")
    if len(candidate.split()) > 8:
        return None
    shaped = key is not None or _HEADING_SHAPE.search(line) is not None
    # A short plain line that starts with heading words ("Requirements",
    # "Nice to have", "What we offer") is a heading too.
    if not shaped:
        if len(candidate.split()) > 5 or candidate.endswith((".", ",", ";")):
            return None
        if _NICE_HEADING.search(candidate):
            return "nice"
        if _MUST_HEADING.match(candidate):  # anchored: "Strong Python skills" is an item
            return "must"
        if _IGNORED_HEADING.search(candidate):
            return "ignore"
        return None
    if _NICE_HEADING.search(candidate):
        return "nice"
    if _MUST_HEADING.search(candidate):
        return "must"
    if _IGNORED_HEADING.search(candidate) or key is None:
        return "ignore"
    return None  # "Note: ..." inside a block is content, not a heading


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
        outside_parentheses = drop_parenthesised(part)
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


def _requirement_sentences(text: str) -> list[str]:
    """Requirements of a job written as prose: its sentences that ask for something."""
    sentences = re.split(r"(?<=[.!?;])\s+", text.replace("\n", " "))
    cue = re.compile(
        r"experience|knowledge|skill|degree|licen|certif|abilit|proficien|familiar|expert|"
        r"опыт|знани|умени|навык|образовани|владени",
        re.IGNORECASE,
    )
    return [sentence.strip() for sentence in sentences if cue.search(sentence)] or [
        sentence.strip() for sentence in sentences if sentence.strip()
    ]
