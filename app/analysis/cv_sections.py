"""Find the sections of a CV, with the line that shows each one is there.

A section is found by its heading ("EXPERIENCE", "Work history:", "## Skills",
"Опыт работы", the "Key: value" lines of hh.ru exports) or, where a CV has no
heading for it, by content that can only belong to it (date ranges for
experience, an e-mail or phone for contacts, a degree for education).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from app.analysis.textproc import grouped_alternation
from app.formatting import clip

SECTION_NAMES: tuple[str, ...] = (
    "contacts",
    "summary",
    "experience",
    "education",
    "hard_skills",
    "soft_skills",
    "projects",
    "certifications",
    "languages",
)

# The four sections every CV is expected to have.
CORE_SECTIONS: tuple[str, ...] = ("experience", "education", "hard_skills", "soft_skills")

# Heading vocabulary, English and Russian. Matched against a whole short line
# (or the key of a "Key: value" line), so "skills" inside a sentence does not
# count as a heading.
_HEADINGS: dict[str, tuple[str, ...]] = {
    "summary": (
        r"summary",
        r"professional summary",
        r"profile",
        r"professional profile",
        r"about me",
        r"objective",
        r"career objective",
        r"о себе",
        r"обо мне",
        r"цель",
        r"резюме",
        r"ищет работу на должность",
        r"желаемая должность",
    ),
    "experience": (
        r"(?:professional |work |relevant |employment |career )?experience",
        r"work history",
        r"employment(?: history)?",
        r"career history",
        r"internships?",
        r"professional background",
        r"опыт работы",
        r"опыт",
        r"трудовая деятельность",
        r"места работы",
        r"последнее/нынешнее место работы",
    ),
    "education": (
        r"education(?: and training| & training)?",
        r"academic background",
        r"qualifications",
        r"education & certifications",
        r"education and certifications",
        r"образование(?: и вуз)?",
        r"высшее образование",
        r"учеба",
        r"учёба",
    ),
    "soft_skills": (
        r"soft skills",
        r"personal (?:skills|qualities|attributes)",
        r"interpersonal skills",
        r"strengths",
        r"personal traits",
        r"личные качества",
        r"личностные качества",
        r"гибкие навыки",
        r"soft[- ]навыки",
        r"сильные стороны",
    ),
    "hard_skills": (
        # Any "<something> skills" heading that is not a soft-skills one
        # (soft_skills is tried first): "Clinical skills", "Kitchen skills".
        r"(?:[\w&/-]+ ){0,3}skills(?: (?:and|&) [\w/-]+| summary)?",
        r"skills (?:and|&) (?:tools|technologies|expertise|competencies)",
        r"technologies",
        r"tech(?:nical)? stack",
        r"tools(?: and technologies| & technologies)?",
        r"core competencies",
        r"competencies",
        r"areas of expertise",
        r"expertise",
        r"(?:[\w-]+ ){0,2}навыки",
        r"компетенции",
        r"владение (?:пк|компьютером|программами)",
        r"стек(?: технологий)?",
        r"технологии",
    ),
    "projects": (r"(?:personal |selected |key )?projects", r"проекты", r"портфолио", r"portfolio"),
    "certifications": (
        r"certifications?",
        r"certificates?",
        r"licen[cs]es?(?: (?:and|&) certifications?)?",
        r"certifications? (?:and|&) licen[cs]es?",
        r"courses",
        r"training",
        r"сертификаты",
        r"курсы",
        r"повышение квалификации",
        r"допуски",
        r"удостоверения",
    ),
    "languages": (r"languages?", r"языки", r"знание языков", r"владение языками", r"иностранные языки"),
    "contacts": (r"contacts?", r"contact (?:info|information|details)", r"контакты", r"контактная информация"),
}

_HEADING_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(r"^(?:" + "|".join(alternatives) + r")$", re.IGNORECASE))
    for name, alternatives in _HEADINGS.items()
)

# hh.ru exports put each section on one "Key: value" line.
# The longest line quoted as a section's evidence, in characters.
EVIDENCE_CHARS = 160
_KEY_VALUE = re.compile(r"^([^:\n]{2,60}):\s*(.*)$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s*")
_BULLET = re.compile(r"^\s*(?:[-*•●▪◦‣·–—]|\d{1,2}[.)])\s+")
# Only from the start of a token: from every position inside a long unbroken
# token the pattern rescanned the whole token (quadratic: 1 MB took minutes).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.]+")
# Nine digits or more, so "2019 - 2024" is not a phone number.
_PHONE_NUMBER = re.compile(r"(?<![\d-])\+?\(?\d(?:[ ().-]{0,2}\d){8,14}(?![\d])")
# A month word starts a word: tried from inside every long word, it made the
# pattern several times slower on text without dates.
_MONTH_WORD = r"(?:(?<![A-Za-zА-Яа-яЁё])[A-Za-zА-Яа-яЁё]{3,9}\.?\s+)?"
# A span of work or study: "Jul 2021 - Present", "2016 - 2019", "Март 2019 — по настоящее время".
DATE_RANGE = re.compile(
    r"(?P<start_month>" + _MONTH_WORD + r")(?P<start_numeric_month>\d{1,2}[./])?(?P<start>(?:19|20)\d\d)\s*"
    r"(?:-|–|—|to|until|по)\s*"
    r"(?:(?P<end_month>" + _MONTH_WORD + r")(?P<end_numeric_month>\d{1,2}[./])?(?P<end>(?:19|20)\d\d)|"
    r"(?:по\s+)?(?P<open>present|current|now|today|date|настоящее время|н\.\s?в\.|сейчас|наст\. время))",
    re.IGNORECASE,
)
_DEGREE = re.compile(
    r"\b(?:bachelor\S*|master'?s|master of|ph\.?d|mba|b\.?sc|m\.?sc|b\.s\.|m\.s\.|b\.a\.|m\.a\.|"
    r"bsn|msn|associate degree|diploma|university|college)|университет|институт|академи|колледж|"
    r"техникум|бакалавр|магистр|высшее",
    re.IGNORECASE,
)
# Generic traits people list as soft skills. Used only when the CV has no
# soft-skills heading, to find them written elsewhere (in a summary, say).
# \b...\b around each English word rather than around their group (the same matches), so that
# grouped_alternation can group them by first letter.
SOFT_SKILL_WORDS = grouped_alternation(
    r"\bcommunication\b|\bteamwork\b|\bteam player\b|\bleadership\b|\bcollaborat\w*\b|\bproblem[- ]solving\b|"
    r"\bempathy\b|\badaptab\w+\b|\btime management\b|\bmentor\w*\b|\battention to detail\b|\binterpersonal\b|"
    r"\bnegotiation\b|\bpresentation skills\b|\bcritical thinking\b|\bcreativ\w+\b|\bself[- ]motivated\b|"
    r"\borgani[sz]ational\b|коммуникабельн\w*|ответственн\w*|стрессоустойчив\w*|"
    r"внимательн\w*|пунктуальн\w*|обучаем\w*|исполнительн\w*|целеустремл\w*|"
    r"работа в команде|лидерск\w*|инициативн\w*|организованн\w*"
)


@dataclass(frozen=True)
class SectionHit:
    """Whether a section is present and the CV line that shows it."""

    present: bool
    evidence: str | None = None
    line_number: int | None = None  # 1-based, in the analysed text


@lru_cache(maxsize=8192)  # one analysis asks about each CV line three or four times
def heading_section(line: str) -> str | None:
    """The section a heading line names, or None if the line is not a heading.

    A heading is a short line (optionally "# ", a trailing colon, or a "Key:"
    whose value follows on the same line).
    """
    if _BULLET.match(line):
        return None  # "- Excellent communication skills" is an item, not a heading
    stripped = _MARKDOWN_HEADING.sub("", line.strip()).strip(" *_=")
    candidates = [stripped.rstrip(":").strip()]
    key_value = _KEY_VALUE.match(stripped)
    if key_value:
        candidates.append(key_value.group(1).strip())
    for candidate in candidates:
        if not candidate or len(candidate.split()) > 6:
            continue
        for name, pattern in _HEADING_PATTERNS:
            if pattern.match(candidate):
                return name
    return None


def find_sections(text: str) -> dict[str, SectionHit]:
    """Map every name in SECTION_NAMES to whether the CV has it, with evidence."""
    lines = text.splitlines()
    found: dict[str, SectionHit] = {}
    for number, line in enumerate(lines, start=1):
        name = heading_section(line)
        if name is not None and name not in found:
            # The evidence is the heading itself plus the start of what follows,
            # so a reader sees it is a real section and not an empty heading.
            if _has_inline_value(line):
                evidence = line.strip()
            else:
                body = _following_text(lines, number - 1)
                if body is None:
                    continue  # an empty heading is not a section
                evidence = f"{line.strip()} {body}"
            found[name] = SectionHit(True, clip(evidence, EVIDENCE_CHARS), number)

    # Content that proves a section without a heading for it.
    fallbacks: tuple[tuple[str, re.Pattern[str]], ...] = (
        ("contacts", _EMAIL),
        ("contacts", _PHONE_NUMBER),
        ("experience", DATE_RANGE),
        ("education", _DEGREE),
        ("soft_skills", SOFT_SKILL_WORDS),
    )
    for name, pattern in fallbacks:
        if name in found:
            continue
        for number, line in enumerate(lines, start=1):
            if pattern.search(line):
                found[name] = SectionHit(True, clip(line.strip(), EVIDENCE_CHARS), number)
                break
    return {name: found.get(name, SectionHit(False)) for name in SECTION_NAMES}


def forget_lines() -> None:
    """Empty the caches keyed by CV lines and CV texts (scoring.forget_texts calls this)."""
    heading_section.cache_clear()
    _line_sections.cache_clear()


def line_sections(text: str) -> list[str | None]:
    """The section each line of the CV belongs to (None before the first heading)."""
    return list(_line_sections(text))


@lru_cache(maxsize=64)  # the CV's years, its titles and the advice plan each ask for the same CV
def _line_sections(text: str) -> tuple[str | None, ...]:
    current: str | None = None
    owners: list[str | None] = []
    for line in text.splitlines():
        name = heading_section(line)
        if name is not None and _has_inline_value(line):
            owners.append(name)  # a "Key: value" line is a section of one line
            continue
        if name is not None:
            current = name
        owners.append(current)
    return tuple(owners)


def _has_inline_value(line: str) -> bool:
    """True for a "Key: value" line whose value is on the same line."""
    key_value = _KEY_VALUE.match(line.strip())
    return bool(key_value and key_value.group(2).strip())


def _following_text(lines: list[str], index: int) -> str | None:
    """The first non-empty line under a heading, or None when the next thing is another heading."""
    for following in lines[index + 1 : index + 4]:
        if following.strip():
            if heading_section(following) is not None:
                return None
            return following.strip()
    return None


@dataclass(frozen=True)
class DatedRole:
    """One dated entry of a CV's work history: its date line, the lines around it, and its span."""

    date_line: int  # 0-based index of the line with the date range
    start: float  # years, as year + (month - 1) / 12
    end: float
    title_lines: tuple[str, ...]  # the date line and the short lines next to it (title, employer)
    text: str  # the whole entry: title lines and the description under them

    @property
    def years(self) -> float:
        return max(0.0, self.end - self.start)


