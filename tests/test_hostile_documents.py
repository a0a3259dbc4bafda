"""Hostile files (issue 12, points 3 and 5): decompression bombs and stalling PDFs are refused with one
line, fast and within a bounded memory; text a reader cannot see is left out of the analysis and warned about.

Every file is built in memory by tests/hostile_files.py (no big files in the repo).
scripts/hostile_files.py times the same cases and measures their peak RSS.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.analysis import read_docx
from app.analysis.documents import Document, hidden_text_warning, read_bytes, read_document
from app.analysis.pdf_text import MAX_PDF_PAGES, extract
from app.analysis.scoring import analyze
from app.errors import DocumentError
from app.pipeline import run_analysis
from app.settings import make_settings
from tests.hostile_files import (
    DOCX_HIDING,
    FIXTURES,
    MB,
    PDF_HIDING,
    document_xml,
    docx_cv_with,
    docx_huge_text,
    docx_lying_sizes,
    docx_many_paragraphs,
    docx_with_member,
    docx_zip_bomb,
    job_keywords,
    pdf_busy_stream,
    pdf_cv_with,
    pdf_inflating_stream,
    pdf_many_paths,
    pdf_shared_stream,
)
from tests.pdf_builder import pdf_file, text_ops

# Refusals come well inside this (seconds, most under one); the bound is loose for busy CI machines,
# the measured figures are in scripts/hostile_files.py.
REFUSAL_BUDGET_S = 20.0
JOB = "ml_engineer_job"


def refused(data: bytes, name: str, *needles: str) -> str:
    started = time.perf_counter()
    with pytest.raises(DocumentError) as caught:
        read_bytes(data, name)
    seconds = time.perf_counter() - started
    message = str(caught.value)
    assert "\n" not in message and message.startswith(name + ":"), message
    for needle in needles:
        assert needle in message, message
    assert "paste the text" in message or "check it is the right file" in message, message
    assert seconds < REFUSAL_BUDGET_S, f"{name} took {seconds:.1f} s to refuse"
    return message


# --- point 3: decompression bombs and stalling files -----------------------------------------------


def test_docx_zip_bomb_is_refused_from_the_zip_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1 GiB of "picture" in a 1 MB file: the directory says so, and nothing is inflated.
    data = docx_zip_bomb(1024 * MB)
    assert len(data) < 2 * MB
    inflated: list[str] = []
    original_read = read_docx.zipfile.ZipFile.read

    def spy(self: object, member: object, *args: object) -> bytes:
        inflated.append(str(member))
        return original_read(self, member, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(read_docx.zipfile.ZipFile, "read", spy)
    refused(data, "bomb.docx", "image1.png", "1024.0 MiB", "over the limit")
    assert inflated == []


def test_docx_total_inflated_size_is_capped() -> None:
    # Each part under the picture cap, all of them together over the total cap.
    parts = {f"word/media/image{index}.png": bytes(15 * MB) for index in range(5)}
    data = docx_with_member("word/media/image0.png", parts.pop("word/media/image0.png"))
    for member, content in parts.items():
        data = _add_member(data, member, content)
    refused(data, "album.docx", "in all")


def _add_member(data: bytes, member: str, content: bytes) -> bytes:
    import io
    import zipfile

    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("case", "build", "needles"),
    [
        ("huge text in document.xml", lambda: docx_huge_text(100 * MB), ("document.xml", "100.0 MiB")),
        ("text just past the XML cap", lambda: docx_huge_text(11 * MB), ("document.xml", "over the limit")),
        ("millions of empty paragraphs", lambda: docx_many_paragraphs(3_000_000), ("document.xml",)),
        ("a million tags in a small part", lambda: docx_many_paragraphs(900_000), ("XML tags",)),
        ("directory lies about the size", docx_lying_sizes, ("cannot read this Word file",)),
    ],
)
def test_docx_bombs_are_refused(case: str, build: object, needles: tuple[str, ...]) -> None:
    refused(build(), "cv.docx", *needles)  # type: ignore[operator]


def test_docx_text_over_the_cap_stops_early() -> None:
    # Many paragraphs of real words under every archive cap: extraction stops at the text cap.
    paragraph = "<w:p><w:r><w:t>Negotiated contracts with procurement teams and company owners.</w:t></w:r></w:p>"
    data = docx_with_member("word/document.xml", document_xml(paragraph * 8_000))
    refused(data, "long.docx", "over the limit of 100,000")


def test_docx_under_the_caps_is_read() -> None:
    # A legitimate picture of a few MB does not trip the caps.
    data = _add_member(docx_cv_with(None, []), "word/media/photo.png", bytes(5 * MB))
    assert "Salesforce" in read_bytes(data, "cv.docx").text


def test_pdf_pages_sharing_one_stream_are_refused_by_the_page_cap() -> None:
    data = pdf_shared_stream(100)
    assert len(data) < 40_000
    refused(data, "shared.pdf", f"more than {MAX_PDF_PAGES} pages")


def test_pdf_pages_sharing_one_stream_under_the_page_cap_are_bounded() -> None:
    refused(pdf_shared_stream(50), "shared.pdf")


def test_pdf_with_millions_of_shapes_is_refused() -> None:
    refused(pdf_many_paths(), "paths.pdf")


def test_pdf_stream_inflating_to_a_gigabyte_is_refused() -> None:
    refused(pdf_inflating_stream(1024 * MB), "inflate.pdf", "inflates past")


def test_a_pdf_that_keeps_the_reader_busy_is_stopped_by_its_cpu_limit() -> None:
    # Millions of operators that draw nothing: no cap counts them, the worker's CPU limit ends it.
    from app.analysis.read_pdf import read_pdf

    started = time.perf_counter()
    with pytest.raises(DocumentError) as caught:
        read_pdf(pdf_busy_stream(), "busy.pdf", cpu_s=1)
    assert "took over 1 s" in str(caught.value) and "\n" not in str(caught.value)
    assert time.perf_counter() - started < REFUSAL_BUDGET_S


def test_a_pdf_reader_that_hangs_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    # Whatever stalls pdfminer, the worker is killed at the time limit and the user gets one line.
    from app.analysis import documents, read_pdf

    monkeypatch.setattr(documents, "read_pdf", lambda data, name: read_pdf.read_pdf(data, name, timeout_s=0.05))
    message = refused(pdf_file([text_ops(["Jane Doe"])]), "slow.pdf", "took over 0.05 s")
    assert "stall" in message


# --- point 5: hidden text ---------------------------------------------------------------------------


def _job() -> str:
    return (FIXTURES / f"{JOB}.txt").read_text(encoding="utf-8")


def test_the_keywords_would_lift_the_verdict_if_they_were_visible() -> None:
    # The control for the tests below: drawn visibly, the same keywords make the sales CV a fit.
    keywords = job_keywords(JOB)
    for document in (
        read_bytes(pdf_cv_with(text_ops(keywords, top=300)), "cv.pdf"),
        read_bytes(docx_cv_with(None, keywords), "cv.docx"),
    ):
        assert document.hidden_words == 0
        assert analyze(document.text, _job()).verdict != "not_a_fit"
    plain = (FIXTURES / "sales_cv.txt").read_text(encoding="utf-8")
    assert analyze(plain, _job()).verdict == "not_a_fit"


@pytest.mark.parametrize("way", list(PDF_HIDING))
def test_hidden_pdf_text_is_left_out_and_warned_about(way: str) -> None:
    keywords = job_keywords(JOB)
    document = read_bytes(pdf_cv_with(PDF_HIDING[way](keywords)), "cv.pdf")
    assert "Salesforce" in document.text  # the visible CV is all there
    for line in keywords:
        assert line not in document.text
    assert "PyTorch" not in document.text and "Kubeflow" not in document.text
    assert document.hidden_words >= sum(len(line.split()) for line in keywords) * 0.9
    _assert_not_a_fit_with_warning(document)


@pytest.mark.parametrize("way", DOCX_HIDING)
def test_hidden_docx_runs_are_left_out_and_warned_about(way: str) -> None:
    keywords = job_keywords(JOB)
    document = read_bytes(docx_cv_with(way, keywords), "cv.docx")
    assert "Salesforce" in document.text
    assert "PyTorch" not in document.text and "Kubeflow" not in document.text
    assert document.hidden_words == sum(len(line.split()) for line in keywords)
    _assert_not_a_fit_with_warning(document)


def _assert_not_a_fit_with_warning(cv: Document) -> None:
    job = Document("job.txt", _job(), "txt")
    report = run_analysis(cv, job, make_settings(use_llm=False))
    assert report.analysis.verdict == "not_a_fit"
    warning = (
        f"Your CV contains {cv.hidden_words} words a reader cannot see; screening systems flag this as keyword "
        "stuffing — remove them."
    )
    assert any(item.startswith(warning) for item in report.warnings), report.warnings
    # Nothing hidden is quoted as evidence, to the user or in the plan the model writes from.
    quoted = [item["evidence"] or "" for item in report.to_dict()["requirements"]]
    quoted += [str(item.get("evidence") or "") for item in report.to_dict()["plan"]]
    assert not any("PyTorch" in text or "Kubeflow" in text for text in quoted), quoted


def test_white_text_on_a_dark_box_is_visible() -> None:
    # White on dark blue is a normal heading style, not hidden text.
    data = pdf_cv_with(
        b"0.1 0.1 0.5 rg 60 280 500 30 re f\n" + text_ops(["Python PyTorch"], top=290, prefix=b"1 1 1 rg")
    )
    document = read_bytes(data, "cv.pdf")
    assert "Python PyTorch" in document.text and document.hidden_words == 0


def test_small_print_and_a_background_box_stay_visible() -> None:
    # 7-pt footer text and a light grey box behind black text are read.
    data = pdf_cv_with(
        b"0.9 0.9 0.9 rg 60 280 500 40 re f\n0 0 0 rg\n"
        + text_ops(["Kubeflow pipelines"], top=300)
        + b"\n"
        + text_ops(["References on request"], top=40, size=7)
    )
    document = read_bytes(data, "cv.pdf")
    assert "Kubeflow pipelines" in document.text and "References on request" in document.text
    assert document.hidden_words == 0


def test_hidden_text_warning_wording() -> None:
    cv = Document("cv.pdf", "text", "pdf", hidden_words=12)
    assert hidden_text_warning(cv) == (
        "Your CV contains 12 words a reader cannot see; screening systems flag this as keyword stuffing — "
        "remove them. They were left out of the analysis and the advice."
    )
    assert hidden_text_warning(Document("cv.pdf", "text", "pdf")) is None
    job = hidden_text_warning(Document("job.pdf", "text", "pdf", hidden_words=1), "job description")
    assert job == "The job description contains 1 word a reader cannot see; they were left out of the analysis."


def test_pdf_text_in_process_matches_the_worker(tmp_path: Path) -> None:
    data = pdf_cv_with(PDF_HIDING["white on white"](job_keywords(JOB)))
    path = tmp_path / "cv.pdf"
    path.write_bytes(data)
    direct = extract(data)
    via_worker = read_document(path)
    assert via_worker.hidden_words == direct.hidden_words
    assert "Salesforce" in direct.text


def _docx_white_text(setup: str) -> bytes:
    """A CV with one white run, on a page colour, in a dark table cell, or on a plain page."""
    import io

    import docx
    from docx.oxml import parse_xml
    from docx.shared import RGBColor

    document = docx.Document()
    document.add_paragraph("Jane Doe, Sales manager")
    if setup == "cell":
        cell = document.add_table(rows=1, cols=1).cell(0, 0)
        shading = parse_xml(
            '<w:shd xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:fill="1F3864"/>'
        )
        cell._tc.get_or_add_tcPr().append(shading)
        paragraph = cell.paragraphs[0]
    else:
        paragraph = document.add_paragraph()
    paragraph.add_run("Kubeflow PyTorch").font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    if setup == "page colour":
        document.element.insert(
            0,
            parse_xml(
                '<w:background xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                'w:color="1F3864"/>'
            ),
        )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("setup", "hidden"), [("plain page", 2), ("cell", 0), ("page colour", 0)])
def test_white_docx_text_is_hidden_only_on_white(setup: str, hidden: int) -> None:
    document = read_bytes(_docx_white_text(setup), "cv.docx")
    assert document.hidden_words == hidden
    assert ("Kubeflow PyTorch" in document.text) == (hidden == 0)
