"""The Streamlit app under streamlit.testing's AppTest, with the real embedded model."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.llm.engine import gpu_offload_supported
from tests.helpers import shown

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app" / "streamlit_app.py")
FIXTURES = ROOT / "tests" / "fixtures"
# Generation on 2 shared cores is slow; the app run includes loading the model and a ~1,700-token prompt.
TIMEOUT_S = 300


def new_app(max_tokens: int = 16) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    app.run()
    assert not app.exception
    number_input(app, "Max new tokens").set_value(max_tokens)
    return app


def number_input(app: AppTest, label_start: str):  # type: ignore[no-untyped-def]
    return next(widget for widget in app.sidebar.number_input if widget.label.startswith(label_start))


def button(app: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(widget for widget in app.button if widget.label == label)


def texts(app: AppTest) -> str:
    """Everything the page shows as text, joined (escapes of document text removed, as the browser shows it)."""
    parts = [element.value for element in app.markdown]
    parts += [element.value for kind in (app.success, app.warning, app.error, app.info) for element in kind]
    return "\n".join(shown(part) for part in parts)


def test_first_page_has_inputs_and_settings() -> None:
    app = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    app.run()
    assert not app.exception
    assert [area.label for area in app.text_area] == ["…or paste it here", "…or paste it here"]
    assert {button.label for button in app.button} >= {"Try an example", "Analyze"}
    model = app.sidebar.selectbox[0]
    assert "embedded default" in model.format_func(model.value)
    # A CPU-only build cannot offload: the widget says so instead of failing later; a GPU build offers it.
    gpu = number_input(app, "GPU layers")
    captions = " ".join(caption.value for caption in app.sidebar.caption)
    if gpu_offload_supported():
        assert not gpu.disabled and "CMAKE_ARGS" not in captions
    else:
        assert gpu.disabled and "CMAKE_ARGS" in captions


def test_pasted_cv_and_job_give_verdict_requirements_advice_and_metrics() -> None:
    app = new_app()
    app.text_area[0].set_value((FIXTURES / "pastry_chef_cv.txt").read_text(encoding="utf-8"))
    app.text_area[1].set_value((FIXTURES / "ml_engineer_job.txt").read_text(encoding="utf-8"))
    button(app, "Analyze").click()
    app.run()
    assert not app.exception
    page = texts(app)
    assert "Verdict: not a fit" in page
    requirements = app.dataframe[0].value
    statuses = dict(zip(requirements["requirement"], requirements["status"], strict=True))
    assert statuses["Good SQL skills"] == "missing"
    assert "Stop" not in [widget.label for widget in app.button]  # only while generating
    # The checked advice: our opening and the model's text, or the plan's sentences where it failed.
    assert "**1. Match:**" in page
    assert "not a fit for this job" in page or "does not fit this job" in page
    assert "sections written by the model and checked" in " ".join(str(c.value) for c in app.caption)
    assert app.checkbox  # the plan's checklist beside the advice
    for label in ("Time to first token", "Generation speed", "RAM peak", "Model file"):
        assert label in page
    assert "Generation speed: **—**" not in page  # a real figure was measured
    downloads = [element.label for element in app.get("download_button")]
    assert downloads == ["Download the report (Markdown)", "Download the report (JSON)"]


def test_example_pair_works() -> None:
    app = new_app()
    button(app, "Try an example").click()
    app.run()
    assert "ELENA MARCHETTI" in app.text_area[0].value
    assert "Full-Stack" in app.text_area[1].value or "Full Stack" in app.text_area[1].value
    button(app, "Analyze").click()
    app.run()
    assert not app.exception
    assert "Verdict:" in texts(app)
    assert app.dataframe[0].value.shape[0] > 3


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cv.pdf", b"not a pdf at all", "cannot read this PDF"),
        ("cv.txt", b"", "empty"),
        ("cv.txt", b"\x00\x01\x02binary\x00" * 20, "binary"),
    ],
)
def test_bad_upload_shows_one_clear_error(name: str, content: bytes, message: str) -> None:
    app = new_app()
    app.text_area[1].set_value((FIXTURES / "strong_job.txt").read_text(encoding="utf-8"))
    app.file_uploader[0].upload(name, content)
    app.run()
    button(app, "Analyze").click()
    app.run()
    assert not app.exception
    errors = [shown(element.value) for element in app.error]
    assert len(errors) == 1
    assert name in errors[0] and message in errors[0]
    assert "\n" not in errors[0]
    assert not app.dataframe  # no analysis of nothing


def test_missing_job_says_what_to_do() -> None:
    app = new_app()
    app.text_area[0].set_value((FIXTURES / "strong_cv.txt").read_text(encoding="utf-8"))
    button(app, "Analyze").click()
    app.run()
    assert [shown(element.value) for element in app.error] == [
        "no job description given: upload a file or paste the text, or press “Try an example”."
    ]


def test_stop_keeps_the_findings_and_shows_the_plan_not_the_unchecked_draft() -> None:
    """A click during generation reruns the script; the findings stay, and unchecked text never reads as advice."""
    from app.analysis.documents import read_document
    from app.pipeline import run_analysis
    from app.settings import make_settings

    findings = run_analysis(
        read_document(FIXTURES / "strong_cv.txt"),
        read_document(FIXTURES / "strong_job.txt"),
        make_settings(use_llm=False),
    )
    app = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    # The state a Stop click leaves behind: generation under way, some advice streamed.
    app.session_state["generating"] = True
    app.session_state["pending_report"] = findings
    app.session_state["partial_advice"] = "1. Match: your CV is a strong fit for this job. 2. Experience: you"
    app.run()
    assert not app.exception
    page = texts(app)
    assert "Verdict: strong fit" in page
    assert "2. Experience: you" not in page  # the draft had not passed its checks
    assert "from the plan" in page
    plan = findings.plan
    assert plan is not None
    # The plan is a checklist beside the advice, one box per action.
    assert [shown(box.label) for box in app.main.checkbox] == [action.action for action in plan.actions]
    assert any("stopped by you" in element.value for element in app.warning)
    assert app.session_state["generating"] is False


def test_download_from_the_app_offline_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    # Offline, the app's download button must refuse in one line, not hang or crash.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    app = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    app.run()
    download = next(widget for widget in app.sidebar.button if widget.label == "Download now")
    download.click()
    app.run()
    assert not app.exception
    errors = [shown(element.value) for element in app.error]
    assert len(errors) == 1
    assert "offline mode is on" in errors[0] and "\n" not in errors[0]


def _first_download_button(app: AppTest):  # type: ignore[no-untyped-def]
    return next(widget for widget in app.sidebar.button if widget.label == "Download now")


def test_a_download_that_breaks_in_its_thread_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, any error but ours left the worker's outcome empty: a KeyError 'result' traceback on the page."""
    from app.hub import downloads

    def broken(*_args: object, **_kwargs: object) -> None:
        raise FileNotFoundError(2, "No such file or directory", "models/.cache/partial/x.incomplete")

    monkeypatch.setattr(downloads, "download", broken)
    app = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    app.run()
    _first_download_button(app).click()
    app.run()
    assert not app.exception
    errors = [element.value for element in app.error]
    assert len(errors) == 1 and "\n" not in errors[0]
    shown = errors[0].replace("\\", "")  # the page escapes Markdown in error text
    assert "failed" in shown and "No such file or directory" in shown and "download_models.py" in shown


def test_a_download_under_way_in_another_session_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.hub.catalog import MODELS_DIR, find_entry, load_catalog
    from app.hub.downloads import download_lock

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    app = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    app.run()
    button = _first_download_button(app)
    entry = find_entry(button.key.removeprefix("download_"), load_catalog())
    with download_lock(entry, MODELS_DIR, wait=False):  # another session is downloading this model
        button.click()
        app.run()
    assert not app.exception
    errors = [element.value for element in app.error]
    assert len(errors) == 1 and "under way" in errors[0] and "\n" not in errors[0]