# What every match of DATE_RANGE holds (its start year).
_YEAR = re.compile(r"(?:19|20)\d\d")
_NOT_WORK_SECTIONS = frozenset({"education", "certifications", "projects", "languages"})
_EDUCATION_LINE = re.compile(
    r"universit|college|school|academy|institute|bachelor|master|ph\.?d|b\.?sc|m\.?sc|degree|gpa|coursework|"
    r"университет|институт|академи|колледж|техникум|образовани|факультет|диплом",
    re.IGNORECASE,
)
_MONTHS = {
    **{
        name: number
        for number, name in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
        )
    },
    **{
        name: number
        for number, name in enumerate(
            ["янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"], start=1
        )
    },
    "май": 5,
}
# Lines next to a date range that name the role: short, not a bullet, not a sentence.
_TITLE_LINE_WORDS = 12


def dated_roles(text: str, today_year: float) -> list[DatedRole]:
    """The CV's work entries that carry a date range, in the order written.

    An entry is its date line, the short non-bullet lines just above and below
    it (where CVs put the job title and the employer), and the lines under it up
    to the next entry or the next section. Entries under Education, Projects,
    Courses or Languages, and date lines that name a school, are not work.
    """
    lines = text.splitlines()
    owners = line_sections(text)
    dated: list[tuple[int, float, float]] = []
    for index, (line, section) in enumerate(zip(lines, owners, strict=True)):
        # A date range holds a year: most lines have none, and the two patterns after it are slow ones.
        if section in _NOT_WORK_SECTIONS or not _YEAR.search(line) or _EDUCATION_LINE.search(line):
            continue
        for match in DATE_RANGE.finditer(line):
            start = _month_value(
                match.group("start_month"), match.group("start_numeric_month"), match.group("start"), 1
            )
            if match.group("open"):
                end = today_year
            else:
                end = _month_value(match.group("end_month"), match.group("end_numeric_month"), match.group("end"), 12)
            if end >= start:
                dated.append((index, start, end))
    roles: list[DatedRole] = []
    for position, (index, start, end) in enumerate(dated):
        if position + 1 < len(dated) and dated[position + 1][0] == index:
            continue  # two ranges on one line: keep the last, whose text follows
        next_index = next((later for later, _, _ in dated[position + 1 :] if later > index), len(lines))
        titles = [lines[index].strip()]
        above = _title_neighbours(lines, range(index - 1, max(-1, index - 3), -1), owners, owners[index])
        below = _title_neighbours(lines, range(index + 1, min(next_index, index + 3)), owners, owners[index])
        first = min([index, *above])
        # The title lines above the next entry belong to it, not to this one.
        following = next_index
        if next_index < len(lines):
            following = min(
                [next_index, *_title_neighbours(lines, range(next_index - 1, index, -1), owners, owners[index])]
            )
        body_end = following
        for later in range(index + 1, following):
            if heading_section(lines[later]) is not None and not _has_inline_value(lines[later]):
                body_end = later
                break
        titles += [lines[i].strip() for i in sorted(above + below)]
        entry = "\n".join(line.strip() for line in lines[first:body_end] if line.strip())
        roles.append(DatedRole(index, start, end, tuple(titles), entry))
    return roles


