"""Tests for scripts/analyze.py (as a subprocess) and app.pipeline.run_analysis (in process), real model.

Generations are a dozen tokens; the two LLM runs of the CLI are module-scoped
and shared by several tests.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.analysis.documents import Document, from_text, read_document
from app.analysis.plan import PLAN_SECTIONS
from app.analysis.scoring import SCORE_VERSION, analyze
from app.errors import ContextOverflowError
from app.llm.engine import gpu_offload_supported, release_engine
from app.llm.prompting import answer_start
from app.llm.writing import AdviceSection, advice_text
from app.pipeline import build_advice_prompt, load_engine, run_analysis
from app.report import VERDICT_TEXT
from app.settings import Settings
from tests.helpers import METRIC_NAMES, TINY_CV, TINY_JOB, run_script

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SCRIPT = ROOT / "scripts" / "analyze.py"
CHEF_CV = FIXTURES / "pastry_chef_cv.txt"
ML_JOB = FIXTURES / "ml_engineer_job.txt"


def run_cli(*args: str | Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return run_script("analyze.py", *args, timeout=timeout)


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].strip()
    assert lines[0].startswith("error: ")


# --- --json --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def llm_json() -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    result = run_cli(
        "--json", "--cv", CHEF_CV, "--job", ML_JOB, "--max-tokens", "16", "--ctx", "4096", "--threads", "2"
    )
    assert result.returncode == 0, result.stderr
    return result, json.loads(result.stdout)


@pytest.fixture(scope="module")
def no_llm_json() -> tuple[subprocess.CompletedProcess[str], dict[str, Any], float]:
    started = time.perf_counter()
    result = run_cli("--no-llm", "--json", "--cv", CHEF_CV, "--job", ML_JOB)
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    return result, json.loads(result.stdout), elapsed


def test_json_stdout_is_exactly_one_object(llm_json: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    result, report = llm_json

    assert isinstance(report, dict)
    assert result.stdout.lstrip().startswith("{") and result.stdout.rstrip().endswith("}")
    assert "Traceback" not in result.stderr


def test_json_report_has_the_documented_keys(llm_json: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    _, report = llm_json

    for key in ("verdict", "score", "score_version", "language", "knockouts", "sections", "missing_sections"):
        assert key in report
    for key in ("requirements", "advice", "warnings", "model", "settings", "metrics"):
        assert key in report
    assert report["verdict"] == "not_a_fit"
    assert isinstance(report["score"], int) and 0 <= report["score"] <= 100
    assert report["score_version"] == SCORE_VERSION
    assert report["language"] == "en"
    assert isinstance(report["warnings"], list)
    assert report["sections"]
    for section in report["sections"].values():
        assert isinstance(section["present"], bool)
        assert "evidence" in section
    assert report["inputs"] == {"cv": "pastry_chef_cv.txt", "job": "ml_engineer_job.txt"}


def test_json_requirements_show_the_missing_must_haves(
    llm_json: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    _, report = llm_json
    requirements = report["requirements"]

    assert requirements
    for requirement in requirements:
        assert set(requirement) == {"text", "kind", "must", "status", "coverage", "evidence", "missing"}
        assert requirement["status"] in ("met", "partial", "missing")
        assert isinstance(requirement["must"], bool)
    missing_musts = [r for r in requirements if r["must"] and r["status"] == "missing"]
    assert len(missing_musts) >= 5
    assert any("Python" in r["text"] for r in missing_musts)
    assert any("PyTorch" in r["text"] for r in missing_musts)


def test_json_advice_has_the_plan_and_seven_checked_sections(
    llm_json: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    _, report = llm_json

    assert report["advice"].startswith("1. Match: ")
    assert f"{report['score']}/100" in report["advice"].split("\n\n")[0]
    assert [row["section"] for row in report["advice_sections"]] == list(PLAN_SECTIONS)
    for row in report["advice_sections"]:
        assert set(row) == {"section", "heading", "text", "source", "problems", "model_text"}
        assert row["source"] in ("model", "plan")
        assert (row["source"] == "plan") == bool(row["problems"])  # a replaced section says why
        assert isinstance(row["model_text"], str)  # what the model wrote is kept, even when replaced
    assert sum(report["advice_sources"].values()) == 7
    assert {row["section"] for row in report["plan"]} == set(PLAN_SECTIONS)
    assert all(
        set(row) == {"section", "kind", "action", "requirement", "evidence", "priority"} for row in report["plan"]
    )


def test_json_model_settings_and_metrics(llm_json: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    _, report = llm_json

    model = report["model"]
    assert set(model) == {"name", "file", "quantization", "chat_format", "backend", "server"}
    assert model["backend"] == "local" and model["server"] is None  # the model ran in this process
    assert model["name"] == "smollm2-135m-instruct"
    assert model["file"].endswith(".gguf") and Path(model["file"]).is_file()
    assert model["quantization"] == "Q4_1"
    assert isinstance(model["chat_format"], str) and model["chat_format"]

    settings = report["settings"]
    assert settings["max_tokens"] == 16 and settings["ctx"] == 4096 and settings["threads"] == 2
    assert settings["greedy"] is True and settings["use_llm"] is True

    metrics = report["metrics"]
    for name in METRIC_NAMES:
        assert name in metrics, name
    assert metrics["prompt_tokens"] > 0
    assert 1 <= metrics["generated_tokens"] <= 16
    assert metrics["ttft_s"] > 0 and metrics["gen_tokens_per_s"] > 0
    assert metrics["load_s"] > 0  # the first call of this process loaded the model
    assert metrics["model_calls"] == 7  # one per section
    # The first call evaluates its whole prompt; later ones reuse the shared system prompt from the cache.
    assert 0 < metrics["first_prompt_tokens"] < metrics["prompt_tokens"]
    assert 0 < metrics["prompt_tokens_reused"] < metrics["prompt_tokens"]
    assert 90 <= metrics["model_size_mb"] <= 100
    assert metrics["gpu_layers"] == 0
    assert isinstance(metrics["gpu_offload_supported"], bool)
    assert metrics["stopped_by_user"] is False


def test_no_llm_is_the_deterministic_report_alone(
    llm_json: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
    no_llm_json: tuple[subprocess.CompletedProcess[str], dict[str, Any], float],
) -> None:
    _, with_llm = llm_json
    _, report, elapsed = no_llm_json

    assert report["model"] is None
    assert report["advice"] == "" and report["advice_sections"] == []
    assert report["plan"] == with_llm["plan"]  # the plan needs no model
    assert report["settings"]["use_llm"] is False
    assert "prompt_tokens" not in report["metrics"]  # no model call happened
    assert elapsed < 30
    for key in ("verdict", "score", "score_version", "language", "sections", "requirements", "knockouts"):
        assert report[key] == with_llm[key], key


# --- readable report ---------------------------------------------------------------------------


def test_readable_report_shows_the_verdict_then_streams_the_advice(tmp_path: Path) -> None:
    cv, job = tmp_path / "cv.txt", tmp_path / "job.md"
    cv.write_text(TINY_CV, encoding="utf-8")
    job.write_text(TINY_JOB, encoding="utf-8")
    analysis = analyze(TINY_CV, TINY_JOB)

    result = run_cli("--cv", cv, "--job", job, "--max-tokens", "16", "--ctx", "4096", "--threads", "2")

    assert result.returncode == 0, result.stderr
    out = result.stdout
    verdict_line = f"## Verdict: {VERDICT_TEXT[analysis.verdict]} — score {analysis.score}/100"
    assert verdict_line in out
    assert "### Advice" in out
    assert out.index(verdict_line) < out.index("### Requirements") < out.index("### Plan") < out.index("### Advice")
    advice = out[out.index("### Advice") :]  # the plan above has the same numbered headings
    headings = [advice.index(f"**{number}. ") for number in range(1, 8)]
    assert headings == sorted(headings)
    assert "sections written by the model and checked" in out
    assert "_Model: smollm2-135m-instruct" in out
    assert "Traceback" not in result.stderr


def test_readable_report_without_the_model_has_no_advice_heading() -> None:
    result = run_cli("--no-llm", "--cv", CHEF_CV, "--job", ML_JOB)

    assert result.returncode == 0, result.stderr
    assert "## Verdict: not a fit — score" in result.stdout
    assert "### Advice" not in result.stdout
    assert "_Model:" not in result.stdout


# --- bad inputs ------------------------------------------------------------------------------------


def _bad_input_args(case: str, tmp_path: Path) -> list[str | Path]:
    empty = tmp_path / "empty_job.txt"
    empty.write_text("", encoding="utf-8")
    binary = tmp_path / "binary_cv.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    rtf = tmp_path / "cv.rtf"
    rtf.write_text("{\\rtf1 Jane Roe, baker}", encoding="utf-8")
    base: list[str | Path] = ["--cv", CHEF_CV, "--job", ML_JOB]
    cases: dict[str, list[str | Path]] = {
        "missing-cv-file": ["--cv", tmp_path / "no_such_cv.txt", "--job", ML_JOB],
        "empty-job-file": ["--cv", CHEF_CV, "--job", empty],
        "binary-txt": ["--cv", binary, "--job", ML_JOB],
        "unsupported-suffix": ["--cv", rtf, "--job", ML_JOB],
        "temperature-5": [*base, "--temperature", "5"],
        "max-tokens-0": [*base, "--max-tokens", "0"],
        "max-tokens-over-ctx": [*base, "--max-tokens", "5000", "--ctx", "4096"],
        "ctx-too-small": [*base, "--ctx", "100"],
        "missing-job-argument": ["--cv", CHEF_CV],
        "not-a-number": [*base, "--max-tokens", "many"],
        "unknown-chat-format": [*base, "--chat-format", "no-such-format", "--max-tokens", "8"],
    }
    return cases[case]


@pytest.mark.parametrize(
    ("case", "named"),
    [
        ("missing-cv-file", "no_such_cv.txt"),
        ("empty-job-file", "empty_job.txt"),
        ("binary-txt", "binary_cv.txt"),
        ("unsupported-suffix", ".rtf"),
        ("temperature-5", "temperature"),
        ("max-tokens-0", "max_tokens"),
        ("max-tokens-over-ctx", "max_tokens (5000) must be smaller than ctx (4096)"),
        ("ctx-too-small", "ctx"),
        ("missing-job-argument", "--job"),
        ("not-a-number", "--max-tokens"),
        ("unknown-chat-format", "no-such-format"),
    ],
)
def test_bad_input_exits_2_with_one_line(case: str, named: str, tmp_path: Path) -> None:
    result = run_cli(*_bad_input_args(case, tmp_path), "--json")

    assert result.returncode == 2, (result.returncode, result.stderr)
    assert_one_line_error(result)
    assert named in result.stderr  # the line says what is wrong
    assert result.stdout == ""


def test_gpu_layers_on_a_cpu_only_build_exits_2_naming_cmake_args() -> None:
    result = run_cli("--cv", CHEF_CV, "--job", ML_JOB, "--gpu-layers", "1", "--max-tokens", "8", "--json")

    if gpu_offload_supported():  # a GPU build offloads the layer and reports it
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["metrics"]["gpu_layers"] == 1
        return
    assert result.returncode == 2
    assert_one_line_error(result)
    assert "CMAKE_ARGS" in result.stderr


def _model_args(case: str, tmp_path: Path) -> list[str]:
    return ["--model", "nosuchmodel"] if case == "unknown-name" else ["--model", str(tmp_path / "none.gguf")]


@pytest.mark.parametrize("case", ["unknown-name", "missing-gguf-path"])
def test_unknown_model_exits_2_with_one_line(case: str, tmp_path: Path) -> None:
    # The README: "an unknown model ... gets one line on stderr saying what to do, and exit code 2".
    result = run_cli("--cv", CHEF_CV, "--job", ML_JOB, *_model_args(case, tmp_path), "--json")

    assert result.returncode == 2, (result.returncode, result.stderr)
    assert_one_line_error(result)
    assert "smollm2-135m-instruct" in result.stderr  # says which names exist
    assert result.stdout == ""


def test_a_garbage_gguf_exits_2_with_one_line(tmp_path: Path) -> None:
    garbage = tmp_path / "x.gguf"
    garbage.write_bytes(b"not a model\x00" * 100)
    result = run_cli("--cv", CHEF_CV, "--job", ML_JOB, "--model", garbage, "--json")

    assert result.returncode == 2, (result.returncode, result.stderr)
    assert_one_line_error(result)
    assert "x.gguf" in result.stderr
    assert result.stdout == ""


# --- run_analysis in process -------------------------------------------------------------------------

SETTINGS = Settings(max_tokens=12, ctx=4096, threads=2)


@pytest.fixture(scope="session")
def pipeline_session() -> Iterator[None]:
    yield
    release_engine()


def fixture_doc(name: str) -> Document:
    return read_document(FIXTURES / name)


def strong_pair() -> tuple[Document, Document]:
    # The pair the reuse test starts with: run first, it leaves the KV cache warm for that test.
    return fixture_doc("strong_cv.txt"), fixture_doc("strong_job.txt")


def small_pair() -> tuple[Document, Document]:
    return from_text(TINY_CV, "cv.txt"), from_text(TINY_JOB, "job.txt")


def test_sections_arrive_checked_and_in_order_while_drafts_stream(pipeline_session: None) -> None:
    cv, job = strong_pair()
    pieces: list[str] = []
    sections: list[AdviceSection] = []
    seen_metrics: list[int] = []
    findings_seen_before_tokens: list[bool] = []

    report = run_analysis(
        cv,
        job,
        SETTINGS,
        on_findings=lambda early: findings_seen_before_tokens.append(not pieces and early.advice == ""),
        on_token=pieces.append,
        on_section=sections.append,
        on_metrics=lambda m: seen_metrics.append(m.generated_tokens),
    )

    assert findings_seen_before_tokens == [True]  # once, before any advice
    assert [section.section for section in sections] == list(PLAN_SECTIONS)
    assert report.advice_sections == sections
    assert report.advice == advice_text(sections)
    assert pieces[0] == answer_start(report.analysis)  # the draft opens with our sentence
    draft = "".join(pieces)
    for section in sections:
        body = section.model_text.split(":", 1)[-1].strip() if section.section != "match" else ""
        assert body in draft  # every section's text came from the stream
        if section.source == "plan":
            assert section.problems and section.text == report.plan.section_text(section.section)
    assert report.model is not None and report.model.name == "smollm2-135m-instruct"
    assert 1 <= report.metrics["generated_tokens"] <= 12
    assert seen_metrics  # the live metrics were handed out during the stream
    assert report.metrics["stopped_by_user"] is False
    assert not any("stopped" in warning for warning in report.warnings)


def test_should_stop_ends_the_model_and_the_plan_fills_the_rest(pipeline_session: None) -> None:
    cv, job = strong_pair()
    checks = 0

    def stop_after_first_piece() -> bool:
        nonlocal checks
        checks += 1
        return True  # asked after each generated piece: the first one is the last

    report = run_analysis(cv, job, SETTINGS, should_stop=stop_after_first_piece)

    assert checks == 1
    assert report.metrics["stopped_by_user"] is True
    assert report.metrics["generated_tokens"] == 1
    assert [section.section for section in report.advice_sections] == list(PLAN_SECTIONS)
    assert all(section.source == "plan" for section in report.advice_sections)  # nothing unchecked is shown
    assert any("stopped" in warning for warning in report.warnings)
    assert report.to_dict()["advice"] == report.advice == advice_text(report.advice_sections)


def test_a_second_job_for_the_same_cv_reuses_the_cached_system_prompt(pipeline_session: None) -> None:
    cv, strong_job = strong_pair()
    first = run_analysis(cv, strong_job, SETTINGS)
    second = run_analysis(cv, fixture_doc("other_ml_job.txt"), SETTINGS)

    assert first.metrics["prompt_tokens"] > 0
    assert 0 < second.metrics["prompt_tokens_reused"] < second.metrics["prompt_tokens"]
    assert second.metrics["load_s"] == 0


@pytest.mark.parametrize("mode", ["sections", "whole"])
def test_the_advice_prompt_plus_new_tokens_fits_the_context(pipeline_session: None, mode: str) -> None:
    cv, job = strong_pair()
    engine = load_engine(SETTINGS)
    analysis = analyze(cv.text, job.text)
    # Nearly the whole context for new tokens: the plan must be cut to fit, or refused in one line.
    settings = Settings(max_tokens=SETTINGS.ctx - 150, ctx=SETTINGS.ctx, threads=2, advice_mode=mode)

    try:
        prompt = build_advice_prompt(engine, analysis, cv.text, job.text, settings)
    except ContextOverflowError as error:
        assert "\n" not in str(error)
        return
    new_tokens = settings.max_tokens // 7 if mode == "sections" else settings.max_tokens
    assert len(engine.tokenize(prompt.text)) + new_tokens <= engine.n_ctx
    if mode == "whole":
        assert any("left out of the model's prompt" in warning for warning in prompt.warnings)
