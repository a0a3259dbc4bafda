"""Cut a job posting into segments and say what each one is (pure; imports only the standard library).

Real postings come pasted from job boards with their structure half lost:
bullets glued together ("...customersWork hands-on..."), line breaks collapsed
into runs of spaces (city open data), whole sections on one line (USAJOBS,
hh.ru), headings in capitals, as questions, or as sentences ("What we need",
"Is this you?"). This module repairs what it can, finds headings by their shape
and their words, splits run-on text into clauses, keeps numbered alternatives
("1. ... or 2. ...") together as one segment, and classifies every segment as a
requirement, a duty, an offer or benefit, company text, legal or equal-opportunity
text, application instructions, or other text, from its heading and its own words,
in English and Russian.

Every pattern here is linear in the length of the text: no nested quantifiers
over user text, bounded repetitions only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

SegmentKind = Literal["requirement", "duty", "offer", "company", "legal", "apply", "other"]
SEGMENT_KINDS: tuple[SegmentKind, ...] = ("requirement", "duty", "offer", "company", "legal", "apply", "other")
# What a heading says the text under it is: "must"/"nice" requirements, the
# other segment kinds, or "unknown" (a heading by shape whose words we do not know).
SectionKind = Literal["must", "nice", "duty", "offer", "company", "legal", "apply", "other", "unknown"]


class Cues:
    """Cue words matched at word starts in lower-cased text.

    Long alternations under re.IGNORECASE are slow in Python's re (every branch
    is tried at every character); anchoring them at word starts and lower-casing
    the text first makes them several times faster, and keeps them linear.
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(r"(?<!\w)(?:" + pattern + r")")

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text.lower())


@dataclass(frozen=True)
class Segment:
    """One piece of a posting: a clause, a list item or a group of alternatives."""

    text: str
    kind: SegmentKind
    must: bool = True  # meaningful for requirements: False when optional ("preferred", "будет плюсом")
    heading: str = ""  # the heading it sits under, "" before any
    alternatives: tuple[str, ...] = ()  # "1. ... or 2. ...": the job accepts any one of them
    bullet: bool = False  # it was a list item
    section: str = ""  # the kind of its heading (a SectionKind), "" before any heading


# --- headings: their words ---------------------------------------------------------------------------------------

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


# --- repairing glued text ----------------------------------------------------------------------------------------

# Words that open a list item or a sentence; a capitalised one glued to the
# word before ("PythonExperience with REST") starts a new item. Brand names
# ("JavaScript", "PowerPoint") glue words that are not in this list.
_ITEM_OPENERS = frozenset(
    """experience experienced strong solid excellent good great proven deep demonstrated working knowledge
    ability able proficiency proficient familiarity familiar understanding background bachelor bachelors
    master masters degree comfortable work own run write build design develop lead manage support help
    drive collaborate partner create maintain ensure we you our your the this what who why how nice
    benefits requirements responsibilities qualifications preferred bonus about must minimum plus hands
    exposure passion excited fluent fluency graduation ideally desired
    outstanding extensive superior effective exceptional advanced basic
    опыт знание знания умение навыки понимание владение готовность высшее уверенный желание
    требования обязанности условия мы наш наши будет плюсом""".split()
)
_GLUED_WORD = re.compile(r"([a-zа-яё])([A-ZА-ЯЁ][a-zа-яё]{2,})")
# A mark glued to the next word: "demos.Broad", "лет.Будет", "SQL;Опыт", "(OAuth)Comfortable".
_GLUED_MARK = re.compile(r"[.!?;)](?=[A-Za-zА-ЯЁа-яё])")
_GLUED_COLON = re.compile(r"([A-Za-z0-9]):(?=[A-Z][a-z])")
# Heading phrases pasted straight onto the text after them ("What you'll bring3+ years").
_GLUED_HEADINGS = re.compile(
    r"(What you['’]ll (?:do|bring|need|get)|What we offer|Nice to have|About the job|Что нужно делать|"
    r"Что мы предлагаем|Мы предлагаем|Будет плюсом|Кого мы ищем\??)(?=[^\s:.,;!?)\-–—])"
    # One-word headings only before a capital: "Requirementsengineering" is not a heading.
    r"|(Requirements|Responsibilities|Qualifications|Benefits)(?=[A-Z0-9])"
)
# Bullets inside a line: "...: * Ведение базы;* Холодные звонки", " • ", " -- ", "; - ", " -Программирование".
_BULLET_CANDIDATE = re.compile(r"[*•●▪]|--|[-–—]")