def _title_neighbours(lines: list[str], indexes: range, owners: list[str | None], section: str | None) -> list[int]:
    """Consecutive short non-bullet lines from the given indexes (stops at a blank, bullet or heading)."""
    found: list[int] = []
    for index in indexes:
        line = lines[index].strip()
        if (
            not line
            or _BULLET.match(line)
            or heading_section(line) is not None
            or owners[index] != section
            or len(line.split()) > _TITLE_LINE_WORDS
            or DATE_RANGE.search(line)
        ):
            break
        found.append(index)
    return found


def _month_value(month_word: str | None, numeric_month: str | None, year: str, default_month: int) -> float:
    month = default_month
    if numeric_month:
        month = int(numeric_month[:-1]) or default_month
    elif month_word:
        month = _MONTHS.get(month_word.strip().lower()[:3], default_month)
    # An end month counts in full: "Jan 2020 - Dec 2020" is one year.
    return int(year) + (month - 1) / 12 + (1 / 12 if default_month == 12 else 0)


def merged_years(spans: list[tuple[float, float]]) -> float:
    """Total length of the spans, overlaps counted once."""
    total = 0.0
    current_start: float | None = None
    current_end = 0.0
    for start, end in sorted(spans):
        if current_start is None or start > current_end:
            if current_start is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_start is not None:
        total += current_end - current_start
    return total
