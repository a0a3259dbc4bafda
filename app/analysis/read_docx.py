"""Read a .docx file into text, leaving out what a reader cannot see.

Rule: imports python-docx, zipfile and app.analysis.read_errors only.

A .docx is a zip archive: before python-docx inflates anything, the zip
directory is checked, so a small file that would inflate to gigabytes (a
"zip bomb") is refused unread. Python's zipfile never inflates a member past
the size its directory entry declares, so checking the declared sizes bounds
what is really inflated.

Text a reader cannot see (a hidden run, white text on a white page, a font
under 3 pt) is left out of the text and counted, so that the analysis and the
prompt never see it and the user can be told.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from app.analysis.read_errors import MAX_RAW_CHARS, error, human_size, too_long
from app.errors import DocumentError

#: Largest size of one part of the archive once inflated. A CV's document.xml
#: is 20 KB-2 MB, its pictures a few MB each.
MAX_PART_BYTES: int = 20 * 1024 * 1024
#: Largest size of one XML part once inflated: a 30-page CV's document.xml is under 3 MB.
MAX_XML_PART_BYTES: int = 10 * 1024 * 1024
#: Most tags in one XML part: a CV has tens of thousands. Millions of empty paragraphs
#: in a few MB of XML would take minutes to walk (python-docx makes an object for each).
MAX_XML_TAGS: int = 500_000
#: Largest size of the whole archive once inflated.
MAX_INFLATED_BYTES: int = 64 * 1024 * 1024
#: Most members in the archive: a CV has 10-60.
MAX_PARTS: int = 2_000
#: Most paragraphs and table rows read: about 30 pages hold 1,500; millions of
#: empty paragraphs in a few MB of XML would otherwise take minutes to walk.
MAX_BLOCKS: int = 50_000

# Runs in a font smaller than this (points) are not readable text.
MIN_VISIBLE_PT = 3.0
# A colour whose three channels are all at least this (of 255) is white on paper.
_WHITE_FLOOR = 0xF0
_TRUE = {"1", "true", "on"}


@dataclass(frozen=True)
class DocxText:
    text: str
    hidden_words: int


def read_docx(data: bytes, name: str) -> DocxText:
    """The visible text of a .docx file (paragraphs and table cells in order) and how many words were hidden."""
    check_archive(data, name)
    # python-docx fails on non-docx input with zipfile, KeyError, ValueError
    # or lxml errors depending on how the file is wrong; to the user all of
    # them mean the same thing.
    try:
        document = docx.Document(io.BytesIO(data))
        reader = _Reader(document)
        lines: list[str] = []
        size = 0
        for line in reader.block_lines(document.iter_inner_content()):
            lines.append(line)
            size += len(line) + 1
            if size > MAX_RAW_CHARS:
                raise too_long(name, size, at_least=True)
        return DocxText("\n".join(lines), reader.hidden_words)
    except DocumentError:
        raise
    except _TooManyBlocks:
        raise error(
            name,
            f"this Word file has over {MAX_BLOCKS:,} paragraphs and table rows, far more than a CV or job "
            "description; check it is the right file, or paste the text instead.",
        ) from None
    except Exception as exc:
        raise damaged_docx(name) from exc


def check_archive(data: bytes, name: str) -> None:
    """Refuse an archive whose directory declares too many members or too much inflated data."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception as exc:  # BadZipFile, but also struct/overflow errors on crafted directories
        raise damaged_docx(name) from exc
    if len(members) > MAX_PARTS:
        raise _bomb(name, f"{len(members):,} parts (a Word file has tens)")
    total = 0
    xml_parts: list[zipfile.ZipInfo] = []
    for member in members:
        is_xml = member.filename.lower().endswith((".xml", ".rels"))
        if member.file_size > (MAX_XML_PART_BYTES if is_xml else MAX_PART_BYTES):
            raise _bomb(name, f"a part ({member.filename[:60]}) that inflates to {human_size(member.file_size)}")
        total += member.file_size
        if is_xml:
            xml_parts.append(member)
    if total > MAX_INFLATED_BYTES:
        raise _bomb(name, f"parts that inflate to {human_size(total)} in all")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # Read at most the declared size (zipfile stops there), which was just checked.
            tags = {member.filename: archive.read(member).count(b"<") for member in xml_parts}
    except Exception as exc:  # a bad CRC or a damaged stream
        raise damaged_docx(name) from exc
    for part, count in tags.items():
        if count > MAX_XML_TAGS:
            raise error(
                name,
                f"this Word file's {part[:60]} holds {count:,} XML tags, far more than a CV or job description "
                f"(the limit is {MAX_XML_TAGS:,}); check it is the right file, or paste the text instead.",
            )


