"""Failure paths of the pipeline, the CLI, the app and the study, with the fake engine (app/llm/fake.py).

A real model cannot be made to die mid-stream or to overflow on demand; the
fake engine can. The same paths with the real model are in test_cli.py,
test_app.py and test_experiments.py.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from app.analysis.documents import from_text
from app.analysis.plan import PLAN_SECTIONS
from app.analysis.scoring import VERDICTS
from app.errors import ContextOverflowError, ModelError
from app.llm.base import Decoding, GenerationMetrics, JsonEngine, ModelEngine
from app.llm.fake import FakeEngine
from app.pipeline import run_analysis
from app.report import STOPPED_WARNING
from app.settings import make_settings
from app.study import judge
from app.study.experiments import ModelSpec, load_pair_inputs, parse_configs, read_rows, run_experiments
from app.study.judge import read_judged, run_judge
from app.study.ratings import CRITERIA
from tests.helpers import METRIC_NAMES, TINY_CV, TINY_JOB

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
MODEL = "smollm2-135m-instruct"
SETTINGS = make_settings(max_tokens=32, ctx=2048, threads=1)


def tiny_pair() -> tuple[Any, Any]:
    return from_text(TINY_CV, "cv.txt"), from_text(TINY_JOB, "job.txt")


# --- the fake engine itself --------------------------------------------------------------------


def test_the_fake_satisfies_the_protocol_and_hands_out_replies_in_order() -> None:
    engine = FakeEngine().queue("first reply", ["se", "cond"])
    assert isinstance(engine, ModelEngine) and isinstance(engine, JsonEngine)
    decoding = Decoding()
    metrics = GenerationMetrics()
    assert list(engine.stream("a prompt", decoding=decoding, max_tokens=8, metrics=metrics)) == ["first ", "reply"]
    assert (metrics.prompt_tokens, metrics.generated_tokens, metrics.load_s) == (3, 2, engine.load_s)
    second = GenerationMetrics()
    assert "".join(engine.stream("a prompt again", decoding=decoding, max_tokens=8, metrics=second)) == "second"
    assert second.prompt_tokens_reused == 3 and second.load_s == 0.0  # the shared prefix; the load counted once
    assert "".join(engine.stream("x", decoding=decoding, max_tokens=1)) == "1. "  # the default reply, cut at 1 piece
    assert [call.prompt for call in engine.calls] == ["a prompt", "a prompt again", "x"]


def test_the_fake_stops_at_a_stop_string_and_overflows_like_the_real_engine() -> None:
    engine = FakeEngine(n_ctx_tokens=10).queue("keep this<|end|> not this")
    assert "".join(engine.stream("p", decoding=Decoding(), max_tokens=5, stop=["<|end|>"])) == "keep this"
    with pytest.raises(ContextOverflowError, match="raise --ctx or lower --max-tokens"):
        list(engine.stream("one two three four five six", decoding=Decoding(), max_tokens=5))


def test_stream_options_are_checked_and_their_defaults_filled() -> None:
    # One StreamOptions for every backend: a misspelt keyword is refused as a spelled-out signature would refuse it.
    engine = FakeEngine().queue("a b", "c d")
    with pytest.raises(TypeError, match="unexpected keyword arguments: stopp"):
        list(engine.stream("p", decoding=Decoding(), max_tokens=4, stopp=["x"]))
    assert engine.calls == []  # refused before anything ran
    queued: list[bool] = []
    with engine.lock:  # another call holds the model: on_queued is told once, then the call waits
        waiting = engine.stream("p", decoding=Decoding(), max_tokens=4, on_queued=lambda: queued.append(True))
        thread = threading.Thread(target=lambda: list(waiting))
        thread.start()
        thread.join(timeout=0.5)
        assert queued == [True] and thread.is_alive()
    thread.join(timeout=10)
    assert not thread.is_alive() and engine.calls[-1].stop == ()


# --- the pipeline ------------------------------------------------------------------------------


def test_a_report_with_the_fake_has_every_metric_and_the_model_info(fake_engine: FakeEngine) -> None:
    fake_engine.queue("Add your Python projects.")
    report = run_analysis(*tiny_pair(), SETTINGS)
    assert report.advice.startswith("1. Match:")  # our own opening sentence comes first
    # The model's first section is kept as written (and shown as the model's, or replaced by the plan's text).
    assert report.advice_sections[0].model_text.endswith("Add your Python projects.")
    assert set(METRIC_NAMES) <= set(report.to_dict()["metrics"])
    assert report.to_dict()["model"] == {
        "name": "fake-model",
        "file": "fake://fake-model",
        "quantization": None,
        "chat_format": "fake",
        "backend": "local",
        "server": None,
    }
    # One call per section, and the sections together stay within max_tokens.
    assert report.metrics["model_calls"] == len(fake_engine.calls) == len(PLAN_SECTIONS)
    assert sum(call.max_tokens for call in fake_engine.calls) == SETTINGS.max_tokens


def test_a_model_error_mid_stream_reaches_the_caller_after_the_pieces(fake_engine: FakeEngine) -> None:
    fake_engine.fail(ModelError("llama.cpp failed to decode; free some memory and try again."), after=["2. Add "])
    pieces: list[str] = []
    findings: list[Any] = []
    with pytest.raises(ModelError, match="failed to decode"):
        run_analysis(*tiny_pair(), SETTINGS, on_token=pieces.append, on_findings=findings.append)
    assert len(findings) == 1 and findings[0].analysis.verdict in VERDICTS  # given before any model work
    assert pieces[-1] == "2. Add "


def test_a_stop_keeps_the_advice_so_far_and_warns_once(fake_engine: FakeEngine) -> None:
    fake_engine.queue("one two three four five")
    asked: list[int] = []

    def stop_after_two() -> bool:
        asked.append(1)
        return len(asked) >= 2

    report = run_analysis(*tiny_pair(), SETTINGS, should_stop=stop_after_two)
    assert report.advice_sections[0].model_text.strip().endswith("one two")  # what the model wrote before the stop
    assert len(fake_engine.calls) == 1  # no section is started after a stop
    assert report.warnings.count(STOPPED_WARNING) == 1
    assert report.metrics["stopped_by_user"] is True


def test_a_context_too_small_for_the_answer_is_one_clear_error(fake_engine: FakeEngine) -> None:
    # The loaded context, smaller than the first section's prompt needs with its share of 512 new tokens.
    fake_engine.n_ctx_tokens = 200
    with pytest.raises(ContextOverflowError) as caught:
        run_analysis(*tiny_pair(), make_settings(max_tokens=512, ctx=2048))
    assert "\n" not in str(caught.value) and ("--ctx" in str(caught.value) or "--max-tokens" in str(caught.value))


# --- the CLI edge ------------------------------------------------------------------------------


def load_script(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"script_{name}", ROOT / "scripts" / name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_pair(tmp_path: Path) -> tuple[Path, Path]:
    cv, job = tmp_path / "cv.txt", tmp_path / "job.txt"
    cv.write_text(TINY_CV, encoding="utf-8")
    job.write_text(TINY_JOB, encoding="utf-8")
    return cv, job


def test_cli_turns_a_mid_stream_model_error_into_one_line(
    fake_engine: FakeEngine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_engine.fail(ModelError("the model stopped answering; try again."), after=["partial "])
    cv, job = write_pair(tmp_path)
    code = load_script("analyze.py").main(["--cv", str(cv), "--job", str(job)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == ["error: the model stopped answering; try again."]


def test_cli_bug_is_one_line_unless_debugging(
    fake_engine: FakeEngine, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_engine.fail(ZeroDivisionError("division by zero"))
    cv, job = write_pair(tmp_path)
    script = load_script("analyze.py")
    monkeypatch.delenv("CV_ENHANCER_DEBUG", raising=False)
    assert script.main(["--cv", str(cv), "--job", str(job), "--json"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("internal error: ZeroDivisionError: division by zero") and err.count("\n") == 1
    assert "CV_ENHANCER_DEBUG=1" in err  # how to see the traceback

    fake_engine.fail(ZeroDivisionError("division by zero"))
    monkeypatch.setenv("CV_ENHANCER_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        script.main(["--cv", str(cv), "--job", str(job), "--json"])


# --- the app ----------------------------------------------------------------------------------


def analyze_in_app(app: AppTest) -> None:
    app.text_area[0].set_value(TINY_CV)
    app.text_area[1].set_value(TINY_JOB)
    next(button for button in app.button if button.label == "Analyze").click()
    app.run()


def test_app_shows_the_findings_and_one_error_when_the_model_fails(fake_engine: FakeEngine) -> None:
    fake_engine.fail(ModelError("the model failed; pick a smaller context size."), after=["1. "])
    app = AppTest.from_file(str(ROOT / "app" / "streamlit_app.py"), default_timeout=120)
    app.run()
    analyze_in_app(app)
    assert not app.exception
    shown = [element.value for kind in (app.error, app.warning, app.success) for element in kind]
    assert shown.count("the model failed; pick a smaller context size.") == 1
    assert any(text.startswith("**Verdict:") for text in shown)  # the findings stay on the page
    assert app.dataframe  # and the requirements table


def test_app_streams_the_fake_advice_with_its_metrics(fake_engine: FakeEngine) -> None:
    fake_engine.queue("Learn Python basics first.")
    app = AppTest.from_file(str(ROOT / "app" / "streamlit_app.py"), default_timeout=120)
    app.run()
    analyze_in_app(app)
    assert not app.exception
    page = "\n".join(element.value for element in app.markdown)
    assert "Learn Python basics first." in page
    assert "Generation speed: **—**" not in page and "Time to first token" in page
    assert not app.error


# --- the study ---------------------------------------------------------------------------------


def pairs_with_an_unreadable_cv(tmp_path: Path) -> Path:
    """Three pairs; the middle one's CV is binary junk and its language is not given."""
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"\x00\x01\x02binary\x00" * 40)
    pairs = json.loads((FIXTURES / "pairs_small.json").read_text(encoding="utf-8"))["pairs"]
    for pair in pairs:
        for key in ("cv", "job"):
            pair[key] = str((FIXTURES / pair[key]).resolve())
    pairs[1]["cv"] = str(binary)
    del pairs[1]["lang"]
    path = tmp_path / "pairs.json"
    path.write_text(json.dumps({"pairs": pairs}), encoding="utf-8")
    return path


