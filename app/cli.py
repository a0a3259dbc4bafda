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
from typing import NoReturn

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
