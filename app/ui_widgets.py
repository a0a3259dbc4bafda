"""Widgets the Streamlit pages (app/streamlit_app.py and app/pages/) share; layout stays in the pages.

Imports streamlit's containers as given, app.settings (labels, defaults, help) and app.hub.catalog (the model list).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.hub.catalog import ModelChoice
from app.settings import default, describe, label


def ready_model_picker(container: Any, choices: Iterable[ModelChoice]) -> str:
    """A select box of the models that can run now, the default model chosen when it is among them."""
    ready = {choice.name: choice.label for choice in choices if choice.available}
    names = list(ready)
    return str(
        container.selectbox(
            label("model"),
            names,
            index=names.index(default("model")) if default("model") in names else 0,
            format_func=ready.__getitem__,
            help=describe("model"),
        )
    )
