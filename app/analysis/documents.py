"""Read a user's CV or job description into normalised plain text.

This module is the only place that knows about file formats. Everything after
it (section detection, prompting, scoring) works on the ``text`` of a
:class:`Document`: plain UTF-8 text with LF line ends, one space between words,
at most one blank line in a row and ``- `` as the only bullet marker. Line
structure is kept on purpose, because section detection downstream works line
by line.

Supported inputs are ``.txt``, ``.md``, ``.pdf`` (its text layer) and
``.docx`` (paragraphs and table cells), plus pasted text. Anything that cannot
be turned into text raises :class:`~app.errors.DocumentError` whose message is
one line that names the file and says what to do; the CLI and the web app show
that line as it is.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from pypdf import PasswordType, PdfReader

from app.errors import DocumentError

# pypdf logs the details of a damaged file as warnings on stderr; the user gets
# one DocumentError line instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_TEXT_CHARS",
    "SUPPORTED_SUFFIXES",
    "Document",
    "from_text",
    "normalise_text",
    "read_bytes",
    "read_document",
]

#: Largest file we accept, in bytes (10 MiB). A CV or a job description is a
#: few pages; anything bigger is almost surely the wrong file or a PDF full of
#: images, and parsing it would only make the user wait.
MAX_FILE_BYTES: int = 10 * 1024 * 1024

#: Longest text we analyse, in characters after normalisation: about 30 pages
#: (3,000-3,500 characters a page). Real CVs and job descriptions are 2-15,000
#: characters; a longer text is the wrong file, or text meant to stall the
#: analysis, which is linear but not free (about 1 s per 100,000 characters).
MAX_TEXT_CHARS: int = 100_000
# Normalising removes spaces and blank lines only, so raw text this long cannot
# come under MAX_TEXT_CHARS: it is refused before the work of normalising it.
_MAX_RAW_CHARS: int = 3 * MAX_TEXT_CHARS
_CHARS_PER_PAGE = 3_300

#: File name suffixes we can read, compared case-insensitively.
SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".pdf", ".docx")
# The bundled example pair ("Try an example", `make demo`, the benchmarks' real task).
EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_CV = EXAMPLES_DIR / "example_cv.txt"
EXAMPLE_JOB = EXAMPLES_DIR / "example_job.txt"

_TEXT_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class Document:
    """A CV or job description reduced to normalised text."""

    name: str
    """File name as the user gave it, used in messages."""
    text: str
    """Normalised text (see :func:`normalise_text`); never empty."""
    source_format: str
    """``"txt"``, ``"md"``, ``"pdf"``, ``"docx"`` or ``"text"`` (pasted)."""


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def read_document(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read the file at ``path`` into a :class:`Document`.

    The format is chosen by the file name's suffix. The size is checked
    against ``max_bytes`` before the file is read.

    Raises:
        DocumentError: the file is missing, not a regular file, unreadable,
            of an unsupported type, too big, empty, binary, encrypted,
            scanned or damaged.
    """
    given = str(path)
    file_path = Path(path).expanduser()
    name = file_path.name or given
    try:
        if not file_path.exists():
            raise _error(given, "file not found; check the path and try again.")
        if file_path.is_dir():
            raise _error(
                given,
                "this is a folder, not a file; choose the CV or job description file itself.",
            )
        if not file_path.is_file():
            raise _error(
                given,
                "this is not a regular file; choose a saved .txt, .md, .pdf or .docx file.",
            )
        suffix = _checked_suffix(name)
        # Check the size from the file system first so that a huge file is
        # refused without reading it into memory.
        size = file_path.stat().st_size
        if size > max_bytes:
            raise _too_big(name, size, max_bytes)
        with file_path.open("rb") as handle:
            # Read one byte more than allowed: the file may have grown since
            # stat(), and this keeps the cap a hard limit either way.
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise _error(
            given,
            f"cannot read the file ({reason}); check its permissions or copy it somewhere readable.",
        ) from exc
    if len(data) > max_bytes:
        raise _too_big(name, len(data), max_bytes)
    return _parse(data, name, suffix)


