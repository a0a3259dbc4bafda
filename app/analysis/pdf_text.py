"""The text of a PDF as a reader sees it, and a worker process that extracts it: `python -m app.analysis.pdf_text`.

Rule: imports pdfminer.six and the standard library only (the worker starts fast); app.analysis.read_pdf
runs this module in a child process it can stop (pdfminer cannot be bounded
from inside: a small file can hold streams that inflate to gigabytes, or
content that takes minutes to lay out).

Every character is read with its colour, size, render mode and position, and
every filled shape with its colour, in the order they are painted. A character
is left out of the text, and its words counted as hidden, when a reader cannot
see it: drawn in invisible render mode (3 or 7), smaller than 3 pt, off the
page, in the colour of what lies under it (white on white), or covered by a
filled shape painted after it.
"""

from __future__ import annotations

import bisect
import io
import json
import logging
import sys
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from pdfminer import pdftypes
from pdfminer.converter import PDFLayoutAnalyzer
from pdfminer.layout import LAParams, LTChar, LTComponent, LTPage, LTTextBox
from pdfminer.pdfcolor import PDFColorSpace
from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFGraphicState, PDFPageInterpreter, PDFResourceManager, PDFTextState
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFObjRef
from pdfminer.psparser import PSLiteral

#: Most pages read: a CV or job description has 1-10; about 30 pages is the text cap.
MAX_PDF_PAGES: int = 60
#: Most characters and shapes drawn on one page: a dense CV page has a few thousand characters
#: and, with icons, a few thousand path pieces. Millions take minutes to lay out.
MAX_PAGE_OBJECTS: int = 50_000
#: Most characters drawn in the whole PDF, hidden ones included: the text cap is MAX_TEXT_CHARS
#: (100,000, about 30 pages) and pdfminer needs 10-40 µs a character, so more is refused unread.
MAX_PDF_CHARS: int = 150_000
#: Largest size of one stream once inflated (content streams of a CV page are 10-200 KB, fonts a few MB).
MAX_STREAM_BYTES: int = 64 * 1024 * 1024
# Characters smaller than this (points) are not readable text.
MIN_VISIBLE_PT = 3.0
# Two colours closer than this on every RGB channel (0..1) cannot be told apart on screen.
SAME_COLOUR = 0.12
_WHITE = (1.0, 1.0, 1.0)
_INVISIBLE_MODES = (3, 7)  # neither filled nor stroked (7 only adds to the clip)
_STROKE_MODES = (1, 5)  # outlines only: the stroking colour is what shows
_BOTH_MODES = (2, 6)  # filled and outlined

RGB = tuple[float, float, float]


class PdfRefusal(Exception):
    """Why a PDF cannot be read: one of the kinds app.analysis.read_pdf turns into a message."""

    def __init__(self, kind: str, detail: int = 0) -> None:
        super().__init__(kind)
        self.kind = kind  # "damaged", "protected", "too_many_pages", "too_long", "too_complex", "inflates"
        self.detail = detail


@dataclass(frozen=True)
class PdfText:
    text: str
    hidden_words: int
    pages: int


@dataclass
class _Char:
    item: LTChar
    order: int
    colours: tuple[RGB | None, ...]  # the colours that show (fill, stroke or both)
    background: RGB = _WHITE
    background_order: int = -1
    covered: bool = False


@dataclass(frozen=True)
class _Fill:
    bbox: tuple[float, float, float, float]
    order: int
    colour: RGB | None


class _PaintRecorder(PDFLayoutAnalyzer):
    """Records the characters and filled shapes of each page in the order they are painted."""

    def __init__(self, resources: PDFResourceManager, max_chars: int) -> None:
        super().__init__(resources, pageno=1, laparams=None)
        self.max_chars = max_chars
        self.total_chars = 0
        self.chars: list[_Char] = []
        self.fills: list[_Fill] = []
        self._order = 0
        self._render_mode = 0
        self.page: LTPage | None = None

    def begin_page(self, page: PDFPage, ctm: Any) -> None:
        super().begin_page(page, ctm)
        self.chars, self.fills, self._order, self.page = [], [], 0, None

    def receive_layout(self, ltpage: LTPage) -> None:
        self.page = ltpage

    def render_string(
        self, textstate: PDFTextState, seq: Any, ncs: PDFColorSpace, graphicstate: PDFGraphicState
    ) -> None:
        self._render_mode = textstate.render
        super().render_string(textstate, seq, ncs, graphicstate)

    def render_char(
        self,
        matrix: Any,
        font: Any,
        fontsize: float,
        scaling: float,
        rise: float,
        cid: int,
        ncs: PDFColorSpace,
        graphicstate: PDFGraphicState,
    ) -> float:
        advance = super().render_char(matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate)
        item = self.cur_item._objs[-1]
        if isinstance(item, LTChar):
            mode = self._render_mode
            fill, stroke = _rgb(graphicstate.ncolor), _rgb(graphicstate.scolor)
            if mode in _INVISIBLE_MODES:
                colours: tuple[RGB | None, ...] = ()
            elif mode in _STROKE_MODES:
                colours = (stroke,)
            elif mode in _BOTH_MODES:
                colours = (fill, stroke)
            else:
                colours = (fill,)
            self.chars.append(_Char(item, self._next(), colours))
            self.total_chars += 1
            if self.total_chars > self.max_chars:
                raise PdfRefusal("too_long", self.total_chars)
        return advance

    def paint_path(self, gstate: PDFGraphicState, stroke: bool, fill: bool, evenodd: bool, path: Sequence[Any]) -> None:
        objects = self.cur_item._objs
        before = len(objects)
        super().paint_path(gstate, stroke, fill, evenodd, path)
        colour = _rgb(gstate.ncolor) if fill else None
        for shape in objects[before:]:
            order = self._next()  # every piece counts towards the page's limit
            if fill and isinstance(shape, LTComponent) and shape.width > 0 and shape.height > 0:
                self.fills.append(_Fill(shape.bbox, order, colour))

    def _next(self) -> int:
        self._order += 1
        if self._order > MAX_PAGE_OBJECTS:
            raise PdfRefusal("too_complex", MAX_PAGE_OBJECTS)
        return self._order


