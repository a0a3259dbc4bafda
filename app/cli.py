"""What every command-line script shares: bad input fails in one line, errors map to exit codes.

Domain errors are translated here, once, at the edge: a `CVEnhancerError` (or
an OSError, such as an output path that cannot be written) is one `error: ...`
line on stderr and exit 2; Ctrl-C is 130; anything else is a
bug of ours, still one line (exit 1), never a traceback, unless
CV_ENHANCER_DEBUG=1 asks for it: then the error is raised again, traceback and all.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from app.errors import CVEnhancerError

EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 1, 2, 130
DEBUG_ENV = "CV_ENHANCER_DEBUG"


def debugging() -> bool:
    """CV_ENHANCER_DEBUG=1 (or true/yes): let unexpected errors through with their traceback."""
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes")


class Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one line and exit 2, like every other bad input."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def parser_from_doc(prog: str, doc: str | None) -> Parser:
    """A parser whose --help is the script's docstring: first paragraph on top, the rest (examples) below."""
    paragraphs = (doc or "").strip().split("\n\n")
    return Parser(
        prog=prog,
        description=paragraphs[0],
        epilog="\n\n".join(paragraphs[1:]) or None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def run(body: Callable[[], int], *, interrupted_hint: str = "") -> int:
    """Run a script's work and turn what it raises into one stderr line and an exit code."""
    try:
        return body()
    except (CVEnhancerError, OSError) as error:
        # Bad files, settings, models, downloads, an output path that cannot be written: all fixable by the user.
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"\ninterrupted{interrupted_hint}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug of ours: still one line, and how to report it
        if debugging():
            raise
        print(
            f"internal error: {type(error).__name__}: {error} (please report it with the command you ran; "
            f"{DEBUG_ENV}=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


class PhaseBars:
    """Progress bars on stderr, one per phase of a long job: a synthetic model's build writes its F16 file
    (bytes), then quantizes it (tensors). Called as progress(phase, done, total); a context manager closes them."""

    def __init__(self, prefix: str = "", *, disable: bool = False) -> None:
        self.prefix = prefix
        self.disable = disable or not sys.stderr.isatty()
        self.bars: dict[str, Any] = {}

    def __call__(self, phase: str, done: float, total: float) -> None:
        from tqdm import tqdm

        if phase not in self.bars:
            in_bytes = phase.startswith("writing")
            self.bars[phase] = tqdm(
                total=total,
                desc=f"{self.prefix}{phase}",
                unit="B" if in_bytes else "tensor",
                unit_scale=in_bytes,
                file=sys.stderr,
                disable=self.disable,
            )
        bar = self.bars[phase]
        bar.update(done - bar.n)

    def __enter__(self) -> PhaseBars:
        return self

    def __exit__(self, *_exc: object) -> None:
        for bar in self.bars.values():
            bar.close()
