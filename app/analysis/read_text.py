"""Decode a plain-text file (.txt, .md) into a str, or refuse it as binary.

Rule: imports only app.analysis.read_errors (and app.errors through it) and charset_normalizer.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import CharsetMatch, from_bytes

from app.analysis.read_errors import error
from app.errors import DocumentError

# Control characters other than tab and line breaks: never typed by a person.
CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")

# Above this share of control characters the bytes are not something a
# person typed. Real text has almost none, while random bytes decoded as
# cp1251 have about 10%, so 5% separates the two with room on both sides.
_MAX_CONTROL_SHARE = 0.05

# The legacy 8-bit encodings a CV or a job description plausibly comes in, most likely first: Russian users'
# Windows files, then Western European ones, then the rest of Europe. The order breaks ties between decodes
# the detector scores alike (a short file: "Резюме" in cp1251 is equally "clean" as "Ðåçþìå" in cp1252). Only
# single-byte encodings: a few bytes of Latin-1 would otherwise pass for Chinese or UTF-16. Not the classic Mac
# encodings (gone since 2001): Mac Cyrillic differs from cp1251 only in capital letters, and the detector
# preferred it for a quarter of the two-line cp1251 CVs we tried ("—пециализации").
LEGACY_ENCODINGS: tuple[str, ...] = (
    "cp1251",
    "cp1252",
    "koi8_r",
    "latin_1",
    "iso8859_15",
    "cp1250",
    "iso8859_2",
    "koi8_u",
    "cp866",
    "iso8859_5",
    "cp1253",
    "iso8859_7",
    "cp1254",
    "iso8859_9",
    "cp1257",
    "iso8859_13",
)
# The names a user knows them by, for the warning.
_ENCODING_NAMES = {
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1252": "Windows-1252 (Western European)",
    "koi8_r": "KOI8-R (Russian)",
    "koi8_u": "KOI8-U (Ukrainian)",
    "latin_1": "Latin-1 (Western European)",
    "iso8859_15": "Latin-9 (Western European)",
    "cp1250": "Windows-1250 (Central European)",
    "iso8859_2": "Latin-2 (Central European)",
    "cp866": "DOS Cyrillic (cp866)",
    "iso8859_5": "ISO-8859-5 (Cyrillic)",
    "cp1253": "Windows-1253 (Greek)",
    "iso8859_7": "ISO-8859-7 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "iso8859_9": "Latin-5 (Turkish)",
    "cp1257": "Windows-1257 (Baltic)",
    "iso8859_13": "Latin-7 (Baltic)",
}
# The detector reads at most this many bytes (from just before the first non-ASCII byte, where the encodings
# differ); the whole file is then decoded with its answer. It takes milliseconds on the sample, while the
# files it is meant for are a few kilobytes (anything over 300,000 characters is refused as too long anyway).
SAMPLE_BYTES = 64 * 1024
# The detector is sure of its guess when the decoded text has little mess ("chaos", the share of unlikely
# character sequences, 0..1; 0.2 is the detector's own limit), letter frequencies that match a language
# ("coherence", 0..1), and a lead in coherence over every other clean decode. A text of a few words has no
# measurable coherence, so it gets the warning unless every other decode is mess.
_MAX_SURE_CHAOS = 0.2
_MIN_SURE_COHERENCE = 0.2
_MIN_COHERENCE_LEAD = 0.03
_MESS_TIE = 0.05
_MAX_WORDS_CHECKED = 500
# Latin words this long with no plain ASCII letter are cp1251 read as cp1252 ("Ðåçþìå"); Polish "Żółć" is shorter.
_MIN_ALL_ACCENTED = 5
_WORD_RE = re.compile(r"[^\W\d_]+")
_NON_ASCII_RE = re.compile(rb"[\x80-\xff]")
_C1_CONTROL_RE = re.compile("[\x80-\x9f]")


@dataclass(frozen=True)
class DecodedText:
    """The text of a file and how its bytes were read."""

    text: str
    encoding: str
    """The Python codec that decoded it ("utf-8", "utf-16", "cp1252"...)."""
    guessed: bool = False
    """True when the encoding was guessed without confidence: the user should check the letters."""


def decode_text(data: bytes, name: str) -> DecodedText:
    """The text of a plain-text file; DocumentError when the bytes are not text."""
    # Windows Notepad's "Unicode" is UTF-16 with a BOM; it is full of NUL
    # bytes, so it must be recognised before the NUL test below.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise _binary(name) from None
        return _checked(DecodedText(text, "utf-16"), name)
    # NUL never appears in a text file in an 8-bit encoding or UTF-8, while
    # it is everywhere in images, archives, PDFs and office files.
    if b"\x00" in data:
        raise _binary(name)
    # UTF-8 (the BOM is dropped if present) is tried first because a wrong decode as UTF-8 is nearly
    # impossible: legacy 8-bit text almost never forms valid UTF-8 sequences.
    try:
        return _checked(DecodedText(data.decode("utf-8-sig"), "utf-8"), name)
    except UnicodeDecodeError:
        pass
    # A legacy 8-bit encoding: the detector decides. Control characters are the same in all of them, so the
    # text check below refuses binary bytes whichever encoding was chosen.
    return _checked(_legacy_decode(data), name)


def encoding_warning(name: str, encoding: str) -> str:
    """The plain warning for a file whose encoding was guessed without confidence."""
    shown = _ENCODING_NAMES.get(encoding, encoding)
    return (
        f"{name}: the text encoding was guessed as {shown}; if letters look wrong, save the file as UTF-8 "
        "and load it again."
    )


def _legacy_decode(data: bytes) -> DecodedText:
    sample = _sample(data)
    matches = list(from_bytes(sample, cp_isolation=list(LEGACY_ENCODINGS)))
    if not matches:
        # Every decode is messy (chaos over the detector's 0.2 default): take the best guess anyway, warned.
        matches = list(from_bytes(sample, cp_isolation=list(LEGACY_ENCODINGS), threshold=1.0))
    mess = {id(match): match.chaos + _implausible_share(str(match)) for match in matches}
    ranked = _ranked(matches, mess)
    for match in ranked:
        encoding = _preferred(match)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue  # a byte past the sample that this encoding leaves undefined
        return DecodedText(text, encoding, guessed=not (match is ranked[0] and _sure(ranked, mess)))
    # Latin-1 maps every byte to a character; the text check still refuses binary data.
    return DecodedText(data.decode("latin-1"), "latin_1", guessed=True)


def _sample(data: bytes) -> bytes:
    """At most SAMPLE_BYTES of `data`, starting just before its first non-ASCII byte."""
    if len(data) <= SAMPLE_BYTES:
        return data
    first = _NON_ASCII_RE.search(data)
    start = max(0, first.start() - 1024) if first else 0
    return data[start : start + SAMPLE_BYTES]


def _ranked(matches: list[CharsetMatch], mess: dict[int, float]) -> list[CharsetMatch]:
    """The detector's matches, best first.

    The mess of a decode (by id) is the detector's chaos plus the share of words no language spells that way.
    Decodes within _MESS_TIE of the cleanest tie (chaos differs by thousandths between close encodings), and
    among those the one whose letters best fit a language wins; then our prior (LEGACY_ENCODINGS' order).
    """
    cleanest = min(mess.values(), default=0.0)

    def key(match: CharsetMatch) -> tuple[bool, float, int, float]:
        tied = mess[id(match)] <= cleanest + _MESS_TIE
        return not tied, -round(match.coherence, 2), _preference(match.could_be_from_charset), mess[id(match)]

    return sorted(matches, key=key)


def _sure(ranked: list[CharsetMatch], mess: dict[int, float]) -> bool:
    """Whether the best decode is clearly right: clean, in a language, and ahead of every other clean one."""
    best = ranked[0]
    if mess[id(best)] > _MAX_SURE_CHAOS or best.coherence < _MIN_SURE_COHERENCE or mess[id(best)] > best.chaos:
        return False
    # Central European decodes of Western text (and back) are just as clean and differ in a few letters; only
    # the language fit tells them apart, and a close call is a guess ("È" of Italian is "Č" in cp1257).
    text = str(best)
    close = best.coherence - _MIN_COHERENCE_LEAD
    return not any(
        other.coherence >= close and mess[id(other)] <= _MAX_SURE_CHAOS and str(other) != text for other in ranked[1:]
    )


def _preference(encodings: list[str]) -> int:
    return min((LEGACY_ENCODINGS.index(name) for name in encodings if name in LEGACY_ENCODINGS), default=99)


def _preferred(match: CharsetMatch) -> str:
    """The likeliest of the encodings that decode the sample to the same text (cp1252 rather than cp1250)."""
    encodings = match.could_be_from_charset
    known = [name for name in encodings if name in LEGACY_ENCODINGS]
    if not known:
        return encodings[0]
    if "cp1252" in known and not any(not word.isascii() for word in _WORD_RE.findall(str(match))):
        # Only punctuation is non-ASCII (curly quotes, dashes): nothing says Cyrillic, so name the Western one.
        return "cp1252"
    return min(known, key=LEGACY_ENCODINGS.index)


def _implausible_share(text: str) -> float:
    """The share of (distinct) words with a non-ASCII letter that no language spells that way; 1 with C1 controls.

    Only those words differ between legacy encodings. A word mixing alphabets ("Jьrgen", Latin-1 read as
    cp1251) or a long Latin word with no plain ASCII letter ("Ðåçþìå", cp1251 read as
    cp1252) is what a wrong guess looks like, as is a word with a symbol among its letters ("Pawe³").
    """
    if _C1_CONTROL_RE.search(text):
        # Typed text has no C1 control characters: the bytes 0x80-0x9f were punctuation in another encoding
        # (cp1252's dashes and quotes read as ISO-8859-x).
        return 1.0
    # Distinct words, at most _MAX_WORDS_CHECKED of them: enough to judge, and bounded whatever the input.
    words = list(dict.fromkeys(word for word in _WORD_RE.findall(text) if not word.isascii()))[:_MAX_WORDS_CHECKED]
    if not words:
        return 0.0
    return sum(1 for word in words if _implausible(word)) / len(words)


def _implausible(word: str) -> bool:
    scripts = {_script(letter) for letter in word}
    if len(scripts) > 1 and scripts != {"ascii", "latin"}:
        return True
    return scripts == {"latin"} and len(word) >= _MIN_ALL_ACCENTED


def _script(letter: str) -> str:
    code = ord(letter)
    if not letter.isalpha():
        return "symbol"  # "³" of "Pawe³" (Polish ł read as cp1252): a word character, not a letter
    if code < 0x80:
        return "ascii"
    if code < 0x250:
        return "latin"
    if 0x370 <= code < 0x400:
        return "greek"
    if 0x400 <= code < 0x530:
        return "cyrillic"
    return "other"


def _checked(decoded: DecodedText, name: str) -> DecodedText:
    if _looks_like_text(decoded.text):
        return decoded
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
