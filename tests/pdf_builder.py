"""Small PDFs written byte by byte, for tests of hostile and hidden content (no fixture files in the repo).

`pdf_file(pages)` writes a valid PDF whose pages have the given content streams,
Helvetica as /F1, and a correct cross-reference table; `text_ops` turns lines
into the operators that draw them.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence


def escape(text: str) -> bytes:
    """A PDF literal string's body for ASCII/Latin-1 text."""
    raw = text.encode("latin-1", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def text_ops(lines: Sequence[str], *, x: float = 72, top: float = 750, size: float = 10, prefix: bytes = b"") -> bytes:
    """Operators that draw `lines` from (x, top) downwards; `prefix` goes inside BT (e.g. b"3 Tr", b"1 1 1 rg")."""
    leading = size * 1.3
    parts = [b"BT", prefix, b"/F1 %g Tf %g TL %g %g Td" % (size, leading, x, top)]
    for line in lines:
        parts.append(b"(" + escape(line) + b") Tj T*")
    parts.append(b"ET")
    return b"\n".join(part for part in parts if part)


def pdf_file(
    pages: Sequence[bytes], *, compress: bool = True, shared_stream: bytes | None = None, width: int = 612
) -> bytes:
    """A PDF with one page per content stream; with `shared_stream`, every page draws that one stream instead."""
    objects: list[bytes] = [b"", b""]  # 1: catalog, 2: page tree, filled below
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objects.append(font)  # 3
    font_id = 3

    def stream(content: bytes) -> bytes:
        if compress:
            body = zlib.compress(content, 9)
            return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream"
        return b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"

    shared_id = 0
    if shared_stream is not None:
        objects.append(stream(shared_stream))
        shared_id = len(objects)
    page_ids: list[int] = []
    for content in pages:
        if shared_stream is None:
            objects.append(stream(content))
            content_id = len(objects)
        else:
            content_id = shared_id
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d 792] /Resources << /Font << /F1 %d 0 R >> >> "
            b"/Contents %d 0 R >>" % (width, font_id, content_id)
        )
        page_ids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kids = b" ".join(b"%d 0 R" % page_id for page_id in page_ids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
