"""Read a PDF's visible text in a worker process that is stopped when it runs too long.

Rule: imports app.analysis.pdf_text (run as a child process), app.analysis.read_errors
and the standard library only.

pdfminer, like any PDF parser, cannot be bounded from the inside: a 17 KB file
can hold a stream that inflates to gigabytes, or pages that take minutes to
lay out. So the PDF is parsed in a child process (`python -m
app.analysis.pdf_text`) with its address space capped, which is killed past
PDF_TIMEOUT_S. Each way it can fail becomes one DocumentError line.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from app.analysis.pdf_text import MAX_PDF_PAGES, WORKER_MEMORY_BYTES, PdfText
from app.analysis.read_errors import error, human_size, too_long
from app.errors import DocumentError

#: CPU time a PDF may take to read. A 2-page CV takes a fraction of a second and
#: 150,000 characters (the cap) about 3 s; past this the kernel stops the worker,
#: so on an idle machine every refusal comes within 10 seconds.
PDF_CPU_S: int = 6
#: Wall-clock limit, start of the worker included: the backstop for a worker that
#: waits instead of computing, loose enough that a busy machine (where CPU time
#: comes slowly) does not turn a normal CV away.
PDF_TIMEOUT_S: float = 20.0
_PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def read_pdf(data: bytes, name: str, *, timeout_s: float = PDF_TIMEOUT_S, cpu_s: int = PDF_CPU_S) -> PdfText:
    """The visible text of a PDF and how many words were hidden; DocumentError when it cannot be read in time."""
    # The worker imports the app from this checkout even where the project is not installed.
    path = os.pathsep.join(filter(None, [str(_PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "PYTHONIOENCODING": "utf-8"}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "app.analysis.pdf_text", str(cpu_s)],
            input=data,
            capture_output=True,
            timeout=timeout_s,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:  # run() has killed the worker
        raise _stalled(name, timeout_s) from None
    except OSError as exc:
        raise error(name, f"cannot start the PDF reader ({exc.strerror}); paste the text instead.") from exc
    if hasattr(signal, "SIGXCPU") and done.returncode == -signal.SIGXCPU:
        raise _stalled(name, cpu_s)
    try:
        result = json.loads(done.stdout)
    except ValueError:
        stderr = done.stderr.decode("utf-8", "replace")
        if "ImportError" in stderr or "ModuleNotFoundError" in stderr:
            last = stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
            raise error(name, f"the PDF reader could not start ({last}); reinstall with `make install`.") from None
        # Killed by the memory cap before it could answer, or crashed in native code on a crafted file.
        raise (_over_memory(name) if "MemoryError" in stderr or done.returncode < 0 else damaged_pdf(name)) from None
    if result.get("ok"):
        return PdfText(str(result["text"]), int(result["hidden_words"]), int(result["pages"]))
    kind = result.get("kind")
    if kind == "protected":
        raise error(name, "this PDF is password-protected; save an unprotected copy or paste the text instead.")
    if kind == "too_many_pages":
        raise error(
            name,
            f"this PDF has more than {MAX_PDF_PAGES} pages; a CV or job description is a few: "
            "check it is the right file, or keep only the pages that matter.",
        )
    if kind == "too_long":
        raise too_long(name, int(result.get("detail", 0)), at_least=True)
    if kind == "memory":
        raise _over_memory(name)
    if kind == "too_complex":
        raise error(
            name,
            f"a page of this PDF draws over {int(result.get('detail', 0)):,} characters and shapes, far more than "
            "a CV (it may be built to stall readers); export it again from the original, or paste the text instead.",
        )
    if kind == "inflates":
        raise error(
            name,
            f"this PDF holds data that inflates past {human_size(int(result.get('detail', 0)))} (a decompression "
            "bomb, or a damaged file); export it again from the original, or paste the text instead.",
        )
    raise damaged_pdf(name)


def _stalled(name: str, seconds: float) -> DocumentError:
    return error(
        name,
        f"reading this PDF took over {seconds:g} s (it may be built to stall readers); "
        "export it again from the original, or paste the text instead.",
    )


def damaged_pdf(name: str) -> DocumentError:
    return error(
        name,
        "cannot read this PDF (it is damaged or not really a PDF); "
        "export it again from the original or paste the text instead.",
    )


def _over_memory(name: str) -> DocumentError:
    return error(
        name,
        f"reading this PDF needs more than {human_size(WORKER_MEMORY_BYTES)} of memory (it may hold data "
        "built to inflate); export it again from the original, or paste the text instead.",
    )
