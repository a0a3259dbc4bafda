"""The Rank jobs page (app/pages/rank_jobs.py) under streamlit.testing's AppTest, the real embedded model included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.runtime.scriptrunner_utils import script_run_context
from streamlit.testing.v1 import AppTest

import app.ranking as ranking_module
from app.settings import bounds, default, describe, label, widget_kwargs
from app.ui_run import stop_requested

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "app" / "pages" / "rank_jobs.py")
FIXTURES = ROOT / "tests" / "fixtures"
# Generation on 2 shared cores is slow: loading the model and a ~1,900-token prompt.
TIMEOUT_S = 300


def new_page() -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    app.run()
    assert not app.exception
    return app


def button(app: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(widget for widget in app.button if widget.label == label)


def sidebar_number(app: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(widget for widget in app.sidebar.number_input if widget.label == label)


def texts(app: AppTest) -> str:
    parts = [element.value for element in app.markdown]
    parts += [element.value for kind in (app.success, app.warning, app.error, app.info) for element in kind]
    parts += [element.value for element in app.caption]
    return "\n".join(str(part) for part in parts)


def without_model(app: AppTest) -> None:
    next(box for box in app.sidebar.checkbox if box.label == label("use_llm")).uncheck()
    app.run()


def test_example_ranks_three_jobs_with_table_chart_shared_gaps_and_the_top_report() -> None:
    app = new_page()
    button(app, "Try an example").click()
    app.run()
    assert [area.label for area in app.text_area] == [
        "…or paste your CV here", "Paste job 1 here", "Paste job 2 here", "Paste job 3 here",
    ]  # fmt: skip
    without_model(app)
    button(app, "Rank the jobs").click()
    app.run()
    assert not app.exception

    table = app.dataframe[0].value
    assert list(table["rank"]) == [1, 2, 3]
    assert list(table["score"]) == sorted(table["score"], reverse=True)
    assert list(table["title"]) == ["Frontend Engineer", "Full-Stack Developer", "Backend Engineer"]
    assert "GraphQL" in table["gap that would lift the score most"][0]
    assert len(app.get("vega_lite_chart")) == 1  # met / partial / missing per job
    page = texts(app)
    assert "**Docker** is asked by 3 of 3 jobs and missing from your CV" in page
    # No row clicked yet: the best job's full report is open below the table.
    assert app.main.header[-1].value == "1. job 2 (pasted) — Frontend Engineer"
    assert "**Verdict: strong fit** — match score" in page and "### Requirements" in page
    assert [element.label for element in app.get("download_button")] == [
        "Download the ranking (Markdown)",
        "Download the ranking (JSON)",
    ]


def test_uploads_and_tabs_together_and_a_bad_file_is_reported_alone() -> None:
    app = new_page()
    without_model(app)
    app.text_area[0].set_value((FIXTURES / "strong_cv.txt").read_text(encoding="utf-8"))
    app.text_area[1].set_value((FIXTURES / "other_ml_job.txt").read_text(encoding="utf-8"))
    app.file_uploader[1].upload("strong_job.txt", (FIXTURES / "strong_job.txt").read_bytes()).upload(
        "broken.pdf", b"not a pdf at all"
    )
    app.run()
    button(app, "Rank the jobs").click()
    app.run()
    assert not app.exception

    table = app.dataframe[0].value
    assert list(table["job"]) == ["strong_job.txt", "job 1 (pasted)"]
    errors = [element.value for element in app.error]
    assert len(errors) == 1 and "broken.pdf" in errors[0] and "\n" not in errors[0]


def test_sidebar_widgets_take_label_bounds_default_and_help_from_the_settings_fields() -> None:
    app = new_page()
    for name in ("advise_top", "max_tokens", "threads"):
        widget = sidebar_number(app, label(name))
        expected = widget_kwargs(name)
        assert widget.help == describe(name)
        assert (
            (widget.min, widget.max)
            == (expected["min_value"], expected["max_value"])
            == (
                bounds(name).low,
                bounds(name).high,
            )
        )
        assert widget.value == pytest.approx(default(name))
    use_llm = next(box for box in app.sidebar.checkbox if box.label == label("use_llm"))
    assert use_llm.value is default("use_llm") and use_llm.help == describe("use_llm")


def test_no_jobs_says_what_to_do() -> None:
    app = new_page()
    app.text_area[0].set_value("Jane Roe\nSKILLS\nPython\n")
    button(app, "Rank the jobs").click()
    app.run()
    assert [element.value for element in app.error] == [
        "no job descriptions given: upload files or paste jobs into the tabs, or press “Try an example”."
    ]


def test_stop_reaches_rank_jobs_and_ends_a_wait_for_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 14: the page called rank_jobs without should_stop, so Stop could not end a wait for another
    session's model (the wait calls no widget, so Streamlit never got the chance to stop the run)."""
    real_rank_jobs = ranking_module.rank_jobs
    seen: dict[str, Any] = {}

    def recording_rank_jobs(*args: Any, **kwargs: Any) -> Any:
        seen["should_stop"] = kwargs.get("should_stop")
        seen["polled"] = seen["should_stop"]() if callable(seen["should_stop"]) else None
        return real_rank_jobs(*args, **kwargs)

    monkeypatch.setattr(ranking_module, "rank_jobs", recording_rank_jobs)
    app = new_page()
    without_model(app)
    app.text_area[0].set_value((FIXTURES / "strong_cv.txt").read_text(encoding="utf-8"))
    app.text_area[1].set_value((FIXTURES / "strong_job.txt").read_text(encoding="utf-8"))
    button(app, "Rank the jobs").click()
    app.run()

    assert not app.exception
    assert callable(seen["should_stop"]), "the rank page must pass should_stop to rank_jobs"
    assert seen["polled"] is False  # no Stop pressed: the run goes on
    assert list(app.dataframe[0].value["job"]) == ["job 1 (pasted)"]