def extract(data: bytes, *, max_pages: int = MAX_PDF_PAGES, max_chars: int = MAX_PDF_CHARS) -> PdfText:
    """The visible text of a PDF, page by page, and how many words a reader cannot see. Raises PdfRefusal."""
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)), password="")
        pages = list(islice(PDFPage.create_pages(document), max_pages + 1))
    except PDFPasswordIncorrect as exc:
        raise PdfRefusal("protected") from exc
    except MemoryError:
        raise
    except Exception as exc:  # pdfminer signals a malformed file with many exception types
        raise PdfRefusal("damaged") from exc
    if not pages:
        raise PdfRefusal("damaged")  # zero pages is a broken file, not a scan
    if len(pages) > max_pages:
        raise PdfRefusal("too_many_pages", max_pages)
    resources = PDFResourceManager(caching=True)
    recorder = _PaintRecorder(resources, max_chars)
    interpreter = PDFPageInterpreter(resources, recorder)
    texts: list[str] = []
    hidden_words = 0
    size = 0
    for page in pages:
        try:
            interpreter.process_page(page)
        except (PdfRefusal, MemoryError):
            raise
        except Exception as exc:
            raise PdfRefusal("damaged") from exc
        if recorder.page is None:
            continue
        visible, hidden = _split_visible(recorder.chars, recorder.fills, _view_box(page, recorder.page))
        text = _layout_text(visible, recorder.page)
        hidden_words += len(_layout_text(hidden, recorder.page).split())
        size += len(text) + 1
        if size > max_chars:
            raise PdfRefusal("too_long", size)
        texts.append(text)
    return PdfText("\n".join(texts), hidden_words, len(pages))


def _view_box(page: PDFPage, layout: LTPage) -> tuple[float, float, float, float]:
    """The part of the page a viewer shows, in the coordinates of the page's characters."""
    x0, y0, x1, y1 = layout.bbox
    if page.rotate % 360 == 0 and page.cropbox and page.mediabox:
        try:
            mx, my = float(page.mediabox[0]), float(page.mediabox[1])
            cx0, cy0, cx1, cy1 = (float(value) for value in page.cropbox)
            x0, y0 = max(x0, min(cx0, cx1) - mx), max(y0, min(cy0, cy1) - my)
            x1, y1 = min(x1, max(cx0, cx1) - mx), min(y1, max(cy0, cy1) - my)
        except (TypeError, ValueError):
            pass
    return x0, y0, x1, y1


def _split_visible(
    chars: list[_Char], fills: list[_Fill], view: tuple[float, float, float, float]
) -> tuple[list[LTChar], list[LTChar]]:
    """The characters a reader can see, and those they cannot."""
    # Each fill meets only the characters whose centre it contains: found by bisecting the centres' x.
    by_x = sorted(chars, key=lambda char: _centre(char.item)[0])
    xs = [_centre(char.item)[0] for char in by_x]
    for fill in fills:
        fx0, fy0, fx1, fy1 = fill.bbox
        for char in by_x[bisect.bisect_left(xs, fx0) : bisect.bisect_right(xs, fx1)]:
            cy = _centre(char.item)[1]
            if not fy0 <= cy <= fy1:
                continue
            if fill.order > char.order:
                char.covered = True  # painted over it
            elif fill.order > char.background_order and fill.colour is not None:
                char.background, char.background_order = fill.colour, fill.order
    visible: list[LTChar] = []
    hidden: list[LTChar] = []
    vx0, vy0, vx1, vy1 = view
    for char in chars:
        item = char.item
        cx, cy = _centre(item)
        seen = (
            not char.covered
            and item.size >= MIN_VISIBLE_PT
            and vx0 <= cx <= vx1
            and vy0 <= cy <= vy1
            and any(colour is None or not _same(colour, char.background) for colour in char.colours)
        )
        (visible if seen or not item.get_text().strip() else hidden).append(item)
    return visible, hidden


