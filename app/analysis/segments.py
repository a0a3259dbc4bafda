"""Cut a job posting into segments, keep numbered alternatives together, and classify each segment (pure).

Real postings come pasted from job boards with their structure half lost:
bullets glued together ("...customersWork hands-on..."), line breaks collapsed
into runs of spaces (city open data), whole sections on one line (USAJOBS,
hh.ru), headings in capitals, as questions, or as sentences ("What we need",
"Is this you?"). The posting is repaired (posting_repair), its headings found
by their shape and their words (posting_headings), run-on text split into
clauses (posting_clauses); here the clauses become segments, numbered
alternatives ("1. ... or 2. ...") staying together as one segment, and every
segment is classified (segment_kinds) as a requirement, a duty, an offer or
benefit, company text, legal or equal-opportunity text, application
instructions, or other text, from its heading and its own words, in English
and Russian.

Every pattern here is linear in the length of the text: no nested quantifiers
over user text, bounded repetitions only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.analysis.posting_clauses import LIST_MARKER, split_clauses
from app.analysis.posting_headings import (
    SectionKind,
    leading_heading,
    line_heading,
    split_inline_headings,
    starts_like_heading,
)
from app.analysis.posting_repair import repair_glue
from app.analysis.segment_kinds import STRONG_REQUIREMENT, SegmentKind, classify_segment, is_aside


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


# --- alternatives: "1. ... or 2. ...", "one of the following:" ----------------------------------------------------

_NOTE_LABEL = re.compile(r"^note$", re.IGNORECASE)
_STARTS_AND = re.compile(r"^(?:and|AND|и)\s+(?=\(?(?:\d{1,2}|[A-Za-z])\.?\)|\d{1,2}\.\s)")
_STARTS_OR = re.compile(r"^(?:or|OR|Or|или|либо)\b[\s,:]*")
_ENDS_OR = re.compile(r"(?:[;,]\s*|\s)(?:or|OR|или|либо)[:,]?$")
_ONLY_OR = re.compile(r"^(?:or|OR|Or|или|либо)[.,:;]?$")
_ONE_OF = re.compile(r"(?:one|any) of the following|\beither\s*:?$|одно из")
_ONE_OF_WORDS = ("of the following", "either", "одно из")
_SUB_ITEM = re.compile(r"^\(?[a-z]\.?\)\s")
# Sentences that close a group of alternatives ("However, all candidates must ...").
_GROUP_CLOSER = re.compile(
    r"^(?:however|in addition|additionally|all (?:candidates|applicants)|note\b|special note|to be eligible)",
    re.IGNORECASE,
)


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
            marker_match = LIST_MARKER.match(clause)
            marker = ""
            if marker_match:
                marker = _marker_kind(marker_match.group(0))
            sub_item = bool(_SUB_ITEM.match(clause))
            body = LIST_MARKER.sub("", clause).strip() if marker else clause
            starts_or = bool(_STARTS_OR.match(body)) or pending_or
            pending_or = False
            if starts_or:
                after_or = _STARTS_OR.sub("", body)
                or_marker = LIST_MARKER.match(after_or)
                sub_item = sub_item or bool(_SUB_ITEM.match(after_or))
                if or_marker:
                    marker = _marker_kind(or_marker.group(0))
                    after_or = LIST_MARKER.sub("", after_or)
                body = after_or
            ends_or = bool(_ENDS_OR.search(body[-8:]))
            body = body[:-8] + _ENDS_OR.sub("", body[-8:]) if ends_or else body
            body = body.strip()
            if not body:
                continue
            lowered = body.lower()
            # The pattern's three phrases, looked for plainly first: most clauses hold none.
            one_of = any(word in lowered for word in _ONE_OF_WORDS) and bool(_ONE_OF.search(lowered))
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
            and not is_aside(piece.text)
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
        if linked and head.starts_or and len(groups) > 1 and len(groups[-1]) == 1 and is_aside(groups[-1][0][0].text):
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
    if lead_in and kind == "requirement" and (only_lead_in or not STRONG_REQUIREMENT.search(text)):
        # "The preferred candidate should possess the following:" promises a list; it is not an item.
        kind, must = "other", False
    return Segment(text, kind, must, first.heading, alternatives, first.marker == "bullet", first.section or "")
