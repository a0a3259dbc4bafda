"""Tests for app.analysis.documents: reading CVs and job descriptions into text.

Every fixture file is built in ``tmp_path`` at test time: text PDFs with
fpdf2, encrypted and blank PDFs with pypdf, DOCX files with python-docx.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from pypdf import PdfReader, PdfWriter

from app.analysis.documents import (
    MAX_FILE_BYTES,
    SUPPORTED_SUFFIXES,
    Document,
    from_text,
    normalise_text,
    read_bytes,
    read_document,
)
from app.errors import DocumentError, InputError

# --------------------------------------------------------------------------
# Fixture builders (bytes only; tests write them into tmp_path)
# --------------------------------------------------------------------------

CV_LINES = [
    "Jane Doe - Data Engineer",
    "Experience",
    "Acme Corp, Senior Engineer, 2019-2022",
    "Built streaming pipelines in Python and SQL.",
]


def make_text_pdf(lines: list[str] = CV_LINES, pages: int = 1) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for page in range(pages):
        pdf.add_page()
        for line in lines:
            pdf.cell(text=line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.cell(text=f"Page {page + 1}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def make_encrypted_pdf(user_password: str, owner_password: str | None = None) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_text_pdf())))
    writer.encrypt(user_password, owner_password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx() -> bytes:
    """A CV with paragraphs, a layout table, a merged-cell table and Russian."""
    document = docx.Document()
    document.add_paragraph("Jane Doe - Data Engineer")
    document.add_paragraph("Experience")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "2019-2022"
    table.cell(0, 1).text = "Acme Corp, Senior Engineer"
    table.cell(1, 0).text = "Skills"
    skills = table.cell(1, 1)
    skills.text = "Python"
    skills.add_paragraph("SQL")
    document.add_paragraph("\u2022 Built streaming pipelines")
    merged = document.add_table(rows=1, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "Merged cell"
    merged.cell(0, 2).text = "Right cell"
    document.add_paragraph("Образование: МГУ, 2015")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_empty_docx() -> bytes:
    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


def make_zip_not_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not a word document")
    return out.getvalue()


RUSSIAN_CV = "Иван Петров\nОпыт работы\nРазработчик Python, 5 лет\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_good_error(error: DocumentError, name: str, *keywords: str) -> None:
    """One line, names the file, and gives the advice we expect."""
    message = str(error)
    assert "\n" not in message and "\r" not in message, message
    assert name in message, message
    for keyword in keywords:
        assert keyword.lower() in message.lower(), message


# --------------------------------------------------------------------------
# Files that read fine
# --------------------------------------------------------------------------

# (test id, file name, builder of the bytes, source_format, words expected in the text)
GOOD_FILES: list[tuple[str, str, Callable[[], bytes], str, list[str]]] = [
    (
        "utf8-txt",
        "cv.txt",
        "Jane Doe\r\nExperience\r\n\u2022 Python, SQL\r\n".encode,
        "txt",
        ["Jane Doe\nExperience\n- Python, SQL"],
    ),
    (
        "markdown",
        "job.md",
        lambda: b"# Data Engineer\n\n* Python\n* **Kafka**\n",
        "md",
        ["# Data Engineer", "- Python", "- **Kafka**"],
    ),
    (
        "utf8-bom",
        "cv_bom.txt",
        lambda: b"\xef\xbb\xbf" + "Résumé: Jane Doe\n".encode(),
        "txt",
        ["Résumé: Jane Doe"],
    ),
    (
        "cp1251-russian",
        "cv_ru.txt",
        lambda: RUSSIAN_CV.encode("cp1251"),
        "txt",
        [RUSSIAN_CV.strip()],
    ),
    (
        "utf16-bom",
        "cv_utf16.txt",
        lambda: RUSSIAN_CV.encode("utf-16"),
        "txt",
        [RUSSIAN_CV.strip()],
    ),
    (
        # 0x98 is undefined in cp1251, so this must fall through to latin-1.
        "latin1-fallback",
        "cv_latin1.txt",
        lambda: "José Müller, Zürich, Python developer".encode("latin-1") + b"\x98",
        "txt",
        ["José Müller, Zürich, Python developer"],
    ),
    ("text-pdf", "cv.pdf", make_text_pdf, "pdf", CV_LINES),
    (
        "two-page-pdf",
        "cv2.pdf",
        lambda: make_text_pdf(pages=2),
        "pdf",
        ["Page 1", "Page 2", "Built streaming pipelines"],
    ),
    (
        # Encrypted only with an owner password: opens with the empty one.
        "owner-only-encrypted-pdf",
        "restricted.pdf",
        lambda: make_encrypted_pdf("", "owner-secret"),
        "pdf",
        ["Acme Corp, Senior Engineer"],
    ),
    (
        "upper-case-suffix",
        "CV.PDF",
        make_text_pdf,
        "pdf",
        ["Jane Doe"],
    ),
    (
        "docx",
        "cv.docx",
        make_docx,
        "docx",
        [
            "Jane Doe - Data Engineer",
            "2019-2022 | Acme Corp, Senior Engineer",
            "Skills\nPython\nSQL",
            "- Built streaming pipelines",
            "Merged cell | Right cell",
            "Образование: МГУ, 2015",
        ],
    ),
]

GOOD_IDS = [case[0] for case in GOOD_FILES]


@pytest.mark.parametrize(("case_id", "name", "build", "fmt", "expected"), GOOD_FILES, ids=GOOD_IDS)
def test_read_document_extracts_text(
    tmp_path: Path,
    case_id: str,
    name: str,
    build: Callable[[], bytes],
    fmt: str,
    expected: list[str],
) -> None:
    path = write(tmp_path, name, build())

    document = read_document(path)

    assert isinstance(document, Document)
    assert document.name == name
    assert document.source_format == fmt
    for snippet in expected:
        assert snippet in document.text
    assert document.text == normalise_text(document.text)


@pytest.mark.parametrize(("case_id", "name", "build", "fmt", "expected"), GOOD_FILES, ids=GOOD_IDS)
def test_read_bytes_matches_read_document(
    tmp_path: Path,
    case_id: str,
    name: str,
    build: Callable[[], bytes],
    fmt: str,
    expected: list[str],
) -> None:
    data = build()

    uploaded = read_bytes(data, name)

    assert uploaded == read_document(write(tmp_path, name, data))


def test_read_document_accepts_str_path(tmp_path: Path) -> None:
    path = write(tmp_path, "cv.txt", b"Jane Doe\n")

    assert read_document(str(path)).text == "Jane Doe"


def test_docx_keeps_document_order(tmp_path: Path) -> None:
    text = read_document(write(tmp_path, "cv.docx", make_docx())).text

    order = [
        "Experience",
        "Acme Corp",
        "Python",
        "Built streaming",
        "Merged cell",
        "Образование",
    ]
    positions = [text.index(word) for word in order]
    assert positions == sorted(positions)
    # A merged cell spans two grid columns but must be read once.
    assert text.count("Merged cell") == 1


def test_docx_vertical_merge_and_nested_table() -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).merge(table.cell(2, 0)).text = "Acme Corp"
    table.cell(0, 1).text = "Engineer"
    table.cell(1, 1).text = "Lead"
    table.cell(2, 1).text = "Manager"
    nested = table.cell(2, 1).add_table(rows=1, cols=2)
    nested.cell(0, 0).text = "Kafka"
    nested.cell(0, 1).text = "Spark"
    out = io.BytesIO()
    document.save(out)

    text = read_bytes(out.getvalue(), "merged.docx").text

    # The vertically merged cell is read once, the nested table is not lost.
    assert text == "Acme Corp | Engineer\nLead\nManager\nKafka | Spark"


def test_supported_suffixes_and_cap() -> None:
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".pdf", ".docx")
    assert MAX_FILE_BYTES == 10 * 1024 * 1024


def test_document_error_is_an_input_error() -> None:
    assert issubclass(DocumentError, InputError)


# --------------------------------------------------------------------------
# Files that must be refused with a useful one-line message
# --------------------------------------------------------------------------

# (test id, file name, builder of the bytes, keywords the message must contain)
BAD_FILES: list[tuple[str, str, Callable[[], bytes], list[str]]] = [
    (
        "encrypted-pdf",
        "locked.pdf",
        lambda: make_encrypted_pdf("secret"),
        ["password-protected", "unprotected copy", "paste the text"],
    ),
    (
        "scanned-pdf",
        "scan.pdf",
        make_blank_pdf,
        ["no text layer", "OCR", "paste the text"],
    ),
    (
        "text-renamed-pdf",
        "fake.pdf",
        lambda: b"just some text\n",
        ["damaged", "paste the text"],
    ),
    (
        "truncated-pdf",
        "cut.pdf",
        lambda: make_text_pdf()[:40],
        ["damaged", "paste the text"],
    ),
    (
        "text-renamed-docx",
        "fake.docx",
        lambda: b"plain text, not a docx",
        ["save it again as .docx"],
    ),
    (
        "zip-not-docx",
        "archive.docx",
        make_zip_not_docx,
        ["damaged", "save it again as .docx"],
    ),
    (
        "docx-without-text",
        "blank.docx",
        make_empty_docx,
        ["no text found", "paste the text"],
    ),
    (
        "binary-with-nul",
        "photo.txt",
        lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        ["binary", "plain text"],
    ),
    (
        "binary-control-chars",
        "blob.md",
        lambda: bytes(range(1, 9)) * 50 + b"some words",
        ["binary", "plain text"],
    ),
    ("empty-file", "empty.txt", lambda: b"", ["empty", "paste the text"]),
    ("empty-pdf-file", "empty.pdf", lambda: b"", ["empty", "paste the text"]),
    (
        "whitespace-only",
        "blank.txt",
        " \t\r\n\u00a0\u200b\n\n   \n".encode,
        ["no text found", "paste the text"],
    ),
    (
        "unsupported-suffix",
        "cv.rtf",
        lambda: b"{\\rtf1 Jane Doe}",
        ["unsupported", ".txt, .md, .pdf, .docx", "paste the text"],
    ),
    ("legacy-doc", "cv.doc", lambda: b"\xd0\xcf\x11\xe0", ["'.doc'", ".docx"]),
    ("no-suffix", "README", lambda: b"Jane Doe", ["without a suffix", ".txt"]),
]

BAD_IDS = [case[0] for case in BAD_FILES]


@pytest.mark.parametrize(("case_id", "name", "build", "keywords"), BAD_FILES, ids=BAD_IDS)
def test_read_document_refuses_bad_files(
    tmp_path: Path,
    case_id: str,
    name: str,
    build: Callable[[], bytes],
    keywords: list[str],
) -> None:
    path = write(tmp_path, name, build())

    with pytest.raises(DocumentError) as caught:
        read_document(path)

    assert_good_error(caught.value, name, *keywords)


@pytest.mark.parametrize(("case_id", "name", "build", "keywords"), BAD_FILES, ids=BAD_IDS)
def test_read_bytes_refuses_bad_files(
    case_id: str,
    name: str,
    build: Callable[[], bytes],
    keywords: list[str],
) -> None:
    with pytest.raises(DocumentError) as caught:
        read_bytes(build(), name)

    assert_good_error(caught.value, name, *keywords)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "cv.pdf"

    with pytest.raises(DocumentError) as caught:
        read_document(path)

    assert_good_error(caught.value, "cv.pdf", "not found", "check the path")


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "cv.docx"
    folder.mkdir()

    with pytest.raises(DocumentError) as caught:
        read_document(folder)

    assert_good_error(caught.value, "cv.docx", "folder", "choose")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "cv.txt", b"Jane Doe")

    # Tests may run as root, where chmod 000 does not stop reading; fake it.
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)

    with pytest.raises(DocumentError) as caught:
        read_document(path)

    assert_good_error(caught.value, "cv.txt", "permission denied", "permissions")


def test_over_cap_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "big.txt", b"x" * 101)

    def must_not_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened although it is over the cap")

    monkeypatch.setattr(Path, "open", must_not_read)

    with pytest.raises(DocumentError) as caught:
        read_document(path, max_bytes=100)

    assert_good_error(caught.value, "big.txt", "101 bytes", "100 bytes", "limit", "paste the text")


def test_default_cap(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no 10 MiB written

    with pytest.raises(DocumentError) as caught:
        read_document(path)

    assert_good_error(caught.value, "huge.pdf", "10.0 MiB", "limit")


def test_at_cap_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "cv.txt", b"x" * 100)

    assert read_document(path, max_bytes=100).text == "x" * 100


def test_read_bytes_over_cap() -> None:
    with pytest.raises(DocumentError) as caught:
        read_bytes(b"y" * 2048, "upload.md", max_bytes=1024)

    assert_good_error(caught.value, "upload.md", "2.0 KiB", "1.0 KiB", "limit")


def test_message_stays_one_line_for_odd_names() -> None:
    with pytest.raises(DocumentError) as caught:
        read_bytes(b"", "my\ncv.txt")

    assert "\n" not in str(caught.value)


# --------------------------------------------------------------------------
# Pasted text
# --------------------------------------------------------------------------


def test_from_text_normalises() -> None:
    document = from_text("  Jane\u00a0Doe\r\n\r\n\r\n\u2022 Python  ")

    assert document == Document(name="pasted text", text="Jane Doe\n\n- Python", source_format="text")


@pytest.mark.parametrize("text", ["", "   ", "\n\r\n\t", "\u200b\u00a0\u00ad"])
def test_from_text_refuses_empty(text: str) -> None:
    with pytest.raises(DocumentError) as caught:
        from_text(text, name="job description")

    assert_good_error(caught.value, "job description", "paste")


# --------------------------------------------------------------------------
# normalise_text
# --------------------------------------------------------------------------

NORMALISE_CASES: list[tuple[str, str, str]] = [
    ("plain", "Jane Doe", "Jane Doe"),
    ("crlf", "one\r\ntwo\r\n", "one\ntwo"),
    ("cr", "one\rtwo", "one\ntwo"),
    (
        "unicode-line-separators",
        "one\u2028two\u2029three\x0cfour",
        "one\ntwo\nthree\nfour",
    ),
    ("nbsp", "Jane\u00a0Doe", "Jane Doe"),
    ("narrow-and-em-spaces", "10\u202f000\u2003EUR\u3000net", "10 000 EUR net"),
    ("space-runs-and-tabs", "Python \t  SQL\t\tKafka", "Python SQL Kafka"),
    ("trailing-and-leading-spaces", "  Skills  \n\tPython\t", "Skills\nPython"),
    ("blank-lines", "a\n\n\n\nb\n \n\t\n\nc", "a\n\nb\n\nc"),
    ("edge-blank-lines", "\n\n \nTitle\n\n\n", "Title"),
    (
        "hyphenation-en",
        "five years of experi-\nence in data",
        "five years of experience in data",
    ),
    ("hyphenation-en-spaces", "experi-  \n   ence", "experience"),
    (
        "hyphenation-ru",
        "опыт коммерческой разра-\nботки",
        "опыт коммерческой разработки",
    ),
    ("hyphenation-ru-crlf", "Самостоятель-\r\nность", "Самостоятельность"),
    ("hyphen-before-capital-kept", "Java-\nScript", "Java-\nScript"),
    ("hyphen-before-capital-kept-ru", "Санкт-\nПетербург", "Санкт-\nПетербург"),
    ("hyphen-before-digit-kept", "2019-\n2022", "2019-\n2022"),
    ("hyphen-after-space-kept", "Skills -\npython", "Skills -\npython"),
    ("soft-hyphen", "soft\u00adware engi\u00adneer", "software engineer"),
    ("soft-hyphen-at-break", "engi\u00ad\nneer", "engineer"),
    ("zero-width", "Py\u200bthon\u200c \u200dSQL\u2060\ufeff", "Python SQL"),
    ("control-chars", "Jane\x00 Doe\x07", "Jane Doe"),
    ("nfc", "Re\u0301sume\u0301 й", "Résumé й"),
    ("ligatures", "\ufb01nance \ufb02ow", "finance flow"),
    ("bullet-dot", "\u2022 Python", "- Python"),
    ("bullet-dot-no-space", "\u2022Python", "- Python"),
    ("bullet-black-circle", "\u25cf SQL", "- SQL"),
    ("bullet-square", "\u25aa Kafka", "- Kafka"),
    ("bullet-white-circle", "\u25e6 Spark", "- Spark"),
    ("bullet-triangle", "\u2023 Airflow", "- Airflow"),
    ("bullet-en-dash", "\u2013 Led a team", "- Led a team"),
    ("bullet-em-dash", "\u2014 Led a team", "- Led a team"),
    ("bullet-asterisk", "* Led a team", "- Led a team"),
    ("bullet-middle-dot", "\u00b7 Led a team", "- Led a team"),
    ("bullet-word-symbol", "\uf0b7 Led a team", "- Led a team"),
    ("bullet-arrow", "\u27a2 Led a team", "- Led a team"),
    ("bullet-check", "\u2713 Led a team", "- Led a team"),
    ("bullet-hyphen", "-   Led a team", "- Led a team"),
    ("bullet-indented", "   \u2022   nested item", "- nested item"),
    ("bullet-russian", "\u2022 Руководил командой", "- Руководил командой"),
    ("bullet-alone-on-its-line", "\u2022\nLed a team", "- Led a team"),
    ("bold-markdown-kept", "**Experience**", "**Experience**"),
    ("negative-number-kept", "-5% costs", "-5% costs"),
    (
        "mid-line-dash-kept",
        "Python \u2022 SQL \u2013 Kafka",
        "Python \u2022 SQL \u2013 Kafka",
    ),
    (
        "cv-snippet",
        ("EXPERIENCE\r\n\r\n\r\n\u25cf Built ETL pipe-\r\nlines\u00a0in  Python\r\n\u25cf Cut costs by 30%  \r\n"),
        "EXPERIENCE\n\n- Built ETL pipelines in Python\n- Cut costs by 30%",
    ),
]


@pytest.mark.parametrize(
    ("case_id", "raw", "expected"),
    NORMALISE_CASES,
    ids=[case[0] for case in NORMALISE_CASES],
)
def test_normalise_text(case_id: str, raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    ("case_id", "raw", "expected"),
    NORMALISE_CASES,
    ids=[case[0] for case in NORMALISE_CASES],
)
def test_normalise_text_is_idempotent(case_id: str, raw: str, expected: str) -> None:
    once = normalise_text(raw)

    assert normalise_text(once) == once