def repair_glue(text: str) -> str:
    """Break lines where a paste lost them: glued words, bullets, headings, and "word.Next" joins."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "  ").replace("\u00a0", " ")
    text = _GLUED_HEADINGS.sub(lambda match: match.group(0) + "\n", text)
    text = _GLUED_WORD.sub(_split_glued_word, text)
    text = _GLUED_MARK.sub(_break_after_mark, text)
    text = _GLUED_COLON.sub(r"\1: ", text)
    return _break_inline_bullets(text)


def _break_inline_bullets(text: str) -> str:
    pieces: list[str] = []
    start = 0
    for match in _BULLET_CANDIDATE.finditer(text):
        if match.start() < start:
            continue
        mark = match.group(0)
        before = text[max(start, match.start() - 4) : match.start()]
        after = text[match.end() : match.end() + 2]
        stripped_before = before.rstrip()
        if mark in "*•●▪":
            # After a punctuation mark ("...: * Item", ";* Item"), or set off by spaces (" • ").
            bullet = stripped_before.endswith((";", ".", "!", "?", ":")) or (
                mark != "*" and before.endswith(" ") and after.startswith(" ")
            )
        elif mark == "--":
            bullet = before.endswith(" ") or not before
        else:
            # "; - Item" or " -Item" (a dash glued to a capitalised word), not "Wi-Fi" or "2019 - 2022".
            bullet = (stripped_before.endswith((";", ":")) and before.endswith(" ") and after.startswith(" ")) or (
                before.endswith(" ") and len(after) == 2 and after[0].isupper() and after[1].islower()
            )
        if bullet:
            pieces.append(text[start : match.start()].rstrip())
            start = match.end()
            while start < len(text) and text[start] == " ":
                start += 1
    pieces.append(text[start:])
    return "\n- ".join(pieces)


def _break_after_mark(match: re.Match[str]) -> str:
    string, index, mark = match.string, match.start(), match.group(0)
    before = string[index - 1] if index else ""
    after = string[index + 1 : index + 3]
    capital_word = len(after) == 2 and after[0].isupper() and after[1].islower()
    if mark == ";":
        glued = before.isalnum() or before in ")%"  # "SQL;Опыт", "Python;проектировать"
    elif mark == ")":
        glued = before.islower() and capital_word
    else:
        # "demos.Broad", "REST.Будет"; not "ASP.Net" (an upper-case Latin word before the dot).
        cyrillic_after = "А" <= after[:1] <= "я" or after[:1] in "Ёё"
        glued = capital_word and (
            before.islower()
            or before.isdigit()
            or before in ")%!?."  # "...будет преимуществом!!!Знание"
            or (cyrillic_after and before.isalpha())
        )
    return mark + "\n" if glued else mark


def _split_glued_word(match: re.Match[str]) -> str:
    left, right = match.group(1), match.group(2)
    string, start = match.string, match.start()
    word_start = start
    while word_start > 0 and string[word_start - 1].isalpha():
        word_start -= 1
    glued_to = string[word_start : start + 1]
    # "customersWork": a lower-case word of 3+ letters glued to a capitalised
    # one is two items; "PythonExperience": only when the second word opens items.
    if (glued_to[0].islower() and len(glued_to) >= 3) or right.lower() in _ITEM_OPENERS:
        return f"{left}\n{right}"
    return match.group(0)


# --- splitting run-on text ---------------------------------------------------------------------------------------

_FUNCTION_WORDS = frozenset(
    "a an the of to in on at by for with and or as from into than that which who their its our your "
    "и в во на с со к по за из от для при или а но".split()
)
_SPACE_RUN = re.compile(r"[ ]{2,}")
_SENTENCE_END = re.compile(r"(?<![.!?])[.!?]+[\"»”)]?\s+(?=[\"«“(]?[A-ZА-ЯЁ0-9])")
_ABBREVIATIONS = frozenset(
    "e.g i.e etc vs no nos st dr mr mrs ms jr sr inc ltd co corp approx dept incl min max ext tel fig "
    "ул д г м т.д т.п т.е руб мин тыс пр им".split()
)
# An inline list marker ("1. ", "2) ", "a) ", "B. ") after a colon, a semicolon,
# a full stop or "or"/"and": the start of a list item inside a paragraph.
# "... for the GS-1560 job series: Degree: Mathematics ...": a label after a colon starts a clause.
_INNER_LABEL = re.compile(r"(?<=:)\s+(?=[A-Z][A-Za-z ]{1,30}:\s)")
_ITEM_MARKER_AHEAD = re.compile(r"\s(?=(?:\d{1,2}|[A-Za-z])[.)]\s|\((?:\d{1,2}|[A-Za-z])\.?\)\s)")
_OR_BEFORE = re.compile(r"(?:^|\W)(?:or|OR|или)$")
_ENDS_WITH_MARKER = re.compile(r"(?:^|\s)(?:\d{1,2}|[A-Za-z])[.)]$")
_MARKER = re.compile(r"^(?:[-*•●▪◦‣·–—]+\s*|(?:\d{1,2}|[A-Za-z])[.)]\s+|\((?:\d{1,2}|[A-Za-z])\.?\)\s+)")
_STARTS_AND = re.compile(r"^(?:and|AND|и)\s+(?=\(?(?:\d{1,2}|[A-Za-z])\.?\)|\d{1,2}\.\s)")
_STARTS_OR = re.compile(r"^(?:or|OR|Or|или|либо)\b[\s,:]*")
_ENDS_OR = re.compile(r"(?:[;,]\s*|\s)(?:or|OR|или|либо)[:,]?$")
_ONLY_OR = re.compile(r"^(?:or|OR|Or|или|либо)[.,:;]?$")
_ONE_OF = re.compile(r"(?:one|any) of the following|\beither\s*:?$|одно из")
# Sentences that close a group of alternatives ("However, all candidates must ...").
_SUB_ITEM = re.compile(r"^\(?[a-z]\.?\)\s")
_GROUP_CLOSER = re.compile(
    r"^(?:however|in addition|additionally|all (?:candidates|applicants)|note\b|special note|to be eligible)",
    re.IGNORECASE,
)


def _split_space_runs(line: str) -> list[str]:
    """Runs of spaces where line breaks were collapsed: a break unless the sentence plainly goes on."""
    chunks: list[str] = []
    start = 0
    for match in _SPACE_RUN.finditer(line):
        before, after = line[max(start, match.start() - 40) : match.start()], line[match.end() : match.end() + 1]
        last_word = before.rsplit(" ", 1)[-1].lower() if before else ""
        goes_on = (
            not after
            or after.islower()
            or before.endswith((",", "("))
            or last_word in _FUNCTION_WORDS
            or after in ",.;:)"
            or _ENDS_WITH_MARKER.search(before) is not None  # "1.  Perform repairs"
        )
        if not goes_on:
            chunks.append(line[start : match.start()])
            start = match.end()
    chunks.append(line[start:])
    return [chunk.strip() for chunk in chunks if chunk.strip()]


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, not cut after abbreviations ("e.g.", "U.S.", "г.")."""
    pieces: list[str] = []
    start = depth_checked = depth = 0
    for match in _SENTENCE_END.finditer(text):
        # Not inside brackets: "(such as an LL. B or J.D.)".
        passed = text[depth_checked : match.start()]
        depth = max(0, depth + passed.count("(") - passed.count(")"))
        depth_checked = match.start()
        if depth > 0:
            continue
        before = text[max(start, match.start() - 30) : match.start() + 1]
        last_word = before.rsplit(None, 1)[-1].rstrip(".").lower() if before.strip() else ""
        # "U.S. Office", "Ph.D. degree", "J. Smith": a single letter or dotted initials;
        # "... or 2. Next": a list marker, cut by split_clauses instead.
        words_before = before.split()
        word_before = words_before[-2] if len(words_before) >= 2 else ""
        # "SQL and R. Next": a one-letter language after a lower-case word ends a sentence;
        # "Michael R. Bloomberg" does not.
        initial = len(last_word.replace(".", "")) <= 1 and not (
            last_word.isalpha() and word_before.isalpha() and word_before.islower()
        )
        if last_word in _ABBREVIATIONS or initial or "." in last_word or (last_word.isdigit() and len(last_word) <= 2):
            continue
        pieces.append(text[start : match.end()].strip())
        start = match.end()
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def split_clauses(line: str) -> list[str]:
    """A run-on line cut into clauses: at collapsed line breaks, sentences and inline list markers."""
    clauses: list[str] = []
    for chunk in _split_space_runs(line):
        for sentence in split_sentences(chunk):
            clauses_of_sentence = (
                piece for clause in _split_semicolons(sentence) for piece in _split_inline_items(clause)
            )
            for part in (label_part for piece in clauses_of_sentence for label_part in _INNER_LABEL.split(piece)):
                for phrase in _split_russian_run_on(part.strip()):
                    clauses.extend(_split_at_openers(phrase))
    return [clause for clause in clauses if clause]


