"""Cut run-on posting text into clauses: sentences, collapsed line breaks, inline list items (pure).

Every pattern here is linear in the length of the text: no nested quantifiers
over user text, bounded repetitions only.
"""

from __future__ import annotations

import re

from app.analysis.posting_repair import ITEM_OPENERS
from app.analysis.textproc import script_letters

# The verbs that open a duty ("Develop ...", "Performs ...", "разрабатывать ..."): a capitalised one
# after a word starts a new item here, and segment_kinds reads a segment that opens with one as a duty.
DUTY_VERBS = frozenset(
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

_FUNCTION_WORDS = frozenset(
    "a an the of to in on at by for with and or as from into than that which who their its our your "
    "и в во на с со к по за из от для при или а но".split()
)
_SPACE_RUN = re.compile(r"[ ]{2,}")
# A run of marks not preceded by one ("(?<![.!?])[.!?]+"), written with the first mark in front so that re
# skips to the marks rather than trying every place of the text.
_SENTENCE_END = re.compile(r"[.!?](?<![.!?][.!?])[.!?]*[\"»”)]?\s+(?=[\"«“(]?[A-ZА-ЯЁ0-9])")
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
LIST_MARKER = re.compile(r"^(?:[-*•●▪◦‣·–—]+\s*|(?:\d{1,2}|[A-Za-z])[.)]\s+|\((?:\d{1,2}|[A-Za-z])\.?\)\s+)")


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
    if len(line.split()) <= 8 and not any(mark in line for mark in _CLAUSE_MARKS):
        # A short line without a mark ("Strong communication skills") has nothing to cut: every step
        # below needs one of these marks or more than eight words.
        return [line.strip()] if line.strip() else []
    clauses: list[str] = []
    for chunk in _split_space_runs(line):
        for sentence in split_sentences(chunk):
            clauses_of_sentence = (
                piece for clause in _split_semicolons(sentence) for piece in _split_inline_items(clause)
            )
            labelled = (_INNER_LABEL.split(piece) if ":" in piece else [piece] for piece in clauses_of_sentence)
            for part in (label_part for parts in labelled for label_part in parts):
                for phrase in _split_russian_run_on(part.strip()):
                    clauses.extend(_split_at_openers(phrase))
    return [clause for clause in clauses if clause]


# What split_clauses cuts at (with more than eight words): a short line holding none of these is one clause.
_CLAUSE_MARKS = ("  ", ".", "!", "?", ";", ":", ")")
# Spaces before a capitalised word; the character before them is checked in _split_at_openers ("[a-z0-9)%]"):
# a pattern that opens with that look-behind is tried at every place of the text, this one only at spaces,
# and only from the first space of a run (from every space of a long run it was quadratic).
_CAPITALISED_AFTER_WORD = re.compile(r"\s(?<!\s\s)\s*(?=([A-Z][a-z]+)\b)")
_BEFORE_AN_OPENER = frozenset("abcdefghijklmnopqrstuvwxyz0123456789)%")


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
        if match.start() == 0 or text[match.start() - 1] not in _BEFORE_AN_OPENER:
            continue
        word = match.group(1).lower()
        if word not in ITEM_OPENERS and word not in DUTY_VERBS:
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


def _split_russian_run_on(text: str) -> list[str]:
    """hh.ru list items that lost their line breaks: "Поиск клиентов Работа с базой Встречи с клиентами".

    In Russian only a phrase's first word is capitalised, so in a long run without
    punctuation a capitalised word after a word starts the next phrase.
    """
    if len(text.split()) <= 12 or script_letters(text)[0] < len(text) // 2:
        return [text]
    return [phrase.strip() for phrase in _RUSSIAN_PHRASE_START.split(text)]
