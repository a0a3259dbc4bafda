"""What the Streamlit pages (app/streamlit_app.py and app/pages/) share about a run: no layout, no model logic.

Imports only streamlit.
"""

from __future__ import annotations

from collections.abc import Callable

from streamlit.runtime.scriptrunner_utils import script_run_context


def stop_requested() -> Callable[[], bool] | None:
    """A check, polled while the analysis waits for the model or generates, that ends this run on Stop.

    Streamlit ends a run that a click (Stop) or a closed tab interrupted at its next call into
    Streamlit; while the analysis waits for the model (another session's generation, a reload
    with other settings) it makes none, so the wait asks Streamlit itself: the check raises
    Streamlit's own stop exception, handled like any interrupted run. None outside a script run.
    """
    check = getattr(script_run_context, "get_run_yield_check", lambda: None)()
    if check is None:
        return None

    def should_stop() -> bool:
        check()
        return False

    return should_stop