def _layout_text(chars: Iterable[LTChar], layout: LTPage) -> str:
    """pdfminer's layout analysis (lines, boxes, reading order) over the given characters only."""
    page = LTPage(layout.pageid, layout.bbox, layout.rotate)
    for char in chars:
        page.add(char)
    page.analyze(LAParams())
    return "\n".join(box.get_text().rstrip("\n") for box in page if isinstance(box, LTTextBox))


def _centre(item: LTChar) -> tuple[float, float]:
    return (item.x0 + item.x1) / 2, (item.y0 + item.y1) / 2


def _rgb(colour: object) -> RGB | None:
    """A colour as RGB in 0..1 (gray, RGB or CMYK operands), or None when it is a pattern or unreadable."""
    if isinstance(colour, PDFObjRef | PSLiteral):
        return None
    values: Sequence[Any] = colour if isinstance(colour, tuple | list) else (colour,)
    try:
        numbers = [min(max(float(value), 0.0), 1.0) for value in values]
    except (TypeError, ValueError):
        return None
    if len(numbers) == 1:
        return numbers[0], numbers[0], numbers[0]
    if len(numbers) == 3:
        return numbers[0], numbers[1], numbers[2]
    if len(numbers) == 4:
        c, m, y, k = numbers
        return (1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)
    return None


def _same(first: RGB, second: RGB) -> bool:
    return all(abs(a - b) < SAME_COLOUR for a, b in zip(first, second, strict=True))


# --- the worker: PDF bytes on stdin, one JSON object on stdout ---------------------------------

#: Address space the worker may use: a CV needs under 200 MB; a stream built to inflate to
#: gigabytes hits this instead of the machine's memory.
WORKER_MEMORY_BYTES = 1024 * 1024 * 1024


class _BoundedInflater:
    """zlib.decompressobj that refuses to inflate one stream past MAX_STREAM_BYTES."""

    def __init__(self) -> None:
        self._inflater = zlib.decompressobj()
        self._size = 0

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        room = MAX_STREAM_BYTES + 1 - self._size
        out = self._inflater.decompress(data, room if max_length <= 0 else min(room, max_length))
        self._size += len(out)
        if self._size > MAX_STREAM_BYTES:
            raise PdfRefusal("inflates", MAX_STREAM_BYTES)
        return out

    def flush(self, *args: int) -> bytes:
        return self._inflater.flush(*args)


class _BoundedZlib:
    """The part of the zlib module pdfminer uses, with every stream's inflated size bounded."""

    error = zlib.error

    @staticmethod
    def decompress(data: bytes, *_args: int) -> bytes:
        inflater = _BoundedInflater()
        out = inflater.decompress(data)
        if inflater._inflater.unconsumed_tail:
            raise PdfRefusal("inflates", MAX_STREAM_BYTES)
        if not inflater._inflater.eof:
            raise zlib.error("incomplete or truncated stream")  # what zlib.decompress says; pdfminer recovers
        return out

    @staticmethod
    def decompressobj(*_args: int) -> _BoundedInflater:
        return _BoundedInflater()


def _bound_inflation() -> None:
    # pdfminer inflates a whole stream with zlib.decompress; in the worker it gets the bounded twin instead.
    pdftypes.zlib = _BoundedZlib  # type: ignore[assignment]


def _limit_resources(cpu_seconds: int) -> None:
    """Cap the worker's address space and its CPU time (the kernel stops it with SIGXCPU past the latter)."""
    try:
        import resource
    except ImportError:  # not on POSIX (Windows): the parent's wall-clock limit still holds
        return
    for kind, limit in ((resource.RLIMIT_AS, WORKER_MEMORY_BYTES), (resource.RLIMIT_CPU, cpu_seconds)):
        try:
            _soft, hard = resource.getrlimit(kind)
            resource.setrlimit(kind, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
        except (ValueError, OSError):
            pass


def main() -> int:
    """Read PDF bytes on stdin, write one JSON object on stdout; argv[1]: the CPU seconds allowed."""
    logging.disable(logging.WARNING)  # pdfminer's notes on damaged files; the parent says one line
    _limit_resources(int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 10)
    _bound_inflation()
    data = sys.stdin.buffer.read()
    try:
        result: dict[str, object] = {"ok": True, **extract(data).__dict__}
    except PdfRefusal as refusal:
        result = {"ok": False, "kind": refusal.kind, "detail": refusal.detail}
    except (MemoryError, RecursionError):
        result = {"ok": False, "kind": "memory", "detail": 0}
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
