"""One source for every setting: the Settings fields against every flag and widget that sets them.

The test walks the fields and the scripts' parsers and the app's widgets, so a
flag or widget that retypes a default, a bound or a help text fails here.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import Field
from streamlit.testing.v1 import AppTest

from app import settings as settings_module
from app.errors import SettingsError
from app.formatting import escape_markdown
from app.llm.fake import FakeEngine
from app.settings import (
    RUN_FIELDS,
    Settings,
    add_flag,
    bounds,
    default,
    describe,
    flag_kwargs,
    flag_name,
    label,
    make_settings,
    range_text,
    settings_from_args,
    value_type,
    widget_kwargs,
)
from tests.helpers import TINY_CV, TINY_JOB

ROOT = Path(__file__).resolve().parent.parent
NUMERIC = [name for name in Settings.model_fields if value_type(name) in (int, float)]
# Flags that deliberately differ from Settings' default, each saying so in its help: bench_core.py fixes its
# threads and token count so that runs on different machines compare.
# bench_rank.py writes short advice: its time to first token does not depend on the length.
OWN_DEFAULTS = {("bench_core.py", "threads"), ("bench_core.py", "max_tokens"), ("bench_rank.py", "max_tokens")}
# Lists of values for a sweep ("1,2,4"): parsed by app.bench.plan.parse_list, so typed as text.
LIST_FLAGS = {("benchmark.py", name) for name in ("threads", "gpu_layers", "batch", "ctx")}


def load_parser(script: str) -> argparse.ArgumentParser:
    spec = importlib.util.spec_from_file_location(f"script_{script.removesuffix('.py')}", ROOT / "scripts" / script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    parser = module.build_parser()
    assert isinstance(parser, argparse.ArgumentParser)
    return parser


def setting_actions(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {action.dest: action for action in parser._actions if action.dest in Settings.model_fields}


SCRIPTS = ["analyze.py", "run_experiments.py", "evaluate.py", "benchmark.py", "bench_core.py", "bench_rank.py"]


# --- the fields themselves ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_field_has_a_description_and_a_label(name: str) -> None:
    info = Settings.model_fields[name]
    assert info.description and info.description == describe(name)
    assert info.title and label(name) == info.title


@pytest.mark.parametrize("name", NUMERIC)
def test_numeric_fields_have_both_bounds_a_step_and_a_default_inside(name: str) -> None:
    span = bounds(name)
    assert span.low is not None and span.high is not None
    assert settings_module.step(name)
    value = default(name)
    if value is not None:
        make_settings(**{name: value, **({"ctx": 131072} if name == "max_tokens" else {})})
    # Just outside each bound is refused, in one line naming the field.
    below = span.low if span.low_open else span.low - 1
    with pytest.raises(SettingsError, match=name):
        make_settings(**{name: below})
    with pytest.raises(SettingsError, match=name):
        make_settings(**{name: span.high + 1})


def test_range_text_and_bounds_read_pydantic_constraints() -> None:
    assert bounds("top_p").low == 0.0 and bounds("top_p").low_open and bounds("top_p").high == 1.0
    assert range_text("top_p") == "above 0, at most 1"
    assert range_text("max_tokens") == "1 to 8192"
    assert range_text("model") == ""
    assert value_type("threads_batch") is int and value_type("greedy") is bool


def test_widget_kwargs_keep_open_bounds_out_and_take_the_default() -> None:
    top_p = widget_kwargs("top_p")
    assert top_p["min_value"] == pytest.approx(0.05) and top_p["max_value"] == 1.0 and top_p["value"] == 0.95
    assert widget_kwargs("threads")["value"] == default("threads") >= 1
    assert widget_kwargs("max_tokens", value=16)["value"] == 16  # a caller's override wins


def test_a_new_field_gets_its_flag_and_widget_from_the_helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    """What issues adding settings (a backend, a server URL) rely on: a Literal becomes choices."""

    class Extended(Settings):
        backend: Literal["llama_cpp", "server"] = Field(
            "llama_cpp", title="Backend", description="where the model runs"
        )
        timeout_s: float = Field(
            30.0, ge=1.0, le=600.0, title="Timeout", description="seconds", json_schema_extra={"step": 1.0}
        )

    monkeypatch.setattr(settings_module, "Settings", Extended)
    kwargs = flag_kwargs("backend")
    assert kwargs["choices"] == ["llama_cpp", "server"] and kwargs["default"] is None
    assert "where the model runs (default llama_cpp)" == kwargs["help"]
    parser = argparse.ArgumentParser()
    add_flag(parser, "timeout_s")
    assert parser.parse_args(["--timeout-s", "12.5"]).timeout_s == 12.5
    assert widget_kwargs("timeout_s") == {
        "label": "Timeout",
        "min_value": 1.0,
        "max_value": 600.0,
        "value": 30.0,
        "help": "seconds",
        "step": 1.0,
    }


# --- the scripts' flags --------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_settings_flag_takes_help_type_and_default_from_its_field(script: str) -> None:
    actions = setting_actions(load_parser(script))
    assert actions, f"{script} sets no Settings field"
    for name, action in actions.items():
        assert flag_name(name) in action.option_strings, (script, name)
        assert action.help and action.help.startswith(describe(name)), (script, name, action.help)
        if (script, name) in OWN_DEFAULTS:
            assert f"default {action.default} here" in action.help, (script, name)
            continue
        assert action.default is None, (script, name)  # unset: Settings' own default applies
        if range_text(name):
            assert range_text(name) in action.help, (script, name)
        if (script, name) in LIST_FLAGS:
            assert action.type is None, (script, name)
        elif value_type(name) is not bool:
            assert action.type is value_type(name), (script, name)


def test_analyze_has_a_flag_for_every_run_field_and_its_defaults_are_settings_defaults() -> None:
    parser = load_parser("analyze.py")
    actions = setting_actions(parser)
    assert set(RUN_FIELDS) <= set(actions)
    args = parser.parse_args(["--cv", "cv.txt", "--job", "job.txt"])
    assert settings_from_args(args, greedy=args.temperature is None) == Settings()
    args = parser.parse_args(["--cv", "a", "--job", "b", "--repeat-penalty", "1.3", "--temperature", "0.9"])
    chosen = settings_from_args(args, greedy=args.temperature is None)
    assert (chosen.repeat_penalty, chosen.temperature, chosen.greedy) == (1.3, 0.9, False)


def test_benchmark_sweeps_default_to_the_settings_defaults() -> None:
    spec = importlib.util.spec_from_file_location("benchmark_script_settings", ROOT / "scripts" / "benchmark.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    args = module.build_parser().parse_args([])
    for name in ("threads", "gpu_layers", "batch", "ctx"):
        assert getattr(args, name) is None  # filled from Settings in _main, never retyped


# --- the app's widgets ---------------------------------------------------------------------------


def widgets_by_label(container: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for kind in ("number_input", "slider", "radio", "selectbox", "text_input", "checkbox"):
        for widget in getattr(container, kind):
            found[widget.label] = widget
    return found


def check_numeric_widget(widget: Any, name: str) -> None:
    expected = widget_kwargs(name)
    span = bounds(name)
    assert widget.help == describe(name), name
    assert widget.min == pytest.approx(expected["min_value"]) and widget.max == pytest.approx(expected["max_value"])
    assert widget.value == pytest.approx(default(name)), name
    # Inside the field's range, and reaching its ends (an excluded end: the nearest step).
    assert widget.max == pytest.approx(span.high)
    if span.low_open:
        assert span.low < widget.min <= span.low + settings_module.step(name)  # type: ignore[operator]
    else:
        assert widget.min == pytest.approx(span.low)


def test_sidebar_has_a_widget_for_every_run_field_bounded_by_its_field() -> None:
    app = AppTest.from_file(str(ROOT / "app" / "streamlit_app.py"), default_timeout=120)
    app.run()
    assert not app.exception
    widgets = widgets_by_label(app.sidebar)
    for name in RUN_FIELDS:
        assert label(name) in widgets, f"no sidebar widget for {name}"
        widget = widgets[label(name)]
        if name in NUMERIC:
            check_numeric_widget(widget, name)
        else:
            assert widget.help == describe(name), name
    assert widgets[label("model")].value == default("model")
    assert widgets[label("greedy")].index == (0 if default("greedy") else 1)


def test_sidebar_values_reach_the_engine_and_bad_combinations_are_one_line(fake_engine: FakeEngine) -> None:
    app = AppTest.from_file(str(ROOT / "app" / "streamlit_app.py"), default_timeout=120)
    app.run()
    widgets = widgets_by_label(app.sidebar)
    widgets[label("max_tokens")].set_value(8000)  # not below the context size: refused in one line
    app.run()
    # The app escapes Markdown in error text (app.formatting.escape_markdown): "max_tokens" shows as written.
    assert [element.value for element in app.sidebar.error] == [
        escape_markdown("invalid settings: settings: Value error, max_tokens (8000) must be smaller than ctx (4096)")
    ]
    widgets = widgets_by_label(app.sidebar)
    widgets[label("max_tokens")].set_value(64)
    widgets[label("repeat_penalty")].set_value(1.3)
    widgets[label("greedy")].set_value(widgets[label("greedy")].options[1])  # sampling
    app.run()
    widgets_by_label(app.sidebar)[label("temperature")].set_value(1.25)
    app.text_area[0].set_value(TINY_CV)
    app.text_area[1].set_value(TINY_JOB)
    next(button for button in app.button if button.label == "Analyze").click()
    app.run()
    assert not app.exception
    call = fake_engine.calls[-1]
    assert (call.decoding.repeat_penalty, call.decoding.greedy, call.decoding.temperature) == (1.3, False, 1.25)
    assert sum(each.max_tokens for each in fake_engine.calls) == 64  # shared out over the advice's sections


def test_benchmark_page_widgets_come_from_the_fields() -> None:
    app = AppTest.from_file(str(ROOT / "app" / "pages" / "benchmark.py"), default_timeout=120)
    app.run()
    assert not app.exception
    widgets = widgets_by_label(app)
    for name in ("batch", "ctx"):
        check_numeric_widget(widgets[label(name)], name)
    assert widgets[f"{label('threads')} (a list)"].value == str(default("threads"))
    assert widgets["GPU layers (a list)"].value == str(default("gpu_layers"))
    assert widgets["GPU layers (a list)"].help.startswith(describe("gpu_layers"))
