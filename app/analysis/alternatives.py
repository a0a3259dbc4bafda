"""Split a requirement into its head and its list of alternatives ("Java, Go, or Python"), in linear time (pure)."""

from __future__ import annotations

import re
from functools import lru_cache

# "(e.g. Python, Java)": the parenthesis is found with str.find, not a pattern,
# because `\(...[^)]*\)` rescans to the end of the text from every "(" that is
# never closed (quadratic on "((((...").
_ALTERNATIVES_CUE = re.compile(r"(?:e\.g\.,?|such as|like|например|напр\.)?\s*", re.IGNORECASE)


def split_alternatives(text: str) -> tuple[str, list[str]]:
    """Split a requirement into its head and a list of alternatives, if it has one.

    "Expert in Java, Go, or Python" -> ("Expert in", ["Java", "Go", "Python"]);
    "NLP libraries (spaCy, NLTK, Hugging Face)" -> ("NLP libraries", ["spaCy", "NLTK", "Hugging Face"]).
    Linear in the length of the text, whatever the text (see _trailing_or_list_start).
    """
    parenthesised = _first_parenthesis(text)
    if parenthesised is not None:
        start, end, inner = parenthesised
        if "," in inner or re.search(r"\bor\b|\bили\b|/", inner):
            return text[:start] + text[end:], list_items(inner)
    # The conjunction first: one search, where the automaton reads the text character by character.
    if re.search(r"\b(?:or|или|and/or)\b", text, re.IGNORECASE) and (or_list := _trailing_or_list_start(text)):
        or_start, or_end = or_list
        items = list_items(text[or_start:or_end])
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


@lru_cache(maxsize=4096)
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


def list_items(text: str) -> list[str]:
    parts = re.split(r",|/|\bor\b|\band/or\b|\bили\b", text, flags=re.IGNORECASE)
    return [part.strip(" .") for part in parts if part.strip(" .")]
