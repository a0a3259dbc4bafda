"""Decode a plain-text file (.txt, .md) into a str, or refuse it as binary.

Rule: imports only app.analysis.read_errors (and app.errors through it).
"""

from __future__ import annotations

import codecs
import re

from app.analysis.read_errors import error
from app.errors import DocumentError

# Control characters other than tab and line breaks: never typed by a person.
CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")

# Above this share of control characters the bytes are not something a
# person typed. Real text has almost none, while random bytes decoded as
# cp1251 have about 10%, so 5% separates the two with room on both sides.
_MAX_CONTROL_SHARE = 0.05


def decode_text(data: bytes, name: str) -> str:
    """The text of a plain-text file; DocumentError when the bytes are not text."""
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
    controls = len(CONTROL_RE.findall(text))
    return controls / len(text) <= _MAX_CONTROL_SHARE


def _binary(name: str) -> DocumentError:
    return error(
        name,
        "this looks like a binary file, not text; save it as plain text (UTF-8) or paste the text instead.",
    )
