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

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from app.analysis.read_docx import read_docx
from app.analysis.read_errors import MAX_RAW_CHARS, MAX_TEXT_CHARS, error, too_big, too_long
from app.analysis.read_pdf import read_pdf
from app.analysis.read_text import CONTROL_RE, decode_text, encoding_warning

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_TEXT_CHARS",
    "SUPPORTED_SUFFIXES",
    "Document",
    "document_warnings",
    "from_text",
    "hidden_text_warning",
    "normalise_text",
    "read_bytes",
    "read_document",
]

#: Largest file we accept, in bytes (10 MiB). A CV or a job description is a
#: few pages; anything bigger is almost surely the wrong file or a PDF full of
#: images, and parsing it would only make the user wait.
MAX_FILE_BYTES: int = 10 * 1024 * 1024

# MAX_TEXT_CHARS (about 30 pages) lives in app.analysis.read_errors, which every format reader shares.
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
    hidden_words: int = 0
    """Words in the file that a reader cannot see (white on white, a tiny or invisible font, off the page,
    covered, a hidden Word run); they are not in ``text``."""
    encoding: str | None = None
    """The codec a text file was decoded with ("utf-8", "cp1251"...); None for PDF, DOCX and pasted text."""
    encoding_guessed: bool = False
    """True when a text file's legacy encoding was guessed without confidence: letters may be wrong."""


def hidden_text_warning(document: Document, role: str = "CV") -> str | None:
    """The plain warning about the words of ``document`` a reader cannot see, or None when there are none.

    ``role`` is "CV" or "job description". Hidden words in a CV are keyword stuffing to a screening system;
    in a job description they are only left out.
    """
    count = document.hidden_words
    if count <= 0:
        return None
    words = "word" if count == 1 else "words"
    if role == "CV":
        return (
            f"Your CV contains {count} {words} a reader cannot see; screening systems flag this as keyword "
            "stuffing — remove them. They were left out of the analysis and the advice."
        )
    return f"The {role} contains {count} {words} a reader cannot see; they were left out of the analysis."


def document_warnings(document: Document, role: str = "CV") -> list[str]:
    """What the user must know about how ``document`` was read: hidden words, a guessed text encoding."""
    warnings = [hidden_text_warning(document, role)]
    if document.encoding_guessed and document.encoding is not None:
        warnings.append(encoding_warning(document.name, document.encoding))
    return [warning for warning in warnings if warning]


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
            raise error(given, "file not found; check the path and try again.")
        if file_path.is_dir():
            raise error(
                given,
                "this is a folder, not a file; choose the CV or job description file itself.",
            )
        if not file_path.is_file():
            raise error(
                given,
                "this is not a regular file; choose a saved .txt, .md, .pdf or .docx file.",
            )
        suffix = _checked_suffix(name)
        # Check the size from the file system first so that a huge file is
        # refused without reading it into memory.
        size = file_path.stat().st_size
        if size > max_bytes:
            raise too_big(name, size, max_bytes)
        with file_path.open("rb") as handle:
            # Read one byte more than allowed: the file may have grown since
            # stat(), and this keeps the cap a hard limit either way.
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise error(
            given,
            f"cannot read the file ({reason}); check its permissions or copy it somewhere readable.",
        ) from exc
    if len(data) > max_bytes:
        raise too_big(name, len(data), max_bytes)
    return _parse(data, name, suffix)


def read_bytes(data: bytes, name: str, *, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read an uploaded file's ``data`` into a :class:`Document`.

    Same rules as :func:`read_document`; the format is chosen by the suffix of
    ``name`` (the upload's original file name).
    """
    suffix = _checked_suffix(name)
    if len(data) > max_bytes:
        raise too_big(name, len(data), max_bytes)
    return _parse(bytes(data), name, suffix)


def from_text(text: str, name: str = "pasted text") -> Document:
    """Wrap pasted ``text`` in a :class:`Document`, normalised like a file."""
    if len(text) > MAX_RAW_CHARS:
        raise too_long(name, len(text))
    clean = normalise_text(text)
    if len(clean) > MAX_TEXT_CHARS:
        raise too_long(name, len(clean))
    if not clean:
        raise error(
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
# Control characters left after the line breaks are handled (CONTROL_RE): never
# text, sometimes left over by PDF text extraction.
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
    text = CONTROL_RE.sub("", text)
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
        raise error(
            name,
            f"unsupported file type {shown}; save it as one of "
            f"{', '.join(SUPPORTED_SUFFIXES)} or paste the text instead.",
        )
    return suffix


def _parse(data: bytes, name: str, suffix: str) -> Document:
    if not data:
        raise error(
            name,
            "the file is empty; choose the file that holds the text or paste the text instead.",
        )
    hidden_words = 0
    encoding: str | None = None
    encoding_guessed = False
    if suffix in _TEXT_SUFFIXES:
        decoded = decode_text(data, name)
        raw, encoding, encoding_guessed = decoded.text, decoded.encoding, decoded.guessed
    elif suffix == ".pdf":
        pdf = read_pdf(data, name)
        raw, hidden_words = pdf.text, pdf.hidden_words
    else:
        word = read_docx(data, name)
        raw, hidden_words = word.text, word.hidden_words
    if len(raw) > MAX_RAW_CHARS:
        raise too_long(name, len(raw))
    text = normalise_text(raw)
    if len(text) > MAX_TEXT_CHARS:
        raise too_long(name, len(text))
    if not text:
        if suffix == ".pdf":
            raise error(
                name,
                "this PDF has no text layer (it looks scanned); run OCR on it or paste the text instead.",
            )
        raise error(
            name,
            "no text found in the file (only blank space or images); "
            "check it is the right file or paste the text instead.",
        )
    return Document(
        name=name,
        text=text,
        source_format=suffix.lstrip("."),
        hidden_words=hidden_words,
        encoding=encoding,
        encoding_guessed=encoding_guessed,
    )