def test_the_stop_check_is_streamlits_own_run_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """stop_requested (one helper for both pages) raises Streamlit's stop exception when the run must end."""

    class Stopped(Exception):
        pass

    def stopping() -> None:
        raise Stopped

    monkeypatch.setattr(script_run_context, "get_run_yield_check", lambda: stopping)
    should_stop = stop_requested()
    assert should_stop is not None
    with pytest.raises(Stopped):
        should_stop()
    monkeypatch.setattr(script_run_context, "get_run_yield_check", lambda: lambda: None)
    assert stop_requested()() is False  # type: ignore[misc]
    monkeypatch.setattr(script_run_context, "get_run_yield_check", lambda: None)
    assert stop_requested() is None  # outside a script run (the CLI, tests)
    # One helper for both pages, not a copy in each.
    for page in (PAGE, str(ROOT / "app" / "streamlit_app.py")):
        source = Path(page).read_text(encoding="utf-8")
        assert "from app.ui_run import stop_requested" in source and "def stop_requested" not in source


def test_add_another_job_opens_a_tab() -> None:
    app = new_page()
    button(app, "Add another job").click()
    app.run()
    assert [area.label for area in app.text_area][-1] == "Paste job 3 here"


def test_advice_for_the_top_job_only_with_the_real_model() -> None:
    app = new_page()
    sidebar_number(app, label("max_tokens")).set_value(16)
    sidebar_number(app, label("advise_top")).set_value(1)
    app.run()
    app.text_area[0].set_value((FIXTURES / "strong_cv.txt").read_text(encoding="utf-8"))
    app.text_area[1].set_value((FIXTURES / "other_ml_job.txt").read_text(encoding="utf-8"))
    app.text_area[2].set_value((FIXTURES / "strong_job.txt").read_text(encoding="utf-8"))
    button(app, "Rank the jobs").click()
    app.run()
    assert not app.exception

    page = texts(app)
    assert app.main.header[-1].value == "1. job 2 (pasted) — Python Backend Engineer"
    assert "**1. Match:**" in page and "strong fit for this job" in page  # the top job's checked advice
    assert "Generation speed: **—**" not in page and "Generation speed:" in page
    # What the JSON download holds: the whole ranking, advice for the top job only.
    export = json.loads(json.dumps(app.session_state["ranking"].to_dict()))
    assert [job["ranking"]["advised"] for job in export["jobs"]] == [True, False]
    assert export["jobs"][0]["advice"].lower().startswith("1. match: your cv is a strong fit")
    assert export["jobs"][1]["advice"] == "" and export["jobs"][1]["model"] is None
