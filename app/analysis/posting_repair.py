"""Repair posting text a paste glued together: lost line breaks, glued words and inline bullets (pure)."""

from __future__ import annotations

import re

# Words that open a list item or a sentence; a capitalised one glued to the
# word before ("PythonExperience with REST") starts a new item. Brand names
# ("JavaScript", "PowerPoint") glue words that are not in this list.
ITEM_OPENERS = frozenset(
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
# The colon first, its letter behind it: re then skips to the colons instead of trying every letter.
_GLUED_COLON = re.compile(r":(?<=[A-Za-z0-9]:)(?=[A-Z][a-z])")
# Heading phrases pasted straight onto the text after them ("What you'll bring3+ years"). Each phrase
# with its own look-ahead, so that every branch starts with a letter and re skips to those letters.
_GLUED_HEADINGS = re.compile(
    "|".join(
        rf"{phrase}(?=[^\s:.,;!?)\-–—])"
        for phrase in (
            r"What you['’]ll (?:do|bring|need|get)",
            "What we offer",
            "Nice to have",
            "About the job",
            "Что нужно делать",
            "Что мы предлагаем",
            "Мы предлагаем",
            "Будет плюсом",
            r"Кого мы ищем\??",
        )
    )
    # One-word headings only before a capital: "Requirementsengineering" is not a heading.
    + "|"
    + "|".join(rf"{word}(?=[A-Z0-9])" for word in ("Requirements", "Responsibilities", "Qualifications", "Benefits"))
)
# Bullets inside a line: "...: * Ведение базы;* Холодные звонки", " • ", " -- ", "; - ", " -Программирование".
_BULLET_CANDIDATE = re.compile(r"[*•●▪]|--|[-–—]")


def repair_glue(text: str) -> str:
    """Break lines where a paste lost them: glued words, bullets, headings, and "word.Next" joins."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "  ").replace("\u00a0", " ")
    text = _GLUED_HEADINGS.sub(lambda match: match.group(0) + "\n", text)
    text = _GLUED_WORD.sub(_split_glued_word, text)
    text = _GLUED_MARK.sub(_break_after_mark, text)
    text = _GLUED_COLON.sub(": ", text)
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
    if (glued_to[0].islower() and len(glued_to) >= 3) or right.lower() in ITEM_OPENERS:
        return f"{left}\n{right}"
    return match.group(0)
