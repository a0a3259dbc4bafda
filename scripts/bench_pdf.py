"""How fast PDFs are read: pdfminer.six with hidden-text detection (what the app uses) against pypdf's plain
extract_text (what it used before), side by side in one run, and the whole read through the worker process.

    .venv/bin/python scripts/bench_pdf.py                      # a 2-page CV built from tests/fixtures
    .venv/bin/python scripts/bench_pdf.py cv1.pdf cv2.pdf -r 7  # your own PDFs

Prints, per file: pages, characters read, hidden words, and the median (of -r
repetitions, after one warm-up) of pypdf, pdfminer in this process, and
read_bytes (the worker: start, parse, answer), with the pdfminer/pypdf ratio.
pypdf is a test dependency (`pip install -e ".[test]"`).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.analysis.documents import read_bytes  # noqa: E402
from app.analysis.pdf_text import extract  # noqa: E402


def two_page_cv() -> bytes:
    """The sales and the nurse CV of tests/fixtures on two A4 pages (fpdf2), as a word processor would print them."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for name in ("sales_cv.txt", "nurse_cv.txt"):
        pdf.add_page()
        for line in (ROOT / "tests" / "fixtures" / name).read_text(encoding="utf-8").splitlines():
            text = line.encode("latin-1", "replace").decode("latin-1")
            pdf.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def median_s(job: Callable[[], object], repeats: int) -> float:
    job()  # warm-up: imports, caches
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="PDF files (default: a 2-page CV built from fixtures)")
    parser.add_argument("-r", "--repeats", type=int, default=5, help="timed repetitions per reader (default 5)")
    args = parser.parse_args()
    from pypdf import PdfReader

    inputs = [(path.name, path.read_bytes()) for path in args.files] or [("2-page CV (fixtures)", two_page_cv())]
    print("| file | pages | chars | hidden words | pypdf | pdfminer (in process) | ratio | read_bytes (worker) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, data in inputs:
        result = extract(data)

        def with_pypdf(data: bytes = data) -> str:
            return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)

        old = median_s(with_pypdf, args.repeats)
        new = median_s(partial(extract, data), args.repeats)
        worker = median_s(partial(read_bytes, data, "cv.pdf"), args.repeats)
        print(
            f"| {name} | {result.pages} | {len(result.text):,} | {result.hidden_words} | {old * 1000:.0f} ms "
            f"| {new * 1000:.0f} ms | {new / old:.1f}x | {worker * 1000:.0f} ms |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
