"""How the advice checks read advice: its sentences, quotations left out, excerpts, generic and honest words (pure)."""

from __future__ import annotations

import re

from app.analysis.textproc import stem

# Wording that keeps advice about a missing skill honest: learn it first, or state it only where it is true.
HONEST_CONTEXT = re.compile(
    r"\b(?:learn|study|course|train|practi[cs]e|gain|get (?:certified|experience)|once you|after you|when you|"
    r"if you have|if you did|if true|if it is true|where it is true|where true|only if|build a project|earn)\b|"
    r"does not show|doesn't show|not shown|изуч|освой|пройдите|получите|после того|когда вы|если у вас есть|если вы|"
    r"если это правда|реально пользуетесь|в резюме нет|в резюме этого нет|которые вы прошли|которые видны из опыта|"
    r"you took|your experience shows",
    re.IGNORECASE,
)
# A quotation of three words or more: a CV line or a requirement cited, not the advice's own claim.
QUOTE = re.compile(r'"[^"\n]*"|«[^»\n]*»|“[^”\n]*”')


def without_quotes(text: str) -> str:
    """The text with its long quotations (CV lines, requirements) left out."""
    return QUOTE.sub(lambda match: " " if len(match.group(0).split()) >= 3 else match.group(0), text)


# Words any requirement or advice may use that name no skill: no check counts them as one.
GENERIC = frozenset(
    stem(word)
    for word in "experience experienced knowledge skills skill strong good solid working proven ability years year "
    "professional related field cv job work role опыт опыта знание знания навыки навык умение работы".split()
)
# Where a sentence or a line of advice ends.
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def excerpt(text: str, match: re.Match[str], around: int = 30) -> str:
    """The match with `around` characters either side, on one line: what a problem quotes."""
    start = max(0, match.start() - around)
    end = min(len(text), match.end() + around)
    return " ".join(text[start:end].split())