def test_an_unreadable_cv_mid_run_is_recorded_and_the_run_goes_on(fake_engine: FakeEngine, tmp_path: Path) -> None:
    warnings: list[str] = []
    errors: list[str] = []
    pairs = load_pair_inputs(pairs_with_an_unreadable_cv(tmp_path), on_warning=warnings.append)
    out = tmp_path / "run.jsonl"

    summary = run_experiments(
        pairs, [ModelSpec(MODEL, MODEL)], parse_configs("greedy"), out, base={"max_tokens": 16}, on_error=errors.append
    )

    assert (summary.written, summary.failed) == (2, 1)
    rows = read_rows(out)
    assert [row["report"] is None for row in rows] == [False, True, False]
    failed = rows[1]
    assert "scan.txt" in failed["error"] and "binary" in failed["error"] and failed["lang"] is None
    assert len(warnings) == 1 and "fixture-chef-ml" in warnings[0]
    assert len(errors) == 1 and errors[0].startswith("fixture-chef-ml|")
    # No model work for the pair that could not be read: every call belongs to the two written rows.
    assert len(fake_engine.calls) == sum(rows[i]["report"]["metrics"]["model_calls"] for i in (0, 2)) > 0


def test_a_model_failure_on_a_pair_without_a_language_is_a_failed_row(fake_engine: FakeEngine, tmp_path: Path) -> None:
    """The bug mypy found: a failed row's report is None, and the language was read from it."""
    pairs_file = pairs_with_an_unreadable_cv(tmp_path)
    data = json.loads(pairs_file.read_text(encoding="utf-8"))
    data["pairs"][1]["cv"] = str((FIXTURES / "pastry_chef_cv.txt").resolve())  # readable now; still no lang
    pairs_file.write_text(json.dumps(data), encoding="utf-8")
    # The first pair writes one section per call; the second pair's first call fails.
    fake_engine.queue(*["fine"] * len(PLAN_SECTIONS)).fail(ContextOverflowError("does not fit; raise --ctx."))
    out = tmp_path / "run.jsonl"

    summary = run_experiments(
        load_pair_inputs(pairs_file), [ModelSpec(MODEL, MODEL)], parse_configs("greedy"), out, base={}
    )

    assert (summary.written, summary.failed) == (2, 1)
    failed = read_rows(out)[1]
    assert (failed["report"], failed["error"], failed["lang"]) == (None, "does not fit; raise --ctx.", None)
    assert failed["pair_id"] == "fixture-chef-ml" and failed["expected_verdict"] == "not_a_fit"


