"""Small text helpers every layer shares: clipping a quote, a Markdown table, Markdown made safe.

Rule: a leaf module; imports nothing from the project.

Text from a document (a CV, a job, a file name) or from the model is never
rendered as Markdown: a browser would fetch `![x](http://host/x)` and the app
is offline. `escape_markdown` makes such text show literally; `defuse_markdown`
keeps the model's emphasis and lists but shows links, images and HTML as text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# What makes inline Markdown (emphasis, code, links, images, HTML, entities, table cells, strikethrough,
# math): a backslash before any ASCII punctuation character makes it a literal in CommonMark.
_INLINE_RE = re.compile(r"([\\`*_\[\]<>|~$&])")
# What makes a block at the start of a line: a heading, a quote, a list item, a setext underline.
_LINE_START_RE = re.compile(r"^([ \t]*)(?:([#>+=-])|(\d+)([.)]))", re.MULTILINE)
# What opens a link, an image, a footnote, HTML, a Streamlit directive (":red[...]") or math.
_LINK_SYNTAX_RE = re.compile(r"([\[\]<>$\\])")
# Autolinks with no syntax at all (GFM's "www.host", "http://host", "name@host"): an invisible
# zero-width space after "://", after "www" and after "@" keeps them from forming.
_BARE_LINK_RE = re.compile(r"(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)(?=[\w-])", re.IGNORECASE)
_BREAK = "\u200b"


def clip(text: str, limit: int) -> str:
    """`text`, or its first `limit` characters ending in "…" when it is longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[bool] | None = None) -> str:
    """A Markdown table; a "|" or a line break inside a cell cannot break it.

    With `right` (one flag per column), columns are padded to one width and the
    flagged ones right-aligned, as llama-bench prints its table; without it,
    the table is compact.
    """

    def clean(cell: object) -> str:
        return str(cell).replace("|", "/").replace("\n", " ")

    head = [clean(cell) for cell in header]
    body = [[clean(cell) for cell in row] for row in rows]
    if right is None:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in body])
    widths = [max(len(cell) for cell in column) for column in zip(head, *body, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(width) if align else cell.ljust(width)
            for cell, width, align in zip(cells, widths, right, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "| " + " | ".join(("-" * (w - 1) + ":") if r else "-" * w for w, r in zip(widths, right, strict=True)) + " |"
    return "\n".join([line(head), rule, *(line(row) for row in body)])


def escape_markdown(text: str) -> str:
    """`text` to show literally where Markdown is rendered: no emphasis, link, image, HTML or heading forms.

    Only what could form Markdown is escaped, so "C++", "3+ years" and "Node.js" stay readable in the
    exported report too.
    """
    text = _INLINE_RE.sub(r"\\\1", _BARE_LINK_RE.sub(_BREAK, text))
    return _LINE_START_RE.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, number, delimiter = match.groups()
    return f"{indent}\\{marker}" if marker else f"{indent}{number}\\{delimiter}"


def defuse_markdown(text: str) -> str:
    """The model's Markdown with its emphasis and lists kept, and its links, images and HTML shown as text."""
    return _LINK_SYNTAX_RE.sub(r"\\\1", _BARE_LINK_RE.sub(_BREAK, text))
