"""Find a posting's headings, by their words and their shape, and what each says the text under it is (pure).

Headings come in capitals, as questions, as sentences ("What we need", "Is
this you?"), glued to a line ("Требования: ...") or embedded in one long line
(hh.ru exports); each is read as a SectionKind.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from app.analysis.posting_clauses import LIST_MARKER
from app.analysis.textproc import Cues

# What a heading says the text under it is: "must"/"nice" requirements, the
# other segment kinds, or "unknown" (a heading by shape whose words we do not know).
SectionKind = Literal["must", "nice", "duty", "offer", "company", "legal", "apply", "other", "unknown"]

# --- their words ------------------------------------------------------------------------------------------------------

# Tested in this order: "Preferred Qualifications" is nice although it also says
# "qualifications"; "What we offer" is an offer although it says "we".
_HEADING_PATTERNS: tuple[tuple[SectionKind, str], ...] = (
    (
        "legal",
        r"equal (?:employment )?opportunit|\beeo\b|accommodation|disclaimer|legal notice|diversity|"
        r"affirmative action",
    ),
    ("apply", r"how to apply|\bto apply\b|apply now|\bapplication (?:process|instructions)|next steps|отклик"),
    (
        "offer",
        r"\boffer|benefits|perks|compensation|\bsalary|\bpay\b|^why\b|in it for you|"
        r"we provide|what we give|what you.ll get|rewards|work schedule|schedule|telework|relocation|"
        r"предлага|условия|бонусы|зарплат|заработн|мы да[её]м|почему мы|что мы готовы",
    ),
    (
        "nice",
        r"preferred|nice[- ]to[- ]have|bonus|\bpluses\b|\bplus if\b|would be (?:a )?(?:plus|great|nice)|"
        r"desirable|desired|advantage|optional|good to have|extra credit|"
        r"great if|ideally|^навыки$|^ключевые навыки$|"
        r"будет плюсом|плюсом будет|желательно|преимуществ|приветствуется|дополнительн",
    ),
    (
        "duty",
        r"responsibilit|duties|what you.ll do|what you will do|what will you do|day[- ]to[- ]day|your day|"
        r"in this role|you will get to|the role involves|tasks|your mission|what you.ll be doing|role purpose|"
        r"обязанност|задачи|предстоит|функционал|что нужно делать|что делать|чем заниматься|"
        r"род деятельности|чем ты будешь",
    ),
    (
        "must",
        r"requirement|required|qualification|qual requirements|must[- ]haves?|what you.ll need|"
        r"what you need|what you.ll bring|what you bring|what you have|what we need|what we.re looking for|"
        r"what we are looking for|who you are|who we.re looking for|who we are looking for|you have|"
        r"you bring|about you|your profile|skills|competenc|ideal candidate|we expect|expect you|"
        r"is this you|are you|do you have|your background|your experience|knowledge, skills|\bksas?\b|"
        r"eligibility|specialized experience|^experience$|^education$|minimum|basic|to qualify|"
        r"требовани|требуется|ждем|ждём|ожидаем|ожидания|от кандидат|от вас|навыки|что нужно|нам важно|"
        r"подходишь|подходите|кого мы ищем|кто нам нужен|каким мы|каким ты|идеальн|необходимо|квалификац",
    ),
    (
        "company",
        r"about (?:us|the company|our company)|who (?:we are|are we)|our (?:story|company|mission|values|team)|"
        r"life at\b|culture|"
        r"company|о компании|о нас|кто мы|наша команда",
    ),
    (
        "other",
        r"description|summary|overview|\bnotes?\b|definition|about the (?:job|role|position)|"
        # Fields of a job board's export: "Должность: ...", "Team: ...", "Адрес: ...".
        r"^(?:должность|вакансия|position|job title|title|адрес|address|локация|location|город|"
        r"employment type|team|команда|организация|organization)$|"
        r"описание|тип занятости|технологический стек|tech stack",
    ),
)
_HEADING_LEXICON: tuple[tuple[SectionKind, Cues], ...] = tuple(
    (kind, Cues(pattern)) for kind, pattern in _HEADING_PATTERNS
)


@lru_cache(maxsize=4096)
def heading_kind(heading: str) -> SectionKind | None:
    """What the text under a heading with these words is, or None when the words say nothing."""
    heading = heading.strip(" #*_:-—–?").replace("’", "'")
    for kind, pattern in _HEADING_LEXICON:
        if pattern.search(heading):
            return kind
    return None


# --- their shape ------------------------------------------------------------------------------------------------------

_FENCE = re.compile(r"<{3}|>{3}")
_LABEL = re.compile(r"^([^:.!?;\n]{2,80}?):(?:\s+|$)")
# A capital somewhere and no lower-case letter anywhere, as a look-ahead:
# `^[^a-z]*[A-Z][^a-z]*$` tried every split of a long line in capitals (quadratic).
_ALL_CAPS = re.compile(r"^(?=[^A-ZА-ЯЁ]*[A-ZА-ЯЁ])[^a-zа-яё]*$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S|^\*\*[^*]{2,80}\*\*:?$|^__[^_]{2,80}__:?$")


def _label_words(label: str) -> int:
    return len(label.split())


_CAPS_LABEL = re.compile(r"^([A-ZА-ЯЁ][A-ZА-ЯЁ&/'-]+(?: [A-ZА-ЯЁ&/'-]+){1,7})\s+(?=[A-ZА-ЯЁ][a-zа-яё])")


def leading_heading(clause: str) -> tuple[str, SectionKind, str] | None:
    """A heading at the start of a clause ("Preferred Skills: The ideal ..."): (heading, kind, rest)."""
    caps = _CAPS_LABEL.match(clause)
    if caps:
        # "SPECIAL NOTE Maximum tenure ...", "JOB DESCRIPTION The Account Manager ...": the colon was lost.
        label = caps.group(1)
        return label, heading_kind(label) or "unknown", clause[caps.end() :].strip()
    match = _LABEL.match(clause) if ":" in clause[:81] else None  # the label's colon comes within 81 characters
    if not match:
        return None
    label = match.group(1).strip()
    if _label_words(label) > 9 or LIST_MARKER.match(label):
        return None
    kind = heading_kind(label)
    rest = clause[match.end() :].strip()
    if kind is None and _ALL_CAPS.match(label) and _label_words(label) >= 2:
        kind = "unknown"  # "PART-TIME OR UNPAID EXPERIENCE: Credit will be given ..."
    if kind is None:
        # "Tech Stack:" alone is a heading of unknown kind; "Degree: Mathematics" is content.
        if rest or _label_words(label) > 6:
            return None
        kind = "unknown"
    return label, kind, rest


def line_heading(line: str, *, blank_before: bool, next_line: str | None) -> tuple[str, SectionKind] | None:
    """Whether a whole line is a heading, by its shape and its words: (heading, kind), else None."""
    stripped = line.strip()
    if _FENCE.search(stripped):
        # "<<<JOB", "JOB>>>": the fences of a prompt, pasted in; what follows is not the job's.
        return stripped, "other"
    candidate = stripped.strip("#*_ ").rstrip(":").strip()
    if ":" in candidate:
        return None  # "Skills: Python, SQL" is a heading with its content: leading_heading reads it
    markdown = _MARKDOWN_HEADING.match(stripped) is not None
    if not candidate or (LIST_MARKER.match(stripped) and not markdown) or len(candidate) > 100:
        return None
    words = len(candidate.split())
    shaped = (
        stripped.endswith(":")
        or (_ALL_CAPS.match(candidate) is not None and sum(c.isalpha() for c in candidate) >= 4)
        or (stripped.endswith("?") and words <= 10)
        or markdown
    )
    if shaped and words <= 12:
        return candidate, heading_kind(candidate) or "unknown"
    if words > 6 or candidate.endswith((".", ",", ";", "!")):
        return None  # a sentence: its words are not read at all (most lines of a posting end here)
    kind = heading_kind(candidate)
    if kind is not None and _HEADING_START.match(candidate):
        return candidate, kind
    # A short line on its own before a block ("Your day on the unit").
    if blank_before and next_line is not None and kind is not None:
        return candidate, kind
    return None


# Short plain lines are headings only when they start like one: "Strong Python
# skills" is an item although it says "skills".
_HEADING_START = re.compile(
    r"^(?:requirements?|required|qualifications?|minimum|basic|preferred|desired|desirable|nice|bonus|"
    r"responsibilities|duties|what|who|why|how|about|your|you|our|the role|the job|benefits|perks|"
    r"compensation|salary|skills|key skills|skills and|experience$|education$|is this|are you|do you|"
    r"требования|обязанности|условия|мы|что|кого|кто|будет|желательно|навыки|ключевые навыки|задачи|"
    r"приветствуется|о компании|о нас|наш|почему|каким|тебе|вам|ваши|твои|должностные|профессиональные|"
    r"личностные|основные|дополнительн|преимуществ|ожидаем|ждем|ждём)",
    re.IGNORECASE,
)


def starts_like_heading(text: str) -> bool:
    """Whether a short text reads as a block heading ("Requirements", "Будет плюсом", "What we offer")."""
    candidate = text.strip("#*_ ").rstrip(":").strip()
    return heading_kind(candidate) is not None and _HEADING_START.match(candidate) is not None


# --- inside a line ----------------------------------------------------------------------------------------------------

# Headings embedded in one long line (hh.ru exports and pasted text lose their
# line breaks): break the line before them so each block can be read alone.
_INLINE_HEADING_NAMES = (
    "Требования", "Что ждём от кандидата", "Что ждем от кандидата", "Мы ждём", "Мы ждем", "Ожидаем",
    "Будет плюсом", "Будет преимуществом", "Обязанности", "Задачи", "Условия", "Мы предлагаем", "Что предлагаем",
    "Тебе предстоит", "Вам предстоит", "Навыки", "Ключевые навыки", "Род деятельности", "Requirements",
    "Preferred Qualifications", "Minimum Qualifications", "Basic Qualifications", "Qualifications",
    "Responsibilities", "Nice to have", "What we offer", "Benefits",
)  # fmt: skip
_INLINE_HEADING_WORDS = "(?:" + "|".join(_INLINE_HEADING_NAMES) + ")"
# Any of the names anywhere in a line: one scan that skips to the names' capital letters.
_ANY_INLINE_HEADING_NAME = re.compile("|".join(re.escape(name) for name in _INLINE_HEADING_NAMES))
# A heading inside a line ends with a colon, or (hh.ru, where the colon was
# lost with the line break) with two spaces.
# Not inside a longer heading: "Preferred Qualifications:" is one heading.
_INLINE_HEADING = re.compile(r"(?<!\s)\s+(?=" + _INLINE_HEADING_WORDS + r"(\s*:|\s{2,}|\s+[a-zа-яё]))")
_LONGER_HEADING_BEFORE = re.compile(r"(?:Preferred|Minimum|Basic|Key)$")
_HEADING_WITHOUT_COLON = re.compile(r"^(" + _INLINE_HEADING_WORDS + r")(?:\s{2,}|\s+(?=[a-zа-яё]))")


def split_inline_headings(text: str) -> str:
    """Put embedded block headings ("... Требования: ...") on their own lines."""
    # Only deep inside a long line: "Preferred Qualifications:" at a line start
    # is one heading, not "Preferred" followed by "Qualifications:".
    split = "\n".join(_split_line_at_headings(line) for line in text.splitlines())
    return "\n".join(_HEADING_WITHOUT_COLON.sub(r"\1: ", line) for line in split.splitlines())


def _split_line_at_headings(line: str) -> str:
    # The pattern tries every heading at every space: most lines hold none of them (case-sensitive, as the pattern).
    if not _ANY_INLINE_HEADING_NAME.search(line):
        return line
    return _INLINE_HEADING.sub(lambda match: "\n" if _heading_starts_here(line, match) else match.group(0), line)


def _heading_starts_here(line: str, match: re.Match[str]) -> bool:
    before = line[: match.start()]
    # Not inside a longer heading: "Preferred Qualifications:" is one heading.
    if _LONGER_HEADING_BEFORE.search(before[-10:]):
        return False
    after_heading = match.group(1)
    if ":" not in after_heading and not after_heading.startswith("  "):
        # Its colon lost, a heading goes right after a sentence and before a lower-case word
        # ("...по проекту. Требования опыт работы от 3 лет ...").
        if not before.endswith((".", "!", "?", ";")):
            return False
        if line[match.end() :].startswith(("Навыки", "Ключевые навыки")):
            return False  # "...; Навыки работы с оборудованием" is an item, not the skills block
    # "Physical Requirements:" is one heading: a one-word heading after a capitalised word goes on it.
    one_word = line[match.end() :].split(" ", 1)[0].rstrip(":") in (
        "Requirements",
        "Qualifications",
        "Responsibilities",
    )
    if one_word and _TITLE_WORD_BEFORE.search(before[-30:].rstrip()):
        return False
    # A heading with its colon inside a list item's line ends that item: "- Холодные звонки Требования: ...".
    if match.group(1).lstrip().startswith(":") and before.lstrip().startswith("- "):
        return True
    return _ends_a_block(before)


_TITLE_WORD_BEFORE = re.compile(r"(?:^|\s)[A-Z][a-z]+$")


def _ends_a_block(before: str) -> bool:
    """Whether text before an embedded heading is a finished block ("Описание:", "... sentence.")."""
    before = before.rstrip()
    return len(before) >= 30 or before.endswith((":", ".", ";", "!", "?"))