def test_run_experiments_script_exits_2_naming_the_failed_row(
    fake_engine: FakeEngine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs_file = pairs_with_an_unreadable_cv(tmp_path)
    out = tmp_path / "run.jsonl"
    code = load_script("run_experiments.py").main(
        ["--pairs", str(pairs_file), "--models", MODEL, "--out", str(out), "--no-progress", "--max-tokens", "16"]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert "2 rows written, 0 skipped (already done), 1 failed, of 3" in captured.out
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    assert captured.err.strip().splitlines()[-1].startswith("error: 1 rows failed")


def judge_rows(tmp_path: Path) -> tuple[list[dict[str, Any]], dict[str, tuple[str, str]]]:
    rows = [
        {"id": f"p{n}|m|greedy", "pair_id": f"p{n}", "report": {"language": "en", "advice": "Add Python."}}
        for n in range(3)
    ]
    return rows, {f"p{n}": (TINY_CV, TINY_JOB) for n in range(3)}


def test_the_judge_records_what_it_can_and_names_what_failed(tmp_path: Path) -> None:
    scores = dict.fromkeys(CRITERIA, 3)
    engine = (
        FakeEngine()
        .queue(scores)
        .fail(ModelError("the judge's answer was cut off; raise the token limit."))
        .queue(scores)
    )
    rows, texts = judge_rows(tmp_path)
    out, errors = tmp_path / "run.judge.jsonl", []

    judged, skipped = run_judge(engine, "fake-judge", rows, texts, out, on_error=errors.append)

    assert (judged, skipped) == (2, 0)
    assert [item["id"] for item in read_judged(out)] == ["p0|m|greedy", "p2|m|greedy"]
    assert errors == ["p1|m|greedy: the judge's answer was cut off; raise the token limit."]
    # Resuming judges only the one that failed.
    engine.queue(scores)
    assert run_judge(engine, "fake-judge", rows, texts, out) == (1, 2)


def test_the_judge_analyses_once_however_often_it_shrinks_the_texts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real_analyze = judge.analyze

    def counting(cv_text: str, job_text: str) -> Any:
        calls.append(1)
        return real_analyze(cv_text, job_text)

    monkeypatch.setattr(judge, "analyze", counting)
    long_cv = (FIXTURES / "strong_cv.txt").read_text(encoding="utf-8") * 3
    job = (FIXTURES / "strong_job.txt").read_text(encoding="utf-8")
    engine = FakeEngine(n_ctx_tokens=1600)
    messages = judge.fitted_messages(engine, "Add Python.", long_cv, job, "en", 128)
    assert "[…]" in messages[1]["content"]  # it did shrink, more than once for a CV three times too long
    assert len(calls) == 1
