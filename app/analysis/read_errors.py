"""The one-line errors of reading a file, shared by the format readers and app.analysis.documents.

Rule: imports only app.errors. Every message names the file, says what is
wrong and what to do, and stays one line whatever the file name holds.
"""

from __future__ import annotations

import re

from app.errors import DocumentError

#: Longest text we analyse, in characters after normalisation: about 30 pages
#: (3,000-3,500 characters a page). Real CVs and job descriptions are 2-15,000
#: characters; a longer text is the wrong file, or text meant to stall the
#: analysis, which is linear but not free (about 1 s per 100,000 characters).
MAX_TEXT_CHARS: int = 100_000
# Normalising removes spaces and blank lines only, so raw text this long cannot
# come under MAX_TEXT_CHARS: it is refused before the work of normalising it
# (and a reader stops extracting once it has this much).
MAX_RAW_CHARS: int = 3 * MAX_TEXT_CHARS
CHARS_PER_PAGE = 3_300

_MESSAGE_BREAKS_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def error(name: str, problem: str) -> DocumentError:
    """A DocumentError "name: problem", kept on one line even if the file name holds a line break."""
    return DocumentError(_MESSAGE_BREAKS_RE.sub(" ", f"{name}: {problem}"))


def too_big(name: str, size: int, max_bytes: int) -> DocumentError:
    return error(
        name,
        f"the file is {human_size(size)}, over the {human_size(max_bytes)} limit; "
        "remove images or extra pages, or paste the text instead.",
    )


def too_long(name: str, characters: int, *, at_least: bool = False) -> DocumentError:
    """The text is over MAX_TEXT_CHARS; `at_least` when a reader stopped extracting at the cap."""
    count = f"{'over ' if at_least else ''}{characters:,}"
    return error(
        name,
        f"the text is {count} characters long (about {characters // CHARS_PER_PAGE} pages), over the "
        f"limit of {MAX_TEXT_CHARS:,} (about {MAX_TEXT_CHARS // CHARS_PER_PAGE} pages); a CV or job description "
        "is a few pages: check it is the right file, or keep only the pages that matter.",
    )


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"