def read_bytes(data: bytes, name: str, *, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read an uploaded file's ``data`` into a :class:`Document`.

    Same rules as :func:`read_document`; the format is chosen by the suffix of
    ``name`` (the upload's original file name).
    """
    suffix = _checked_suffix(name)
    if len(data) > max_bytes:
        raise _too_big(name, len(data), max_bytes)
    return _parse(bytes(data), name, suffix)


def from_text(text: str, name: str = "pasted text") -> Document:
    """Wrap pasted ``text`` in a :class:`Document`, normalised like a file."""
    if len(text) > _MAX_RAW_CHARS:
        raise _too_long(name, len(text))
    clean = normalise_text(text)
    if len(clean) > MAX_TEXT_CHARS:
        raise _too_long(name, len(clean))
    if not clean:
        raise _error(
            name,
            "there is no text; paste the CV or job description text and try again.",
        )
    return Document(name=name, text=clean, source_format="text")


# Characters that only steer rendering or line breaking and carry no text:
# zero-width space/joiners, word joiner, BOM and the Mongolian vowel separator.
# They break word matching ("Py\u200bthon" is not "Python"), so they go.
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u180e]")
# Every Unicode space that is not a plain space, tab or line break.
_UNICODE_SPACE_RE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Line-breaking characters other than LF: CRLF and CR from Windows and old
# Macs, VT/FF (pypdf emits FF between some text blocks), NEL and the Unicode
# line/paragraph separators. All become LF so that lines mean one thing.
_LINE_BREAK_RE = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Control characters left after the line breaks are handled: never text,
# sometimes left over by PDF text extraction.
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# A soft hyphen at a line break marks a word split there by the layout.
_SOFT_HYPHEN_BREAK_RE = re.compile("\u00ad[ \t]*\n[ \t]*")
# A word broken across lines with a visible hyphen: "experi-\nence". The
# letter after the break is captured by the lookahead so that the replacement
# can check that it is lowercase ("Java-\nScript" may be a real hyphen).
_HYPHEN_BREAK_RE = re.compile(r"(?<=[^\W\d_])[-\u2010][ \t]*\n[ \t]*(?=([^\W\d_]))")
# PDF fonts often keep Latin ligatures as single characters; spell them out
# so that "ﬁnance" matches "finance".
_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb06": "st",
    }
)
# Glyphs that are only ever bullets: they need no space after them. U+F0B7 and
# U+F0A7 are the private-use Symbol/Wingdings bullets Word puts into PDFs.
_BULLETS_ALWAYS = "•●▪◦‣➢✓■►▸➤✔○\uf0b7\uf0a7"
# Glyphs that are bullets only when followed by a space: "**Bold**", "-5%",
# "–2020" and "·net" must stay as they are.
_BULLETS_WITH_SPACE = "-*–—·"
_BULLET_RE = re.compile(
    rf"^[ \t]*(?:[{_BULLETS_ALWAYS}]|[{re.escape(_BULLETS_WITH_SPACE)}](?=[ \t]))"
    r"[ \t]*",
    re.MULTILINE,
)
# A bullet alone on its line followed by its text on the next line, as PDF
# extraction sometimes produces; glue them back together.
_LONE_BULLET_RE = re.compile(rf"^[ \t]*[{_BULLETS_ALWAYS}][ \t]*\n(?=[ \t]*\S)", re.MULTILINE)
_SPACE_RUN_RE = re.compile(r"[ \t]+")
_BLANK_LINES_RE = re.compile(r"\n{3,}")


def normalise_text(text: str) -> str:
    """Return ``text`` cleaned up for line-based processing.

    Applies Unicode NFC; turns CRLF, CR and other line breaks into LF; maps
    non-breaking and other Unicode spaces to a space; removes zero-width
    characters, soft hyphens and stray control characters; joins words
    hyphenated across a line break when a lowercase letter follows (English
    and Russian alike); spells out Latin ligatures; rewrites bullet glyphs at
    line starts as ``"- "``; collapses runs of spaces and tabs to one space;
    strips spaces at both ends of every line; keeps at most one blank line in
    a row and drops blank lines at the start and end. Lines are otherwise
    kept as they are. Pure function.
    """
    text = unicodedata.normalize("NFC", text)
    text = _LINE_BREAK_RE.sub("\n", text)
    text = _CONTROL_RE.sub("", text)
    text = _ZERO_WIDTH_RE.sub("", text)
    text = _UNICODE_SPACE_RE.sub(" ", text)
    text = text.translate(_LIGATURES)
    # A soft hyphen at a line end always means "word continues": join first,
    # then drop the soft hyphens that were only break opportunities.
    text = _SOFT_HYPHEN_BREAK_RE.sub("", text)
    text = text.replace("\u00ad", "")
    text = _HYPHEN_BREAK_RE.sub(_join_hyphenated, text)
    text = _LONE_BULLET_RE.sub(lambda match: match.group(0).rstrip("\n \t") + " ", text)
    text = _BULLET_RE.sub("- ", text)
    text = _SPACE_RUN_RE.sub(" ", text)
    text = "\n".join(line.strip(" ") for line in text.split("\n"))
    text = _BLANK_LINES_RE.sub("\n\n", text)
    return text.strip("\n")


def _join_hyphenated(match: re.Match[str]) -> str:
    # Only a lowercase continuation is a broken word; "Java-\nScript" or
    # "Front-\nEnd" keeps its hyphen and its line break.
    return "" if match.group(1).islower() else match.group(0)


# --------------------------------------------------------------------------
# Format dispatch
# --------------------------------------------------------------------------


def _checked_suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{suffix}'" if suffix else "without a suffix"
        raise _error(
            name,
            f"unsupported file type {shown}; save it as one of "
            f"{', '.join(SUPPORTED_SUFFIXES)} or paste the text instead.",
        )
    return suffix


def _parse(data: bytes, name: str, suffix: str) -> Document:
    if not data:
        raise _error(
            name,
            "the file is empty; choose the file that holds the text or paste the text instead.",
        )
    if suffix in _TEXT_SUFFIXES:
        raw = _decode_text(data, name)
    elif suffix == ".pdf":
        raw = _read_pdf(data, name)
    else:
        raw = _read_docx(data, name)
    if len(raw) > _MAX_RAW_CHARS:
        raise _too_long(name, len(raw))
    text = normalise_text(raw)
    if len(text) > MAX_TEXT_CHARS:
        raise _too_long(name, len(text))
    if not text:
        if suffix == ".pdf":
            raise _error(
                name,
                "this PDF has no text layer (it looks scanned); run OCR on it or paste the text instead.",
            )
        raise _error(
            name,
            "no text found in the file (only blank space or images); "
            "check it is the right file or paste the text instead.",
        )
    return Document(name=name, text=text, source_format=suffix.lstrip("."))


# --------------------------------------------------------------------------
# Plain text
# --------------------------------------------------------------------------

# Above this share of control characters the bytes are not something a
# person typed. Real text has almost none, while random bytes decoded as
# cp1251 have about 10%, so 5% separates the two with room on both sides.
_MAX_CONTROL_SHARE = 0.05


def _decode_text(data: bytes, name: str) -> str:
    # Windows Notepad's "Unicode" is UTF-16 with a BOM; it is full of NUL
    # bytes, so it must be recognised before the NUL test below.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise _binary(name) from None
        if _looks_like_text(text):
            return text
        raise _binary(name)
    # NUL never appears in a text file in an 8-bit encoding or UTF-8, while
    # it is everywhere in images, archives, PDFs and office files.
    if b"\x00" in data:
        raise _binary(name)
    # UTF-8 (the BOM is dropped if present) is tried first because a
    # wrong decode as UTF-8 is nearly impossible. Then cp1251, because Russian
    # users' legacy files are the likeliest non-UTF-8 input; latin-1 last, as
    # it accepts any byte. The first codec that accepts the bytes decides:
    # control characters are the same in all three, so a text check that
    # fails for one would fail for the others too.
    for encoding in ("utf-8-sig", "cp1251", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text
        break
    raise _binary(name)


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    controls = len(_CONTROL_RE.findall(text))
    return controls / len(text) <= _MAX_CONTROL_SHARE


def _binary(name: str) -> DocumentError:
    return _error(
        name,
        "this looks like a binary file, not text; save it as plain text (UTF-8) or paste the text instead.",
    )


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------


def _read_pdf(data: bytes, name: str) -> str:
    # pypdf signals malformed input with many exception types (its own
    # PdfReadError, but also ValueError, KeyError, TypeError, ...), so any
    # exception while parsing means "damaged PDF" to the user.
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except Exception as exc:
        raise _damaged_pdf(name) from exc
    if encrypted:
        # Many PDFs are "encrypted" only to restrict printing or editing and
        # open with an empty user password; try that before giving up.
        try:
            result = reader.decrypt("")
        except Exception as exc:  # e.g. an algorithm pypdf cannot handle here
            raise _protected_pdf(name) from exc
        if result == PasswordType.NOT_DECRYPTED:
            raise _protected_pdf(name)
    try:
        page_texts = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:
        raise _damaged_pdf(name) from exc
    if not page_texts:
        # Zero pages is a broken file, not a scan: say so, not "run OCR".
        raise _damaged_pdf(name)
    return "\n".join(page_texts)


def _damaged_pdf(name: str) -> DocumentError:
    return _error(
        name,
        "cannot read this PDF (it is damaged or not really a PDF); "
        "export it again from the original or paste the text instead.",
    )


def _protected_pdf(name: str) -> DocumentError:
    return _error(
        name,
        "this PDF is password-protected; save an unprotected copy or paste the text instead.",
    )


# --------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------


def _read_docx(data: bytes, name: str) -> str:
    # python-docx fails on non-docx input with zipfile, KeyError, ValueError
    # or lxml errors depending on how the file is wrong; to the user all of
    # them mean the same thing.
    try:
        document = docx.Document(io.BytesIO(data))
        return "\n".join(_block_lines(document.iter_inner_content(), set()))
    except Exception as exc:
        raise _error(
            name,
            "cannot read this Word file (it is damaged or not really a .docx); "
            "save it again as .docx or paste the text instead.",
        ) from exc


def _block_lines(blocks: Iterator[Paragraph | Table], seen: set[object]) -> Iterator[str]:
    """Yield the lines of paragraphs and tables in document order."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block.text
        else:
            yield from _table_lines(block, seen)


def _table_lines(table: Table, seen: set[object]) -> Iterator[str]:
    """Yield a table's text row by row.

    CVs use tables for layout ("2019-2022 | Acme Corp") as much as for data.
    A row whose cells each hold one line becomes one line joined by ``" | "``
    so that the cells stay together; a row with multi-line cells gives each
    cell's lines in turn, since joining paragraphs would garble them.
    """
    for row in table.rows:
        cells: list[list[str]] = []
        for cell in row.cells:
            # Merged cells come back once per grid column they span (and once
            # per row for vertical merges); take each underlying cell once.
            # Keeping the element in ``seen`` keeps lxml's proxy alive, which
            # makes the identity test reliable.
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            lines = [line for line in _cell_lines(cell, seen) if line.strip()]
            if lines:
                cells.append(lines)
        if all(len(lines) == 1 for lines in cells):
            if cells:
                yield " | ".join(lines[0] for lines in cells)
        else:
            for lines in cells:
                yield from lines


def _cell_lines(cell: _Cell, seen: set[object]) -> Iterator[str]:
    # A cell's text may itself span lines (w:br) and may hold nested tables.
    for line in _block_lines(cell.iter_inner_content(), seen):
        yield from line.splitlines()


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------

_MESSAGE_BREAKS_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def _error(name: str, problem: str) -> DocumentError:
    # The message must stay one line even if a file name holds a line break.
    return DocumentError(_MESSAGE_BREAKS_RE.sub(" ", f"{name}: {problem}"))


def _too_big(name: str, size: int, max_bytes: int) -> DocumentError:
    return _error(
        name,
        f"the file is {_human_size(size)}, over the {_human_size(max_bytes)} limit; "
        "remove images or extra pages, or paste the text instead.",
    )


def _too_long(name: str, characters: int) -> DocumentError:
    return _error(
        name,
        f"the text is {characters:,} characters long (about {characters // _CHARS_PER_PAGE} pages), over the "
        f"limit of {MAX_TEXT_CHARS:,} (about {MAX_TEXT_CHARS // _CHARS_PER_PAGE} pages); a CV or job description "
        "is a few pages: check it is the right file, or keep only the pages that matter.",
    )


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"