def damaged_docx(name: str) -> DocumentError:
    return error(
        name,
        "cannot read this Word file (it is damaged or not really a .docx); "
        "save it again as .docx or paste the text instead.",
    )


def _bomb(name: str, what: str) -> DocumentError:
    return error(
        name,
        f"this Word file holds {what}, over the limit of {human_size(MAX_XML_PART_BYTES)} an XML part, "
        f"{human_size(MAX_PART_BYTES)} a picture and {human_size(MAX_INFLATED_BYTES)} in all; "
        "save the CV again as .docx without large embedded files, "
        "or paste the text instead.",
    )


# A page colour, a picture or shape anchored behind the text (DrawingML), or a VML shape under it.
_BACKDROP = (
    "boolean(//*[local-name()='background'] | //*[local-name()='anchor'][@behindDoc='1' or @behindDoc='true']"
    " | //*[contains(@style, 'z-index:-')])"
)


class _TooManyBlocks(Exception):
    pass


class _Reader:
    """Walks a document's paragraphs and tables, keeping visible runs and counting hidden words."""

    def __init__(self, document: Any) -> None:
        self.hidden_words = 0
        self._blocks = 0
        self._styles: dict[str, tuple[Any, str | None]] = {}  # style id -> (w:rPr or None, basedOn id)
        self._default_paragraph_style: str | None = None
        self._defaults: Any = None
        styles = document.styles.element
        if styles is not None:
            for style in styles.iterchildren(qn("w:style")):
                style_id = style.get(qn("w:styleId"))
                if style_id is None:
                    continue
                based = style.find(qn("w:basedOn"))
                self._styles[style_id] = (
                    style.find(qn("w:rPr")),
                    based.get(qn("w:val")) if based is not None else None,
                )
                if style.get(qn("w:type")) == "paragraph" and style.get(qn("w:default")) in _TRUE:
                    self._default_paragraph_style = style_id
            self._defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
        # White text may sit on a page colour, or on a picture or shape placed behind the text (a designer
        # template's dark header band): where the document has either, white text is not called hidden.
        self._backdrop = bool(document.element.xpath(_BACKDROP))

    # --- walking -------------------------------------------------------------

    def block_lines(self, blocks: Iterator[Any]) -> Iterator[str]:
        """Yield the lines of paragraphs and tables in document order."""
        for block in blocks:
            self._count_block()
            if isinstance(block, Paragraph):
                yield self.paragraph_text(block._p)
            else:
                yield from self._table_lines(block, set())

    def _count_block(self) -> None:
        self._blocks += 1
        if self._blocks > MAX_BLOCKS:
            raise _TooManyBlocks

    def _table_lines(self, table: Any, seen: set[object]) -> Iterator[str]:
        """Yield a table's text row by row.

        CVs use tables for layout ("2019-2022 | Acme Corp") as much as for data.
        A row whose cells each hold one line becomes one line joined by ``" | "``
        so that the cells stay together; a row with multi-line cells gives each
        cell's lines in turn, since joining paragraphs would garble them.
        """
        for row in table.rows:
            self._count_block()
            cells: list[list[str]] = []
            for cell in row.cells:
                # Merged cells come back once per grid column they span (and once
                # per row for vertical merges); take each underlying cell once.
                # Keeping the element in ``seen`` keeps lxml's proxy alive, which
                # makes the identity test reliable.
                if cell._tc in seen:
                    continue
                seen.add(cell._tc)
                lines = [line for line in self._cell_lines(cell, seen) if line.strip()]
                if lines:
                    cells.append(lines)
            if all(len(lines) == 1 for lines in cells):
                if cells:
                    yield " | ".join(lines[0] for lines in cells)
            else:
                for lines in cells:
                    yield from lines

    def _cell_lines(self, cell: Any, seen: set[object]) -> Iterator[str]:
        # A cell's text may itself span lines (w:br) and may hold nested tables.
        for block in cell.iter_inner_content():
            self._count_block()
            if isinstance(block, Paragraph):
                yield from self.paragraph_text(block._p).splitlines()
            else:
                for line in self._table_lines(block, seen):
                    yield from line.splitlines()

    # --- what a reader sees ----------------------------------------------------

    def paragraph_text(self, paragraph: Any) -> str:
        """The paragraph's text without its hidden runs (whose words are counted)."""
        style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        style_id = style.get(qn("w:val")) if style is not None else self._default_paragraph_style
        paragraph_chain = self._style_chain(style_id)
        shaded = _dark(paragraph.find(f"{qn('w:pPr')}/{qn('w:shd')}")) or self._cell_shaded(paragraph)
        parts: list[str] = []
        for run in paragraph.xpath("w:r | w:hyperlink/w:r"):
            text = run.text
            if not text:
                continue
            if self._hidden(run, paragraph_chain, shaded):
                self.hidden_words += len(text.split())
                # Keep a word boundary where the hidden run was, so that the words around it stay apart.
                parts.append(" ")
            else:
                parts.append(text)
        return "".join(parts)

    def _hidden(self, run: Any, paragraph_chain: list[Any], shaded: bool) -> bool:
        properties = run.find(qn("w:rPr"))
        chain: list[Any] = [properties] if properties is not None else []
        if properties is not None:
            run_style = properties.find(qn("w:rStyle"))
            if run_style is not None:
                chain += self._style_chain(run_style.get(qn("w:val")))
        chain += paragraph_chain
        if self._defaults is not None:
            chain.append(self._defaults)

        def first(tag: str) -> Any:
            for element in chain:
                found = element.find(qn(tag))
                if found is not None:
                    return found
            return None

        for tag in ("w:vanish", "w:webHidden", "w:specVanish"):
            toggle = first(tag)
            if toggle is not None and toggle.get(qn("w:val"), "true").lower() in _TRUE:
                return True
        size = first("w:sz")
        if size is not None:
            try:
                if int(size.get(qn("w:val"), "24")) / 2 < MIN_VISIBLE_PT:
                    return True
            except ValueError:
                pass
        color = first("w:color")
        if color is not None and _white(color) and not shaded and not self._backdrop:
            run_shading = properties.find(qn("w:shd")) if properties is not None else None
            highlight = properties.find(qn("w:highlight")) if properties is not None else None
            lit = highlight is not None and highlight.get(qn("w:val"), "none") not in ("none", "white")
            return not (_dark(run_shading) or lit)
        return False

    def _style_chain(self, style_id: str | None) -> list[Any]:
        """The w:rPr of a style and of the styles it is based on, nearest first (cycles cut)."""
        chain: list[Any] = []
        seen: set[str] = set()
        while style_id is not None and style_id not in seen and style_id in self._styles:
            seen.add(style_id)
            properties, style_id = self._styles[style_id]
            if properties is not None:
                chain.append(properties)
        return chain

    def _cell_shaded(self, paragraph: Any) -> bool:
        parent = paragraph.getparent()
        while parent is not None and parent.tag != qn("w:tc"):
            parent = parent.getparent()
        return parent is not None and _dark(parent.find(f"{qn('w:tcPr')}/{qn('w:shd')}"))


def _white(color: Any) -> bool:
    theme = (color.get(qn("w:themeColor")) or "").lower()
    if theme in ("background1", "light1"):
        return True
    value = (color.get(qn("w:val")) or "").strip()
    if len(value) != 6:
        return False  # "auto" (black on white) or unreadable
    try:
        channels = [int(value[index : index + 2], 16) for index in (0, 2, 4)]
    except ValueError:
        return False
    return all(channel >= _WHITE_FLOOR for channel in channels)


def _dark(shading: Any) -> bool:
    """Whether a w:shd fills its area with a colour that is not white (white text on it can be read)."""
    if shading is None:
        return False
    fill = (shading.get(qn("w:fill")) or "auto").strip()
    if fill.lower() == "auto" or len(fill) != 6:
        return False
    try:
        channels = [int(fill[index : index + 2], 16) for index in (0, 2, 4)]
    except ValueError:
        return False
    return not all(channel >= _WHITE_FLOOR for channel in channels)
