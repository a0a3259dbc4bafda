"""The CV prepared once for matching: its lines, titles, dated roles, years of experience and degree (pure)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.analysis.cv_sections import DatedRole, dated_roles, line_sections, merged_years
from app.analysis.job_requirements import degree_levels
from app.analysis.textproc import Language, content_stems, detect_language
from app.formatting import clip

# The longest CV line quoted as evidence, in characters.
EVIDENCE_CHARS = 200


@dataclass(frozen=True)
class _CvLine:
    text: str
    stems: frozenset[str]


@dataclass(frozen=True)
class _Role:
    span: tuple[float, float]
    stems: frozenset[str]


class CvProfile:
    """The CV prepared once for matching: its lines, titles, dated roles, years and degree."""

    def __init__(self, text: str, today: dt.date, *, language: Language | None = None) -> None:
        """`language`: the CV's, when the caller has it already (else detected here)."""
        self.text = text
        self.lines = [
            _CvLine(line.strip(), frozenset(content_stems(line))) for line in text.splitlines() if line.strip()
        ]
        self.stems: frozenset[str] = (
            frozenset().union(*(line.stems for line in self.lines)) if self.lines else frozenset()
        )
        self.language = language or detect_language(text)
        roles = dated_roles(text, _year_value(today))
        self.roles = [_Role((role.start, role.end), frozenset(content_stems(role.text))) for role in roles]
        self.years = _years_from(roles, text)
        self.titles = _cv_titles(text, roles)
        self.degree_level, self.degree_line = _degree_level(text)

    def best_line(self, wanted: Iterable[str]) -> tuple[str | None, frozenset[str]]:
        """The CV line that holds most of the wanted stems, and which of them it holds."""
        wanted_set = frozenset(wanted)
        best: _CvLine | None = None
        best_hits: frozenset[str] = frozenset()
        for line in self.lines:
            hits = line.stems & wanted_set
            if len(hits) > len(best_hits):
                best, best_hits = line, hits
        return (clip(best.text, EVIDENCE_CHARS) if best else None), best_hits

    def years_in(self, field_stems: frozenset[str]) -> float:
        """Years of the dated roles that name at least half of the field's words."""
        needed = max(1, (len(field_stems) + 1) // 2)
        spans = [role.span for role in self.roles if len(role.stems & field_stems) >= needed]
        return round(merged_years(spans), 1)


# --- years of experience -------------------------------------------------

_STATED_YEARS = (
    # (?<!\d) and "\s*(?:\+\s*)?": see job_requirements._YEARS_PATTERNS (quadratic otherwise).
    re.compile(
        r"(?<!\d)(\d+(?:[.,]\d)?)\s*(?:\+\s*)?(?:years?|yrs?)(?:\s+of)?(?:\s+\w+){0,3}?\s+experience", re.IGNORECASE
    ),
    re.compile(r"experience\s*(?:(?:of|:)\s*)?(\d+(?:[.,]\d)?)\s*(?:\+\s*)?years?", re.IGNORECASE),
    re.compile(
        r"опыт\w* работы:?\s*(?:более\s+|свыше\s+)?(\d+)\s*(?:лет|года|год)(?:\s*(\d+)\s*месяц)?", re.IGNORECASE
    ),
)


def _year_value(today: dt.date) -> float:
    return today.year + (today.month - 1) / 12


def estimate_years_of_experience(text: str, today: dt.date) -> float | None:
    """Years of work the CV shows: merged date ranges of work, or the years it states.

    Date ranges on education lines are left out. When both a stated figure
    ("6 years of experience") and dated jobs exist, the larger is taken: CVs
    often leave early jobs undated but never invent dates.
    """
    return _years_from(dated_roles(text, _year_value(today)), text)


def _years_from(roles: list[DatedRole], text: str) -> float | None:
    dated = merged_years([(role.start, role.end) for role in roles]) if roles else None
    stated: float | None = None
    for pattern in _STATED_YEARS:
        for match in pattern.finditer(text):
            value = float(match.group(1).replace(",", "."))
            if match.lastindex and match.lastindex >= 2 and match.group(2):
                value += int(match.group(2)) / 12
            if value <= 50:
                stated = max(stated or 0.0, value)
    candidates = [value for value in (dated, stated) if value is not None]
    return round(max(candidates), 1) if candidates else None


_TITLE_KEY = re.compile(
    r"^(?:ищет работу на должность|желаемая должность|последняя/нынешняя должность|должность|"
    r"position|title|desired position|objective)\s*:\s*(.+)$",
    re.IGNORECASE,
)


def _cv_titles(text: str, roles: list[DatedRole]) -> list[str]:
    """The CV's own titles: its first lines (name and headline), keyed titles, its dated roles' titles."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    titles = lines[:3]
    titles += [match.group(1) for line in lines if (match := _TITLE_KEY.match(line))]
    for role in roles:
        titles += role.title_lines
    # Undated entries of the work history ("Software Engineering Intern at X (Summer 2023)").
    titles += [
        line.strip()
        for line, section in zip(text.splitlines(), line_sections(text), strict=True)
        if section == "experience" and line.strip() and not _BULLET_LINE.match(line) and len(line.split()) <= 10
    ]
    return titles


_BULLET_LINE = re.compile(r"^\s*(?:[-*•●▪◦‣·–—]|\d{1,2}[.)])\s+")


# --- degree --------------------------------------------------------------------

_INCOMPLETE_DEGREE = re.compile(
    r"неоконченное высшее|incomplete|unfinished|not completed|in progress|expected 20\d\d", re.IGNORECASE
)


def _degree_level(text: str) -> tuple[int, str | None]:
    """The highest degree the CV shows (see job_requirements.DEGREE_LEVELS) and the line that shows it."""
    best_level, best_line = 0, None
    for line in text.splitlines():
        levels = degree_levels(line)
        if levels:
            effective = levels[0] - 1 if _INCOMPLETE_DEGREE.search(line) else levels[0]
            if effective > best_level:
                best_level, best_line = effective, clip(line.strip(), EVIDENCE_CHARS)
    return best_level, best_line
