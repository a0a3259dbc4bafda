"""Small text helpers every layer shares: clipping a quote, a Markdown table.

Rule: a leaf module; imports nothing from the project.
"""

from __future__ import annotations

from collections.abc import Sequence


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