_CAPITALISED_AFTER_WORD = re.compile(r"(?<=[a-z0-9)%])\s+(?=([A-Z][a-z]+)\b)")


def _split_at_openers(text: str) -> list[str]:
    """List items whose line breaks were lost: "... leadership skills Experience planning projects ...".

    In English a capitalised word right after a lower-case word is a name
    ("with Microsoft Excel"), unless it is a word that opens items ("Experience",
    "The", "Develop"): then a new item starts there.
    """
    if len(text.split()) <= 8:
        return [text]
    pieces: list[str] = []
    start = 0
    for match in _CAPITALISED_AFTER_WORD.finditer(text):
        word = match.group(1).lower()
        if word not in _ITEM_OPENERS and word not in _DUTY_VERBS:
            continue
        before = text[max(start, match.start() - 30) : match.start()]
        last_word = before.rsplit(" ", 1)[-1]
        # "Individual Occupation Requirements" is a name: the word before is capitalised too.
        if not last_word[:1].islower() or last_word.lower() in _FUNCTION_WORDS or match.start() - start < 12:
            continue
        pieces.append(text[start : match.start()].strip())
        start = match.end()
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def _split_inline_items(text: str) -> list[str]:
    """Cut before inline list markers ("1. ", "a) ", "B. ") that follow a colon, a semicolon or "or".

    After a full stop or "and" only numbers open items: "SQL and R. Experience ..." is no list.
    """
    pieces: list[str] = []
    start = 0
    for match in _ITEM_MARKER_AHEAD.finditer(text):
        before = text[max(start, match.start() - 12) : match.start()].rstrip()
        number = text[match.end() : match.end() + 2].strip("(").isdigit() or text[match.end()].isdigit()
        if (
            before.endswith((":", ";"))
            or _OR_BEFORE.search(before) is not None
            or (number and (before.endswith(".") or before.endswith(" and")))
        ):
            pieces.append(text[start : match.start()])
            start = match.end()
    pieces.append(text[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def _split_semicolons(text: str) -> list[str]:
    """Cut at semicolons outside brackets: "Python; SQL (Postgres; MySQL)" is two clauses."""
    if ";" not in text:
        return [text]
    pieces: list[str] = []
    depth = start = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == ";" and depth == 0:
            pieces.append(text[start : index + 1])
            start = index + 1
    pieces.append(text[start:])
    return [piece.strip() for piece in pieces if piece.strip(" ;")]


# A capitalised word after a word starts a phrase, unless it is the polite "Вы"/"Вам"/"Ваш...".
_RUSSIAN_PHRASE_START = re.compile(r"(?<=[\wа-яё)])\s+(?=[А-ЯЁ][а-яё])(?!Ва[шм]|Вы\b|Вас\b)")
_CYRILLIC_LETTER = re.compile(r"[а-яё]", re.IGNORECASE)


def _split_russian_run_on(text: str) -> list[str]:
    """hh.ru list items that lost their line breaks: "Поиск клиентов Работа с базой Встречи с клиентами".

    In Russian only a phrase's first word is capitalised, so in a long run without
    punctuation a capitalised word after a word starts the next phrase.
    """
    if len(text.split()) <= 12 or len(_CYRILLIC_LETTER.findall(text)) < len(text) // 2:
        return [text]
    return [phrase.strip() for phrase in _RUSSIAN_PHRASE_START.split(text)]


# --- headings: their shape ---------------------------------------------------------------------------------------

_FENCE = re.compile(r"<{3}|>{3}")
_NOTE_LABEL = re.compile(r"^note$", re.IGNORECASE)
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
    match = _LABEL.match(clause)
    if not match:
        return None
    label = match.group(1).strip()
    if _label_words(label) > 9 or _MARKER.match(label):
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
    if not candidate or (_MARKER.match(stripped) and not markdown) or len(candidate) > 100:
        return None
    words = len(candidate.split())
    kind = heading_kind(candidate)
    shaped = (
        stripped.endswith(":")
        or (_ALL_CAPS.match(candidate) is not None and sum(c.isalpha() for c in candidate) >= 4)
        or (stripped.endswith("?") and words <= 10)
        or markdown
    )
    if shaped and words <= 12:
        return candidate, kind or "unknown"
    if words > 6 or candidate.endswith((".", ",", ";", "!")):
        return None
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


# --- classifying a segment by its own words ----------------------------------------------------------------------


_LEGAL = Cues(
    r"equal (?:employment )?opportunit|without regard to|regardless of (?:race|age|sex|gender|religion)|"
    r"national origin|sexual orientation|gender identity|protected (?:veteran|characteristic|class|status)|"
    r"veteran status|reasonable accommodation|affirmative action|e-verify|do(?:es)? not discriminat|"
    r"committed to (?:diversity|inclusion|equal)|drug[- ]free workplace",
)
_APPLY = Cues(
    r"how to apply|\bto apply[,:]|\bto apply,? (?:please|send|click|visit|submit|e-?mail|go)|"
    r"apply (?:now|online|here|today|at|via|through|by|on|with your)|"
    r"\bresumes? (?:exceeds?|not to exceed|should not|must not)|(?:limit|keep) your (?:resume|cv)|do not copy|"
    r"please (?:be|limit|do not|ensure|include|provide|describe|submit|upload|attach|read|review|follow)\b|"
    r"your (?:resume|cv)\b(?! must (?:also )?(?:demonstrate|show|describe|reflect|list))|"
    r"(?:in|within) (?:the body of )?(?:their|your) (?:resume|application)|transcripts? (?:are|is|must be) required|"
    r"\bclick\b|submit (?:your|a|an) (?:resume|cv|application|cover)|send (?:your|us|a) (?:resume|cv|cover)|"
    r"cover letter|closing date|application (?:process|form|deadline|package)|applications (?:are|will|must)|"
    r"resumes? (?:will not|must be (?:submitted|received|uploaded))|(?:email|e-mail) (?:us|"
    r"your)|https?://|www\.|[\w.+-]{1,64}@[\w-]|clearly (?:identify|indicate|state)|indicate clearly|"
    r"join (?:us|our team)\b|\bcall (?:us|our|me)\b|\b\d{3}[-. ]\d{3}[-. ]\d{4}\b|"
    r"откликайтесь|отклик|присылайте|направляйте резюме|пишите|звоните|собеседовани|сопроводительн",
)
_MONEY = re.compile(r"[$€£]\s?\d|\d\s?(?:₽|руб|\$|€|usd|eur|k\b)|\d{2,3}[  ]?\d{3}\s?(?:₽|руб|р\b)", re.IGNORECASE)
_PAY_WORDS = re.compile(
    r"salary|\bpay\b|\bpaid\b|per (?:hour|year|annum|month|week)|/h(?:ou)?r\b|/year|hourly|annually|a year|"
    r"\bbase\b|compensation|bonus|\bwage|\brate\b|range|оклад|зарплат|заработн|на руки|доход|выплат|преми",
    re.IGNORECASE,
)
_BENEFIT = Cues(
    r"401\s?\(?k\)?|403\s?\(?b\)?|\bpto\b|paid time off|paid (?:holidays|leave|vacation)|parental leave|"
    r"tuition reimbursement|learning budget|sign-on bonus|stock options|\brsus?\b|\bequity\b|"
    r"(?:health|medical|dental|vision|life) (?:insurance|coverage|plans?|benefits)|medical, dental|"
    r"retirement plan|pension|salary range|pay range|base salary|competitive (?:salary|pay|compensation)|"
    r"benefits package|we offer|offers? a competitive|(?:the|your|a|starting|base|annual) salary|salary ranges?|"
    r"дмс|соцпакет|социальн\w* пакет|оформлени\w* по тк|"
    r"трудоустройств\w* по тк|по тк рф|тк рф|белая заработная|бел\w+ зарплат|испытательн\w* срок|"
    r"заработная плата|(?<![:\w-])зарплата|(?<![:\w-])оклад|премии|премия|"
    r"оплачиваем|компенсаци\w* (?:обучения|питания|мобильной|фитнес)|"
    r"корпоративн\w* (?:обучение|скидки|мероприятия|спортзал)|график работы|дружный коллектив|мы предлагаем",
)
_WEAK_OFFER = Cues(
    r"\binsurance\b|\bholidays?\b|vacation|wellness|gym|snacks|flexible (?:hours|schedule|work)|remote work|"
    r"hybrid|office|career growth|growth opportunit|professional development|обучение|офис|карьерн|развити|"
    r"коллектив|атмосфер|стабильн|официальн",
)
_COMPANY = Cues(
    r"\bwe are (?:a|an|the)\b|\bwe(?:'re| are) (?:proud|committed|driven|guided|growing|hiring|looking|seeking)|"
    r"(?:с|про|у) нас\b|с нами\b|"
    r"\bour (?:mission|company|clients?|customers|platform|products?|story|values|team|goal)\b|founded in|"
    r"since (?:19|20)\d\d|for (?:over|more than|nearly|almost) \d+ years|headquartered|"
    r"employees (?:worldwide|across|in)|is an? (?:leading|global|fast-growing|"
    r"well-established|independent|vibrant)|our client|on behalf of|leader in|industry-leading|"
    r"(?:компания|группа компаний)\b|наша компания|работает на рынке|с (?:19|20)\d\d года|входит в|входим в|"
    r"мы (?:растем|растём|гордимся|создали|являемся|делаем|ищем|набираем|команда|приглашаем)|наши (?:клиенты|студенты)",
)
# Text about how requirements are credited, not a requirement itself.
_NOTE = Cues(
    r"may be substituted|may substitute|will be credited|credit will be given|will receive credit|"
    r"refers to\b|for more information|will be considered|volunteer|"
    r"national service|is defined as\s*:?$|does not require|will not be accepted|the full performance level|"
    r"the actual grade|are based on the|qualification standards|(?:is|are) not acceptable|may be used to|"
    r"please (?:refer|visit|see|note)|assignment levels? (?:ii|iii|iv|v|2|3|4)\b|appointments? to this|"
    r"^if\b(?!.*\b(?:plus|bonus|advantage|preferred)\b)|in addition to meeting the (?:qualification|"
    r"minimum) requirements for|"
    r"\bmust meet both\b|\bmust meet all (?:the )?requirements\b|(?:requirements?|"
    r"qualifications?) (?:described|listed|stated) below|"
    r"\bis being filled\b|positive education requirement|requirements must be met|subject to verification|"
    r"will not make assumptions|must (?:authorize|disclose)\b|(?:described|listed|stated|shown) below\s*:?$",
)
_REQUIREMENT_CUE = Cues(
    # "\s*(?:\+\s*)?", not "\s*\+?\s*": two runs of spaces in a row split a long run every way (quadratic).
    r"\bopen to (?:permanent|current|internal)\b|\d\s*(?:\+\s*)?(?:years?|yrs)\b|\b(?:one|"
    r"two|three|four|five|six|seven|eight|nine|ten)\s+(?:\(\d+\)\s+)?(?:\+\s*)?"
    r"(?:plus\s+)?(?:years?|months?)\b|experience|\bdegree\b|diploma|bachelor|master'?s|\bph\.?\s?d|\bmba\b|"
    r"knowledge|proficien|\babilit|\bable to\b|\bskill|familiar|understanding of|licen[cs]|certif|"
    r"\bmust\b|\brequired\b|\brequires?\b|preferred|a plus|ideally|fluen|background in|expertise|qualif|"
    r"education|graduat|matriculat|track record|\bexposure to|\bcompetenc|\baptitude|self-motivated|"
    r"опыт|знани|умени|умеет|умеешь|навык|владени|образовани|понимани|желательно|будет плюсом|"
    r"приветствуется|готовност|способност|пользовател|стрессоустойчив|ответственн|"
    r"коммуникабельн|внимательн|исполнительн|желани|грамотн|аккуратн|целеустремл|инициативн|"
    r"организованност|пунктуальн|обучаем|водительск|права категории|допуск|удостоверени|сертифик|"
    r"^you (?:have|are|know|understand|bring|can|hold|speak|possess)\b|"
    r"(?:с |со )?(?:высокими|опытом|знанием)|уровн[ея] (?:a|b|c)[12]|английск|"
    r"группа допуска|медкнижк|медицинск\w+ книжк",
)
# Strong enough to make a requirement out of a sentence under a description or
# duties heading: "Candidates selected must be available to work weekends."
_STRONG_REQUIREMENT = Cues(
    r"\bopen to (?:permanent|current|internal)\b|\bonly (?:permanent|current) (?:employees|candidates|\w+s)\b|"
    r"\bmust (?:have|be|possess|hold|meet|pass|obtain|demonstrate|complete)|\b(?:is|are|be) required\b|"
    r"\bwill be required to\b|\bcandidates? (?:should|must|will need)|"
    r"\byou (?:must|should) (?:have|be)|\bideal candidate|\bthe successful candidate (?:will|"
    r"should|must) (?:have|be|possess)|"
    r"\b(?:bachelor|master)'?s?\s+degree|\bdegree (?:in|from)\b|"
    r"(?:\d|\bone|\btwo|\bthree|\bfour|\bfive|\bsix)\s*(?:\+\s*)?(?:years?|yrs|months?) of (?:[\w-]+ ){0,3}experience|"
    r"обязател|требуется|необходим",
)
_OPTIONAL = Cues(
    r"\bpreferred\b|\bpreferably\b|\bis a plus\b|\ba plus\b|\bnice to have\b|\bideally\b|\bdesirable\b|"
    r"\bdesired\b|\bbonus\b|\badvantage\b|\bnot required\b|\bnot mandatory\b|\boptional\b|\bhighly desirable\b|"
    r"желательно|будет плюсом|приветствуется|преимуществ|не обязател|плюсом будет|будет большим плюсом",
)
_REQUIRED_WORDS = Cues(r"required\b|mandatory\b|must\b|обязател")
_NEGATED_REQUIRED = Cues(r"not required|not mandatory|не обязател")
_PARENTHESIS = re.compile(r"\([^()]{0,200}\)")

# The verbs that open a duty ("Develop ...", "Performs ...", "разрабатывать ...").
_DUTY_VERBS = frozenset(
    """develop design build create manage lead support maintain perform prepare review coordinate assist provide
    ensure conduct monitor oversee supervise plan implement collaborate participate analyze analyse track process
    deliver drive own run respond answer report communicate establish identify evaluate organize organise train
    mentor handle administer operate install repair inspect serve act attend obtain visit debrief engage research
    introduce inform produce generate merge contribute synthesize convey partner coach reconcile troubleshoot
    triage optimize optimise stay help document negotiate sell survey mix prime rig test deploy define gather
    calculate write apply assess audit approve investigate recommend advise schedule tracks maintains answers
    performs interfaces coordinates assists collaborates serves oversees manages develops documents monitors
    supervises plans reviews prepares provides ensures conducts leads supports works participates generates
    applies builds creates addresses contributes supports merges synthesizes conveys presents makes drafts
    present teach educate assesses administers triages resolve resolves process processes""".split()
)
_REQUIREMENT_VERBS_RU = frozenset("уметь знать иметь владеть быть хотеть понимать".split())


_FIRST_WORD = re.compile(r"[^\w]*([\w'-]+)")
_RUSSIAN_INFINITIVE = re.compile(r"[а-яё]{4,}(?:ть|ться|чь)")


def _first_word(text: str) -> str:
    match = _FIRST_WORD.match(text)
    return match.group(1).lower() if match else ""


def _starts_with_duty_verb(text: str) -> bool:
    word = _first_word(_MARKER.sub("", text))
    if word in _DUTY_VERBS:
        return True
    # Russian duties are often infinitives: "разрабатывать сервисы", "проводить встречи".
    return (
        _RUSSIAN_INFINITIVE.fullmatch(word) is not None
        and not word.endswith("ость")  # "ответственность" is a noun
        and word not in _REQUIREMENT_VERBS_RU
    )


def optional_wording(text: str) -> bool:
    """Whether the wording makes a requirement optional.

    A bracket that names one option ("backend development (Node.js preferred)")
    leaves the requirement a must; a bracket that only says it is optional
    ("(preferred)", "(желательно, проводится обучение)") does not.
    """
    outside = _PARENTHESIS.sub(" ", text)
    if _OPTIONAL.search(outside):
        return not (_REQUIRED_WORDS.search(outside) and not _NEGATED_REQUIRED.search(outside))
    for bracket in _PARENTHESIS.findall(text):
        inner = bracket.strip("() ").lower()
        match = _OPTIONAL.search(inner)
        if match and not inner[: match.start()].strip(" ,;-"):
            return True
    return False


# Sentences about the position itself, not about the person: "This is a GG-14 position in ...".
_ABOUT_THE_JOB = Cues(
    r"^(?:this|the|these|it|our)\b|\b(?:this|the) (?:position|job|role|vacancy|announcement|selectee|incumbent)\b",
)


@lru_cache(maxsize=8192)
def _aside(text: str) -> bool:
    """Text that is never part of a requirement: legal, application, pay and benefits, notes on crediting."""
    return bool(
        _LEGAL.search(text)
        or _APPLY.search(text)
        or _BENEFIT.search(text)
        or (_MONEY.search(text) and _PAY_WORDS.search(text))
        or _NOTE.search(text)
    )


@lru_cache(maxsize=8192)
def classify_segment(text: str, section: SectionKind | None, *, bullet: bool = False) -> tuple[SegmentKind, bool]:
    """The kind of one segment, from its own words and the heading it sits under; and must (for requirements).

    `bullet`: the segment was a list item, which under a requirements heading needs no cue words.
    """
    if _LEGAL.search(text):
        return "legal", False
    if _APPLY.search(text):
        return "apply", False
    if _BENEFIT.search(text) or (_MONEY.search(text) and _PAY_WORDS.search(text)):
        return "offer", False
    if _NOTE.search(text):
        return "other", False
    cue = _REQUIREMENT_CUE.search(text) is not None
    duty_start = _starts_with_duty_verb(text)
    company = _COMPANY.search(text) is not None
    if section in ("must", "nice"):
        # Experience is often described as work done ("Generates and manages datasets ..."):
        # under a requirements heading that is still a requirement.
        if not cue and company:
            return "company", False
        if not cue and not bullet and _ABOUT_THE_JOB.search(text):
            # A long sentence that asks for nothing ("This is a GG-14 position in ...") under a
            # requirements heading; short items ("Python", "Исполнительность") need no cue.
            return "other", False
        return "requirement", item_must(text, section)
    if section in ("duty", "offer", "company", "legal", "apply", "other"):
        if cue and _STRONG_REQUIREMENT.search(text) and not company:
            return "requirement", item_must(text, None)
        return ({"duty": "duty", "offer": "offer", "company": "company", "legal": "legal", "apply": "apply"}).get(
            section, "other"
        ), False  # type: ignore[return-value]
    # No heading, or one we cannot read: the sentence alone decides.
    if duty_start and not _STRONG_REQUIREMENT.search(text):
        return "duty", False
    if company:
        return "company", False
    if cue:
        return "requirement", item_must(text, None)
    if _WEAK_OFFER.search(text):
        return "offer", False
    return "other", False


def item_must(text: str, section: str | None) -> bool:
    """Whether a requirement is a must-have, from its own wording and the kind of its heading."""
    if optional_wording(text):
        return False
    if section == "nice":
        # "Experience in capacity monitoring required." under "Preferred Skills".
        return bool(_REQUIRED_WORDS.search(text)) and not _NEGATED_REQUIRED.search(text)
    return True


# --- the whole posting -------------------------------------------------------------------------------------------

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


@dataclass
class _Piece:
    text: str
    section: SectionKind | None
    heading: str
    marker: str  # "digit", "letter", "bullet" or ""
    line_start: bool  # the piece opens a line of the posting
    starts_or: bool = False
    ends_or: bool = False
    one_of: bool = False  # it ends with "one of the following:" / "either:"
    sub_item: bool = False  # it opened with "(b)" / "c)": a part of the clause before it


def segment(text: str) -> list[Segment]:
    """Every segment of a posting, in order, with its kind."""
    pieces = _pieces(text)
    return _segments_from(pieces)


def _marker_kind(marker: str) -> str:
    """ "1. " and "(2) " are digits, "a) " and "(b.) " letters, "- " and "• " bullets."""
    if any(char.isdigit() for char in marker):
        return "digit"
    return "letter" if any(char.isalpha() for char in marker) else "bullet"


def _pieces(text: str) -> list[_Piece]:
    lines = split_inline_headings(repair_glue(text)).split("\n")
    # The next non-blank line after each line (for "a short line before a block").
    next_lines: list[str | None] = [None] * len(lines)
    following: str | None = None
    for index in range(len(lines) - 1, -1, -1):
        next_lines[index] = following
        if lines[index].strip():
            following = lines[index].strip()
    pieces: list[_Piece] = []
    section: SectionKind | None = None
    heading = ""
    seen_text = False
    blank_before = True
    pending_or = False
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            blank_before = True
            continue
        next_line = next_lines[index]
        if not seen_text and len(line.split()) <= 12 and ":" not in line and not starts_like_heading(line):
            # The first line is the job's title.
            pieces.append(_Piece(line, "other", "", "", True))
            seen_text = True
            blank_before = False
            continue
        whole = line_heading(line, blank_before=blank_before, next_line=next_line) if len(line) <= 100 else None
        blank_before = False
        if whole is not None:
            heading, section = whole
            seen_text = True
            continue
        seen_text = True
        first = True
        for clause in split_clauses(line):
            # Peel headings off the clause's start: "Basic Requirements: Degree: ...".
            found = leading_heading(clause)
            scoped: tuple[str, SectionKind | None] | None = None
            while found is not None:
                if found[1] == "other" and found[2] and _NOTE_LABEL.match(found[0]):
                    # "NOTE: ..." inside a paragraph is about that sentence only.
                    scoped = (heading, section)
                heading, section, clause = found
                found = leading_heading(clause) if clause else None
            if not clause:
                continue
            if _ONLY_OR.match(clause):
                pending_or = True  # "... position. OR | B. Combination ...": the next clause is an alternative
                continue
            clause = _STARTS_AND.sub("", clause)  # "AND (2) Transforming data ..."
            marker_match = _MARKER.match(clause)
            marker = ""
            if marker_match:
                marker = _marker_kind(marker_match.group(0))
            sub_item = bool(_SUB_ITEM.match(clause))
            body = _MARKER.sub("", clause).strip() if marker else clause
            starts_or = bool(_STARTS_OR.match(body)) or pending_or
            pending_or = False
            if starts_or:
                after_or = _STARTS_OR.sub("", body)
                or_marker = _MARKER.match(after_or)
                sub_item = sub_item or bool(_SUB_ITEM.match(after_or))
                if or_marker:
                    marker = _marker_kind(or_marker.group(0))
                    after_or = _MARKER.sub("", after_or)
                body = after_or
            ends_or = bool(_ENDS_OR.search(body[-8:]))
            body = body[:-8] + _ENDS_OR.sub("", body[-8:]) if ends_or else body
            body = body.strip()
            if not body:
                continue
            one_of = bool(_ONE_OF.search(body.lower()))
            pieces.append(_Piece(body, section, heading, marker, first, starts_or, ends_or, one_of, sub_item))
            first = False
            if scoped is not None:
                heading, section = scoped
    return pieces


def _segments_from(pieces: list[_Piece]) -> list[Segment]:
    """Join numbered items with their continuation sentences and alternatives, then classify."""
    # 1. Units: a numbered item and the unmarked sentences after it on the same line.
    units: list[list[_Piece]] = []
    for piece in pieces:
        previous = units[-1][-1] if units else None
        continues = (
            previous is not None
            and units[-1][0].marker in ("digit", "letter")
            and piece.section in ("must", "nice", "unknown", None)
            and not piece.marker
            and not piece.line_start
            and not piece.starts_or
            and not previous.ends_or
            and piece.section == previous.section
            and piece.heading == previous.heading
            and not _GROUP_CLOSER.match(piece.text)
            and not _aside(piece.text)
        ) or (
            # "(b) ...; or (c) ..." goes on the clause before it, whatever that was.
            previous is not None and not piece.line_start and piece.sub_item and not piece.starts_or
        )
        if continues:
            units[-1].append(piece)
        else:
            units.append([piece])
    # 2. Groups of alternatives: units joined by "or", or listed after "one of the following:".
    groups: list[list[list[_Piece]]] = []  # group -> alternatives -> pieces
    one_of_open = False
    for unit in units:
        head = unit[0]
        group = groups[-1] if groups else None
        last = group[-1][-1] if group else None
        alternative_marker = group[1][0].marker if group and len(group) > 1 else head.marker
        linked = last is not None and (
            head.starts_or
            or last.ends_or
            or (
                one_of_open
                and head.marker in ("digit", "letter")
                and (head.section, head.heading) == (last.section, last.heading)
            )
        )
        if linked and head.starts_or and len(groups) > 1 and len(groups[-1]) == 1 and _aside(groups[-1][0][0].text):
            # "(a.) A degree ... NOTE: Transcripts are required. OR (b.) ...": the "or" goes past the note.
            aside = groups.pop()
            group = groups[-1]
            last = group[-1][-1]
            groups.append(aside)
            groups[-2], groups[-1] = groups[-1], groups[-2]
        if linked and group is not None and last is not None:
            if head.starts_or and head.section != last.section:
                # "or 2. ..." under the next heading still continues the alternatives before it.
                unit = [_moved_under(p, last) for p in unit]
            if len(group) > 1 and not head.starts_or and not last.ends_or and head.marker != alternative_marker:
                group[-1].extend(unit)  # "a) ..." inside "1. ..." is part of that alternative
            else:
                group.append(list(unit))
        else:
            groups.append([list(unit)])
            one_of_open = False
        if unit[-1].one_of:
            one_of_open = True
    segments: list[Segment] = []
    for group in groups:
        lead = group[0]
        if len(group) > 1 and lead[-1].one_of and lead[0].marker not in ("digit", "letter"):
            # "You may qualify if you meet one of the following:" introduces the alternatives.
            lead_text = " ".join(p.text for p in lead)
            segments.append(
                _classified(
                    lead_text,
                    lead[0],
                    (),
                    lead_in=True,
                    only_lead_in=_LISTS_ALTERNATIVES.search(lead_text.lower()) is not None,
                )
            )
            group = group[1:]
        texts = [" ".join(p.text for p in alternative).rstrip(" ;,") for alternative in group]
        if len(texts) == 1:
            segments.append(_classified(texts[0], group[0][0], (), lead_in=texts[0].endswith(":")))
        else:
            joined = " or ".join(text.rstrip(" ;,") for text in texts)
            segments.append(_classified(joined, group[0][0], tuple(texts)))
    return segments


def _moved_under(piece: _Piece, section_of: _Piece) -> _Piece:
    """The piece moved under the section of another piece."""
    return _Piece(
        piece.text, section_of.section, section_of.heading, piece.marker, piece.line_start, False, piece.ends_or
    )


_LISTS_ALTERNATIVES = re.compile(r"(?:one|any) of the following")


def _classified(
    text: str, first: _Piece, alternatives: tuple[str, ...], *, lead_in: bool = False, only_lead_in: bool = False
) -> Segment:
    kind, must = classify_segment(text, first.section, bullet=first.marker == "bullet" or first.line_start)
    if alternatives and first.section in ("must", "nice", "unknown", None) and kind == "other":
        # Alternatives that explain how experience is credited are still what the job asks for.
        kind, must = "requirement", first.section != "nice"
    if lead_in and kind == "requirement" and (only_lead_in or not _STRONG_REQUIREMENT.search(text)):
        # "The preferred candidate should possess the following:" promises a list; it is not an item.
        kind, must = "other", False
    return Segment(text, kind, must, first.heading, alternatives, first.marker == "bullet", first.section or "")
