"""Hostile and unlucky files, built in memory (issue 12): decompression bombs, stalling PDFs, hidden text.

Used by tests/test_hostile_documents.py and by scripts/hostile_files.py, which
times each case and measures its peak memory. Nothing here is written to the repo.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import docx

from tests.pdf_builder import pdf_file, text_ops

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MB = 1024 * 1024


def zeros_deflated(size: int, chunk: int = 4 * MB) -> bytes:
    """`size` zero bytes, deflated (raw zlib stream) without holding them in memory."""
    packer = zlib.compressobj(9)
    block = bytes(chunk)
    out = bytearray()
    left = size
    while left > 0:
        out += packer.compress(block[: min(chunk, left)])
        left -= chunk
    return bytes(out + packer.flush())


def small_docx(lines: list[str] | None = None) -> bytes:
    document = docx.Document()
    for line in lines or ["Jane Doe", "Experience", "Sales manager, 2019-2024"]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_with_member(member: str, content: bytes | None = None, *, zeros: int = 0) -> bytes:
    """A valid .docx with one member added or replaced: `content`, or `zeros` zero bytes deflated on the fly."""
    source = zipfile.ZipFile(io.BytesIO(small_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != member:
                target.writestr(info, source.read(info))
        if content is not None:
            target.writestr(member, content)
        else:
            info = zipfile.ZipInfo(member)
            info.compress_type = zipfile.ZIP_DEFLATED
            with target.open(info, "w", force_zip64=zeros > 2**31) as handle:
                block = bytes(4 * MB)
                left = zeros
                while left > 0:
                    handle.write(block[: min(len(block), left)])
                    left -= len(block)
    return out.getvalue()


def document_xml(body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    ).encode()


def docx_zip_bomb(inflated: int = 1024 * MB) -> bytes:
    """A small .docx holding a "picture" that inflates to `inflated` bytes (1 GiB: a 1 MB file)."""
    return docx_with_member("word/media/image1.png", zeros=inflated)


def docx_huge_text(characters: int) -> bytes:
    """document.xml with one run of `characters` letters (100 MB of XML deflates to about 100 KB)."""
    return docx_with_member("word/document.xml", document_xml(f"<w:p><w:r><w:t>{'a' * characters}</w:t></w:r></w:p>"))


def docx_many_paragraphs(count: int) -> bytes:
    """document.xml with `count` empty paragraphs: little text, a lot to walk."""
    return docx_with_member("word/document.xml", document_xml("<w:p/>" * count))


def docx_lying_sizes() -> bytes:
    """A .docx whose directory says document.xml is 1,000 bytes while its data inflates to 50 MB."""
    xml = document_xml("<w:p><w:r><w:t>" + "a" * (50 * MB) + "</w:t></w:r></w:p>")
    data = bytearray(docx_with_member("word/document.xml", xml))
    name = b"word/document.xml"
    # The uncompressed size (4 bytes) sits at offset 22 of a local header and 24 of a central directory entry.
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if data[start + name_offset : start + name_offset + len(name)] == name:
                data[start + size_offset : start + size_offset + 4] = (1000).to_bytes(4, "little")
            start += 4
    return bytes(data)


def pdf_shared_stream(pages: int, repeats: int = 400_000) -> bytes:
    """`pages` pages drawing one compressed stream that inflates to megabytes of text operators."""
    stream = b"BT /F1 1 Tf 10 10 Td " + b"(AAAAAAAAAA) Tj " * repeats + b"ET"
    return pdf_file([b""] * pages, shared_stream=stream)


def pdf_many_paths(repeats: int = 1_500_000) -> bytes:
    """One page of a stream that inflates to a million and a half tiny filled rectangles."""
    return pdf_file([b"0 0 0 rg " + b"1 1 1 1 re f " * repeats])


def pdf_busy_stream(repeats: int = 3_000_000) -> bytes:
    """One page of millions of operators that draw nothing (no character or shape counts towards a cap)."""
    return pdf_file([b"q 1 0 0 1 0 0 cm Q " * repeats])


def pdf_inflating_stream(inflated: int = 1024 * MB) -> bytes:
    """A content stream deflated twice: a few KB that inflate to `inflated` zero bytes."""
    once = zeros_deflated(inflated)
    twice = zlib.compress(once, 9)
    body = b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n" % len(twice) + twice + b"\nendstream"
    data = pdf_file([b"BT /F1 10 Tf 72 700 Td (Jane Doe) Tj ET"], compress=False)
    # Swap the page's content stream (object 4) for the bomb.
    start = data.index(b"4 0 obj\n") + len(b"4 0 obj\n")
    end = data.index(b"\nendobj", start)
    patched = data[:start] + body + data[end:]
    return _fix_xref(patched)


def _fix_xref(data: bytes) -> bytes:
    """Rewrite the xref table of a pdf_file() after an object changed size."""
    head = data[: data.index(b"xref\n")]
    offsets = []
    number = 1
    while (at := head.find(b"\n%d 0 obj\n" % number)) != -1:
        offsets.append(at + 1)
        number += 1
    out = bytearray(head)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref)
    return bytes(out)


# --- hidden text ---------------------------------------------------------------------------------


def sales_cv_lines() -> list[str]:
    return (FIXTURES / "sales_cv.txt").read_text(encoding="utf-8").splitlines()


def job_keywords(job: str = "ml_engineer_job") -> list[str]:
    """The requirement lines of a fixture job: what a keyword stuffer pastes into a CV."""
    text = (FIXTURES / f"{job}.txt").read_text(encoding="utf-8")
    return [line.lstrip("- ") for line in text.splitlines() if line.startswith("- ")]


# Each way of hiding text in a PDF: the operators that draw `lines` so that no reader sees them.
PDF_HIDING: dict[str, Callable[[list[str]], bytes]] = {
    "white on white": lambda lines: text_ops(lines, top=300, prefix=b"1 1 1 rg"),
    "1-pt font": lambda lines: text_ops(lines, top=300, size=1),
    "invisible render mode": lambda lines: text_ops(lines, top=300, prefix=b"3 Tr"),
    "off the page": lambda lines: text_ops(lines, x=700, top=300),
    "under a white rectangle": lambda lines: text_ops(lines, top=300) + b"\n1 1 1 rg 0 0 612 320 re f",
    "same colour as the box under it": lambda lines: (
        b"0.2 0.3 0.8 rg 0 0 612 320 re f\n" + text_ops(lines, top=300, prefix=b"0.2 0.3 0.8 rg")
    ),
}


def pdf_cv_with(extra: bytes) -> bytes:
    """The sales CV on two pages, with `extra` operators drawn on the second."""
    lines = sales_cv_lines()
    return pdf_file([text_ops(lines[:30]), text_ops(lines[30:]) + b"\n" + extra])


def docx_cv_with(hiding: str | None, keywords: list[str]) -> bytes:
    """The sales CV as .docx, with each keyword line added as a run hidden one way (None: visible)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    if hiding == "hidden character style":
        document.styles.add_style("Quiet", WD_STYLE_TYPE.CHARACTER).font.hidden = True
    for line in sales_cv_lines():
        document.add_paragraph(line)
    for line in keywords:
        run = document.add_paragraph("Skills: ").add_run(line)
        if hiding == "hidden run (w:vanish)":
            run.font.hidden = True
        elif hiding == "white font":
            run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        elif hiding == "1-pt font":
            run.font.size = Pt(1)
        elif hiding == "hidden character style":
            run.style = "Quiet"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


