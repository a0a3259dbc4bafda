"""The plan's words: the section a requirement belongs to, the job's terms without filler, quoted CV lines (pure)."""

from __future__ import annotations

import re

from app.analysis.matching import RequirementMatch
from app.analysis.textproc import raw_tokens, stem

QUOTE_LIMIT = 120
BULLET = re.compile(r"^\s*(?:[-*•●▪◦‣·–—]|\d{1,2}[.)])\s+")

_SOFT_SKILL = re.compile(
    r"communicat|\bteams?\b|team ?work|collaborat|eager|willing|curio|motivat|learn and grow|interpersonal|"
    r"leadership|problem[- ]solving|"
    r"attention to detail|detail[- ]oriented|organi[sz](?:ed|ational)|adaptab|flexib|proactiv|initiative|"
    r"self[- ]motivat|ownership|empath|creativ|time management|customer[- ]focus|negotiat|presentation skills|"
    r"work independently|independent|responsib(?:le|ility)\b|reliab|punctual|stress|"
    r"коммуникаб|общени|командн|в команде|ответствен|внимательн|стрессоуст|обучаем|инициатив|пунктуальн|"
    r"исполнительн|организованн|самостоятельн|лидерск|вежлив|доброжелат|грамотн\w* речь|переговор|"
    r"аккуратн|клиентоориент|многозадачн",
    re.IGNORECASE,
)
SOFT_CV_LINE = _SOFT_SKILL


def requirement_section(match: RequirementMatch) -> str:
    kind = match.requirement.kind
    if kind in ("years", "role"):
        return "experience"
    if kind in ("degree", "certification"):
        return "education"
    if kind == "skill" and _SOFT_SKILL.search(match.requirement.text):
        return "soft_skills"
    return "hard_skills"


_FILLER = frozenset(
    "experience experienced knowledge skills skill strong good solid working proven ability years year "
    "degree education опыт знание знания навыки умение образование высшее".split()
)


def display_words(text: str, stems: tuple[str, ...] | list[str]) -> list[str]:
    """The words of `text` whose stems are among `stems`, as the text writes them, filler left out."""
    wanted = set(stems)
    found: dict[str, None] = {}
    for word in re.findall(r"[\w+#.\-]+", text):
        cleaned = word.strip(".-")
        if not cleaned or cleaned.lower() in _FILLER:
            continue
        if any(stem(token) in wanted for token in raw_tokens(cleaned)):
            found.setdefault(cleaned, None)
    return list(found)


YEARS_HEAD = re.compile(
    r"^\s*\d+(?:[.,]\d+)?\+?\s*(?:(?:-|–|to)\s*\d+\s*)?(?:years?|yrs?)\s*(?:of\s+)?(?:\w+\s+)?"
    r"experience\s*(?:in|with|as|of|on)?\s*",
    re.IGNORECASE,
)


def core_phrase(text: str) -> str:
    """A requirement without its filler ("Experience with", "Strong ... skills", "Knowledge of")."""
    text = re.sub(r"^(?:strong|solid|good|excellent|proven|deep|advanced)\s+", "", text.strip(), flags=re.IGNORECASE)
    text = re.sub(r"\s+(?:skills?|knowledge|experience)\s*$", "", text, flags=re.IGNORECASE)
    return re.sub(
        r"^(?:(?:strong|solid|good|proven|excellent|hands-on|working|deep)\s+)?"
        r"(?:experience|knowledge|understanding|skills?|proficiency|familiarity)\s+(?:with|in|of)\s+"
        r"|^(?:опыт(?: работы)?|знание|умение|навыки)\s+(?:с|в|работы с)?\s*",
        "",
        text.strip(),
        flags=re.IGNORECASE,
    ).strip(" .;:")


def quote_terms(text: str) -> tuple[str, ...]:
    """Two words that show a quoted CV line is meant: its longest."""
    return tuple(distinctive_words(text)[:2])


def distinctive_words(text: str) -> list[str]:
    words = [word.strip(".,;:()«»\"'") for word in text.split()]
    return sorted({word for word in words if len(word) >= 5}, key=lambda word: (-len(word), word))


def clip_quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """The text on one line, cut at a word boundary when longer than `limit` (a cut word reads as a new name)."""
    text = " ".join(BULLET.sub("", text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"