DOCX_HIDING = ("hidden run (w:vanish)", "white font", "1-pt font", "hidden character style")


def hostile_cases() -> Iterator[tuple[str, str, Callable[[], bytes]]]:
    """(case, file name, builder) for every adversarial file of the benchmark."""
    yield "DOCX zip bomb (1 GiB picture)", "bomb.docx", lambda: docx_zip_bomb(1024 * MB)
    yield "DOCX 100 MB text in document.xml", "huge.docx", lambda: docx_huge_text(100 * MB)
    yield "DOCX 19 MB text (under the part cap)", "text19.docx", lambda: docx_huge_text(19 * MB)
    yield "DOCX 3 M empty paragraphs", "paras.docx", lambda: docx_many_paragraphs(3_000_000)
    yield "DOCX directory lies about sizes", "liar.docx", docx_lying_sizes
    yield "PDF 100 pages share one stream", "shared100.pdf", lambda: pdf_shared_stream(100)
    yield "PDF 50 pages share one stream", "shared50.pdf", lambda: pdf_shared_stream(50)
    yield "PDF 1.5 M filled rectangles", "paths.pdf", pdf_many_paths
    yield "PDF stream inflating to 1 GiB", "inflate.pdf", lambda: pdf_inflating_stream(1024 * MB)
    yield "PDF 3 M operators drawing nothing", "busy.pdf", pdf_busy_stream
    for way, draw in PDF_HIDING.items():
        yield f"PDF sales CV, keywords {way}", "cv.pdf", partial(_hidden_pdf, draw)
    for way in DOCX_HIDING:
        yield f"DOCX sales CV, keywords {way}", "cv.docx", partial(docx_cv_with, way, job_keywords())


def _hidden_pdf(draw: Callable[[list[str]], bytes]) -> bytes:
    return pdf_cv_with(draw(job_keywords()))
