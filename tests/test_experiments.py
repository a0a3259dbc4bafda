"""The study's experiments: batch runs, resume, human ratings, the results table, automatic metrics, LLM judge.

The real embedded model runs a 3-pair file (tests/fixtures/pairs_small.json)
with two configs and 12 new tokens, once for the whole module; a second run
must redo nothing. The metrics are checked by hand on constructed rows.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from app import pipeline
from app.analysis.scoring import analyze
from app.errors import ContextOverflowError, InputError, SettingsError
from app.study import evaluation, experiments
from app.study.evaluation import (
    Results,
    automatic_table,
    check_answer,
    confusion_matrix,
    evaluate,
    human_table,
    sections_covered,
)
from app.study.evaluation_report import to_csv, to_markdown
from app.study.experiments import (
    ModelSpec,
    load_pair_inputs,
    parse_config,
    parse_configs,
    read_rows,
    row_id,
    row_texts,
    run_experiments,
)
from app.study.judge import JUDGE_SCHEMA, read_judged
from app.study.ratings import (
    CRITERIA,
    blind_order,
    blind_view,
    load_criteria,
    load_ratings,
    next_unrated,
    progress,
    save_rating,
)
from app.study.stats import average_ranks, krippendorff_alpha_interval, percentile, spearman
from tests.helpers import run_script

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "fixtures" / "pairs_small.json"
MODEL = "smollm2-135m-instruct"
PAGE = str(ROOT / "app" / "pages" / "evaluate.py")
REPORT_KEYS = ("verdict", "score", "advice", "warnings", "settings", "metrics", "requirements", "model")
CRITERIA_HEADERS = ["adequacy", "reliability", "usefulness", "honesty", "linguistic correctness", "coherence"]


def run_experiment_script(name: str, *args: str | Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return run_script(name, *args, timeout=timeout)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


# One thread: llama.cpp's threads wait for each other at every step, which costs far more than a second
# core gains when the two shared cores are busy with other work.
RUN_ARGS = (
    "--pairs",
    PAIRS,
    "--models",
    MODEL,
    "--configs",
    "greedy,sample@1.0",
    "--max-tokens",
    "12",
    "--threads",
    "1",
)


@pytest.fixture(scope="module")
def run_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One real run: 3 pairs x 1 model x 2 configs, 12 tokens each."""
    out = tmp_path_factory.mktemp("runs") / "study.jsonl"
    result = run_experiment_script("run_experiments.py", *RUN_ARGS, "--out", out)
    assert result.returncode == 0, result.stderr
    return out, result


# --- the run -------------------------------------------------------------------------------


def test_run_writes_one_row_per_pair_and_config_with_the_full_report(
    run_file: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    path, result = run_file
    rows = read_rows(path)

    assert len(rows) == 3 * 2
    assert "6 rows written, 0 skipped" in result.stdout
    # Model-outer, pair-middle, config-inner: a pair's configs back to back.
    assert [row["id"] for row in rows] == [
        row_id(pair, MODEL, config)
        for pair in ("fixture-strong", "fixture-chef-ml", "fixture-example")
        for config in ("greedy", "sample@1.0")
    ]
    for row in rows:
        assert {"pair_id", "label", "model", "config"} <= row.keys()
        for key in REPORT_KEYS:
            assert key in row["report"], key
        # Our opening sentence, or the plan's own where the model's section failed its checks.
        assert row["report"]["advice"].lower().startswith("1. match: your cv is")
        assert 1 <= row["report"]["metrics"]["generated_tokens"] <= 12
        assert row["report"]["settings"]["max_tokens"] == 12
    by_pair = {row["pair_id"]: row for row in rows}
    assert (by_pair["fixture-strong"]["label"], by_pair["fixture-strong"]["report"]["verdict"]) == (
        "high",
        "strong_fit",
    )
    assert by_pair["fixture-chef-ml"]["report"]["verdict"] == "not_a_fit"
    assert by_pair["fixture-example"]["report"]["verdict"] == "strong_fit"
    assert by_pair["fixture-chef-ml"]["note"].startswith("A pastry chef")
    assert by_pair["fixture-strong"]["human_reason"].startswith("Every must-have")
    greedy, sample = rows[0]["report"]["settings"], rows[1]["report"]["settings"]
    assert greedy["greedy"] is True
    assert (sample["greedy"], sample["temperature"], sample["top_p"], sample["seed"]) == (False, 1.0, 0.95, 42)
    # The second config of a pair reuses cached prompt tokens (the shared system prompt of every section at least).
    for first, second in zip(rows[::2], rows[1::2], strict=True):
        metrics = second["report"]["metrics"]
        assert metrics["prompt_tokens"] == first["report"]["metrics"]["prompt_tokens"]
        assert metrics["prompt_tokens_reused"] > 0
    # The progress bar with its ETA.
    assert "6/6" in result.stderr and "100%" in result.stderr and "<" in result.stderr


def test_running_again_redoes_nothing(run_file: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    path, _ = run_file
    before = path.read_text(encoding="utf-8")

    result = run_experiment_script("run_experiments.py", *RUN_ARGS, "--out", path)

    assert result.returncode == 0, result.stderr
    assert "0 rows written, 6 skipped (already done)" in result.stdout
    assert path.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--pairs", "no/such/pairs.json", "--models", MODEL), "no such pairs file"),
        (("--pairs", PAIRS, "--models", "no-such-model"), "unknown model 'no-such-model'"),
        (("--pairs", PAIRS, "--models", MODEL, "--configs", "greedy,warm@1"), "bad config 'warm@1'"),
        (("--pairs", PAIRS, "--models", MODEL, "--configs", "sample@3"), "temperature"),
        (("--pairs", PAIRS, "--models", MODEL, "--max-tokens", "9000"), "max_tokens"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: tuple[str | Path, ...], fragment: str, tmp_path: Path) -> None:
    result = run_experiment_script("run_experiments.py", *args, "--out", tmp_path / "x.jsonl")

    assert_one_line_error(result, fragment)
    assert not (tmp_path / "x.jsonl").exists()


def test_config_strings() -> None:
    assert parse_config("greedy").greedy
    config = parse_config("sample@1")
    assert (config.name, config.temperature, config.top_p, config.seed) == ("sample@1.0", 1.0, 0.95, 42)
    assert parse_config("sample@1.25:p0.9").name == "sample@1.25:p0.9"
    assert parse_config("sample@0.7:p0.95:s7").name == "sample@0.7:s7"
    assert [c.name for c in parse_configs("greedy, sample@1.0,sample@1")] == ["greedy", "sample@1.0"]
    for bad in ("sample", "sample@", "sample@x", "sample@0", "sample@1:p2", "sample@1:q3", "beam@2"):
        with pytest.raises(SettingsError):
            parse_config(bad)


def fake_report(cv: Any, job: Any, settings: Any) -> SimpleNamespace:
    report = {"verdict": "partial_fit", "score": 50, "advice": f"{cv.name} {settings.greedy}", "metrics": {}}
    return SimpleNamespace(to_dict=lambda: report)


def test_resume_redoes_only_the_missing_rows_and_drops_a_torn_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, bool]] = []

    def counting(cv: Any, job: Any, settings: Any, **_: Any) -> SimpleNamespace:
        calls.append((cv.name, settings.greedy))
        return fake_report(cv, job, settings)

    monkeypatch.setattr(experiments, "run_analysis", counting)
    monkeypatch.setattr(pipeline, "load_engine", lambda settings: None)
    pairs = load_pair_inputs(PAIRS)
    models = [ModelSpec("a", MODEL), ModelSpec("b", MODEL)]
    configs = parse_configs("greedy,sample@1.0")
    out = tmp_path / "run.jsonl"

    first = run_experiments(pairs, models, configs, out, base={"max_tokens": 8})
    assert (first.written, first.skipped) == (12, 0)
    ids = [row["id"] for row in read_rows(out)]
    assert ids[:4] == [
        "fixture-strong|a|greedy",
        "fixture-strong|a|sample@1.0",
        "fixture-chef-ml|a|greedy",
        "fixture-chef-ml|a|sample@1.0",
    ]
    assert ids[6].endswith("|b|greedy")

    # A crash mid-write: three rows gone, half a line left behind.
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    out.write_text("".join(lines[:9]) + lines[9][:25], encoding="utf-8")
    assert len(read_rows(out)) == 9
    calls.clear()

    second = run_experiments(pairs, models, configs, out, base={"max_tokens": 8})

    assert (second.written, second.skipped) == (3, 9)
    assert len(calls) == 3
    assert sorted(row["id"] for row in read_rows(out)) == sorted(ids)


def test_a_failed_row_is_recorded_retried_and_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    failing = {"fixture-chef-ml"}

    def sometimes_failing(cv: Any, job: Any, settings: Any, **_: Any) -> SimpleNamespace:
        if cv.name == "pastry_chef_cv.txt" and "fixture-chef-ml" in failing:
            raise ContextOverflowError("the CV and job do not fit the model's context window; raise --ctx.")
        return fake_report(cv, job, settings)

    monkeypatch.setattr(experiments, "run_analysis", sometimes_failing)
    monkeypatch.setattr(pipeline, "load_engine", lambda settings: None)
    pairs, models, configs = load_pair_inputs(PAIRS), [ModelSpec("a", MODEL)], parse_configs("greedy")
    out, errors = tmp_path / "run.jsonl", []

    first = run_experiments(pairs, models, configs, out, base={}, on_error=errors.append)

    assert (first.written, first.failed) == (2, 1) and "raise --ctx" in errors[0]
    rows = read_rows(out)
    assert [row["report"] is None for row in rows] == [False, True, False]
    assert rows[1]["error"].startswith("the CV and job do not fit")
    texts = dict.fromkeys(("fixture-strong", "fixture-chef-ml", "fixture-example"), (CV, JOB))
    text = to_markdown(evaluate("run.jsonl", rows, [], texts))
    assert "2 answers, 3 pairs" in text and "1 failed" in text
    assert "## Failed rows" in text and "fixture-chef-ml|a|greedy: the CV and job do not fit" in text

    failing.clear()
    second = run_experiments(pairs, models, configs, out, base={})

    assert (second.written, second.skipped, second.failed) == (1, 2, 0)
    rows = read_rows(out)
    assert len(rows) == 3 and all(row["report"] is not None for row in rows)  # the retry's line wins
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4


def test_duplicate_pair_ids_get_their_own_rows(tmp_path: Path) -> None:
    data = json.loads(PAIRS.read_text(encoding="utf-8"))
    data["pairs"].append({**data["pairs"][0], "human_score_of_10": 7})
    for pair in data["pairs"]:
        for key in ("cv", "job"):
            pair[key] = str((PAIRS.parent / pair[key]).resolve())
    path = tmp_path / "pairs.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    warnings: list[str] = []

    pairs = load_pair_inputs(path, on_warning=warnings.append)

    assert [item.pair.id for item in pairs][-1] == "fixture-strong~2"
    assert pairs[-1].pair.human_score_of_10 == 7
    assert len(warnings) == 1 and "appears more than once" in warnings[0]
    assert len(load_pair_inputs(path, limit=2)) == 2


# --- human ratings -------------------------------------------------------------------------


def test_ratings_are_stored_per_rater_blind_and_resumable(
    run_file: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    run = tmp_path / "study.jsonl"
    shutil.copy(run_file[0], run)
    db = tmp_path / "ratings.sqlite"
    ids = [row["id"] for row in read_rows(run)]

    order_a, order_b = blind_order(ids, "Alice", run), blind_order(ids, "Bob", run)
    assert sorted(order_a) == sorted(ids) and order_a != order_b
    assert blind_order(ids, "Alice", run) == order_a  # the same order in every session
    first = next_unrated(db, run, ids, "Alice")
    assert first == order_a[0]

    save_rating(db, run, first, "Alice", dict.fromkeys(CRITERIA, 4), "fine")
    assert progress(db, run, ids, "Alice") == (1, 6)
    assert progress(db, run, ids, "Bob") == (0, 6)
    assert next_unrated(db, run, ids, "Alice") == order_a[1]
    save_rating(db, run, first, " Alice ", dict.fromkeys(CRITERIA, 2))  # a second save replaces the first
    stored = load_ratings(db, run)
    assert len(stored) == 1 and stored[0]["adequacy"] == 2 and stored[0]["run_file"] == "study.jsonl"

    with pytest.raises(InputError, match="0 to 5"):
        save_rating(db, run, first, "Bob", {**dict.fromkeys(CRITERIA, 3), "honesty": 6})
    with pytest.raises(InputError, match="missing"):
        save_rating(db, run, first, "Bob", {"adequacy": 3})
    with pytest.raises(InputError, match="name"):
        save_rating(db, run, first, "  ", dict.fromkeys(CRITERIA, 3))
    with sqlite3.connect(db) as connection, pytest.raises(sqlite3.IntegrityError):
        connection.execute(
            "INSERT INTO ratings (run_file, row_id, rater, adequacy, reliability, usefulness, honesty, "
            "linguistic_correctness, coherence, rated_at) VALUES ('r', 'x', 'c', 9, 0, 0, 0, 0, 0, 'now')"
        )

    view = blind_view(read_rows(run)[0])
    assert MODEL not in json.dumps(view) and "greedy" not in json.dumps(view) and "settings" not in view
    assert [c.key for c in load_criteria("ru")] == list(CRITERIA)


# --- evaluate.py ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rated_run(
    run_file: tuple[Path, subprocess.CompletedProcess[str]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The run rated by two raters: they agree on every greedy answer and disagree on the sampled ones."""
    folder = tmp_path_factory.mktemp("rated")
    run = folder / "study.jsonl"
    shutil.copy(run_file[0], run)
    db = folder / "ratings.sqlite"
    for index, row in enumerate(read_rows(run)):
        pair = index // 2
        if row["config"] == "greedy":
            alice = bob = {name: pair + 2 for name in CRITERIA}  # 2, 3, 4 for the three pairs
        else:
            alice = {name: 5 for name in CRITERIA}
            bob = {name: 1 for name in CRITERIA}
        save_rating(db, run, row["id"], "alice", alice)
        save_rating(db, run, row["id"], "bob", bob)
    return run


def test_evaluate_markdown_has_the_study_table_and_the_automatic_metrics(rated_run: Path) -> None:
    result = run_experiment_script("evaluate.py", "--run", rated_run)

    assert result.returncode == 0, result.stderr
    text = result.stdout
    human = text.split("## Human ratings")[1].split("##")[0]
    table = [line for line in human.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    assert header[:4] == ["model", "do_sample", "temperature", "top_p"]
    assert header[4:10] == CRITERIA_HEADERS
    assert header[10:] == ["ratings", "answers rated", "raters", "agreement (α)"]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table[2:]]
    assert len(rows) == 2  # one per model x do_sample x temperature
    greedy, sample = rows
    assert greedy[:4] == [MODEL, "False", "—", "—"]
    assert greedy[4:10] == ["3.00"] * 6 and greedy[10:] == ["6", "3/3", "2", "1.00 (3)"]
    assert sample[:4] == [MODEL, "True", "1.00", "0.95"]
    assert sample[4:10] == ["3.00"] * 6 and sample[10:13] == ["6", "3/3", "2"]
    assert sample[13].startswith("-")  # systematic disagreement: alpha below zero
    assert "Krippendorff's alpha (interval metric)" in text

    automatic = text.split("## Automatic metrics")[1].split("\n## ")[0]
    auto_rows = [line for line in automatic.splitlines() if line.startswith(f"| {MODEL}")]
    assert len(auto_rows) == 2
    for line in auto_rows:
        assert "100% (3/3)" in line  # the fixtures' verdicts match their labels
        assert "1.00 (3)" in line  # the scores rank like the human 9 / 1 / 7
    assert "### Verdict confusion matrix" in text
    assert "| strong_fit | 2 | 0 | 0 |" in text and "| not_a_fit | 0 | 0 | 1 |" in text
    assert "LLM judge" not in text


def test_evaluate_csv_has_one_row_per_config(rated_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    result = run_experiment_script("evaluate.py", "--run", rated_run, "--format", "csv", "-o", out)

    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 2
    assert [row["config"] for row in rows] == ["greedy", "sample@1.0"]
    for row in rows:
        assert [float(row[name]) for name in CRITERIA] == [3.0] * 6
        assert row["n_ratings"] == "6" and row["raters"] == "2"
        assert row["auto_verdict_accuracy"] == "1.0"
        assert float(row["auto_spearman_score_vs_human"]) == pytest.approx(1.0)
    assert float(rows[0]["agreement_alpha"]) == pytest.approx(1.0)
    assert float(rows[1]["agreement_alpha"]) < 0


def test_evaluate_bad_input_is_one_line(tmp_path: Path) -> None:
    assert_one_line_error(run_experiment_script("evaluate.py", "--run", tmp_path / "none.jsonl"), "no such run file")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"not": "a row"}\n', encoding="utf-8")
    assert_one_line_error(run_experiment_script("evaluate.py", "--run", bad), "not a run row")


def test_llm_judge_scores_one_answer_in_its_own_table(rated_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "study.jsonl"
    shutil.copy(rated_run, run)
    shutil.copy(rated_run.parent / "ratings.sqlite", tmp_path / "ratings.sqlite")

    args = ("--run", run, "--judge-model", MODEL, "--judge-limit", "1", "--threads", "1")
    result = run_experiment_script("evaluate.py", *args)

    assert result.returncode == 0, result.stderr
    judged = read_judged(tmp_path / "study.judge.jsonl")
    assert len(judged) == 1 and judged[0]["judge_model"] == MODEL
    assert set(judged[0]["scores"]) == set(CRITERIA)
    assert all(isinstance(v, int) and 0 <= v <= 5 for v in judged[0]["scores"].values())
    judge_part = result.stdout.split("## LLM judge")[1]
    assert "not human ratings" in result.stdout.split("## LLM judge")[1].splitlines()[0]
    judge_rows = [line for line in judge_part.splitlines() if line.startswith(f"| {MODEL}")]
    assert len(judge_rows) == 1 and judge_rows[0].rstrip().endswith("| 1/3 |")
    # The human table is untouched by the judge.
    human = result.stdout.split("## Human ratings")[1].split("## Automatic")[0]
    assert human.count("| 3.00 | 3.00 | 3.00 | 3.00 | 3.00 | 3.00 |") == 2
    # Resumable: a second call judges nothing new.
    again = run_experiment_script("evaluate.py", *args)
    assert "judged 0 answers" in again.stderr and len(read_judged(tmp_path / "study.judge.jsonl")) == 1
    assert JUDGE_SCHEMA["required"] == list(CRITERIA)


# --- the metrics, checked by hand ----------------------------------------------------------

CV = (
    "Jane Doe\nEXPERIENCE\nData analyst - Numera Ltd, 2019 - 2024\n"
    "SKILLS\nPython, SQL, Excel\nEDUCATION\nBSc Mathematics\n"
)
JOB = "Data Engineer\nRequirements:\n- Python\n- SQL\n- Airflow\n"
ADVICE_A = (
    "1. Match: your CV is a partial fit for this job.\n"
    "2. Experience: use PyTorch and AWS next to your SQL work.\n"
    "7. Next steps: add Airflow to your skills list."
)
ADVICE_B = (
    "1. Match: your CV is not a fit.\n3. Education: your degree fits.\n"
    "4. Hard skills: learn Airflow through a course first."
)


def constructed_rows() -> list[dict[str, Any]]:
    def row(pair: str, label: str, verdict: str, score: int, human: float | None, advice: str, tps: float, ttft: float):
        return {
            "id": row_id(pair, "m", "greedy"),
            "pair_id": pair,
            "label": label,
            "human_score_of_10": human,
            "model": "m",
            "config": "greedy",
            "report": {
                "verdict": verdict,
                "score": score,
                "advice": advice,
                "metrics": {"gen_tokens_per_s": tps, "ttft_s": ttft, "prompt_tokens": 100, "prompt_tokens_reused": 50},
            },
        }

    return [
        row("a", "medium", "partial_fit", 60, 5, ADVICE_A, 10.0, 1.0),
        row("b", "high", "not_a_fit", 20, 8, ADVICE_B, 20.0, 3.0),
        row("c", "low", "not_a_fit", 10, None, "", 30.0, 5.0),
    ]


def test_automatic_metrics_on_a_hand_checked_case() -> None:
    rows = constructed_rows()
    texts = dict.fromkeys(("a", "b", "c"), (CV, JOB))

    (metrics,) = automatic_table(rows, texts)

    assert (metrics["rows"], metrics["verdict_correct"]) == (3, 2)
    assert metrics["verdict_accuracy"] == pytest.approx(2 / 3)
    assert metrics["confusion"]["strong_fit"] == {"strong_fit": 0, "partial_fit": 0, "not_a_fit": 1}
    assert metrics["confusion"]["partial_fit"]["partial_fit"] == 1
    assert metrics["confusion"]["not_a_fit"]["not_a_fit"] == 1
    # Only a and b have a human score: 60 > 20 but 5 < 8.
    assert (metrics["spearman_score_vs_human"], metrics["spearman_n"]) == (-1.0, 2)
    # PyTorch, AWS and SQL are named; SQL is in the CV and job, the other two in neither.
    assert (metrics["unsupported_terms"], metrics["named_terms"]) == (2, 3)
    assert metrics["hallucination_share"] == pytest.approx(2 / 3)
    # "add Airflow to your skills list" claims a missing must-have; "learn Airflow through a course" does not.
    assert (metrics["claim_advice_answers"], metrics["claim_sentences"]) == (1, 1)
    assert metrics["sections_covered_mean"] == pytest.approx((3 + 3 + 0) / 3)
    assert metrics["advice_words_mean"] == pytest.approx((31 + 22 + 0) / 3)
    assert metrics["tokens_per_s_median"] == 20.0 and metrics["tokens_per_s_p90"] == pytest.approx(28.0)
    assert metrics["ttft_s_median"] == 3.0 and metrics["ttft_s_p90"] == pytest.approx(4.6)
    assert metrics["prompt_reuse_share"] == pytest.approx(0.5)
    assert confusion_matrix(rows[:1])["partial_fit"]["partial_fit"] == 1


def test_grounded_advice_metrics_on_a_hand_checked_case() -> None:
    # Airflow is the one missing must-have of this pair (Python and SQL are in the CV).
    named = "1. Match: a partial fit (score {score}/100).\n4. Hard skills: learn Airflow through a course."
    silent = "1. Match: fine.\n2. Experience: 45% of your CV is experience; what fits, or what is missing."
    rows = constructed_rows()[:2]
    score = analyze(CV, JOB).score
    rows[0]["report"] |= {"advice": named.format(score=score), "advice_sources": {"model": 5, "plan": 2}}
    rows[1]["report"] |= {"advice": silent, "advice_sources": {"model": 1, "plan": 6}}
    texts = dict.fromkeys(("a", "b"), (CV, JOB))

    (metrics,) = automatic_table(rows, texts)

    assert (metrics["must_haves_addressed"], metrics["missing_must_haves"]) == (1, 2)
    assert metrics["must_haves_addressed_share"] == pytest.approx(0.5)
    assert metrics["invented_numbers"] == 1  # "45%"; the score stated as the score is grounded
    assert metrics["echoed_instructions"] == 1  # "what fits, or what is missing"
    assert metrics["all_sections_answers"] == 0
    assert (metrics["model_sections"], metrics["plan_sections"]) == (6, 8)
    assert metrics["model_sections_passed_share"] == pytest.approx(6 / 14)
    table = to_markdown(evaluate("run.jsonl", rows, [], texts))
    assert "## Grounded advice" in table
    assert "| 50% (1/2) | 1 | 1 |" in table


@pytest.mark.parametrize(
    ("advice", "drop_learn_actions", "addressed"),
    [
        ("4. Hard skills: learn Airflow through a course, then build a small DAG.", False, 1),
        ("4. Hard skills: your Python and SQL are visible; keep them.", False, 0),
        ("7. Next steps: start with AIRFLOW now.", False, 1),  # the job's term, in any case
        # The advice names it, but a plan that dropped the must-have cannot vouch for it: not addressed.
        ("4. Hard skills: learn Airflow through a course.", True, 0),
    ],
)
def test_missing_must_haves_are_counted_from_the_analysis(
    advice: str, drop_learn_actions: bool, addressed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    if drop_learn_actions:
        build = evaluation.build_plan
        monkeypatch.setattr(
            evaluation,
            "build_plan",
            lambda analysis, cv: replace(
                (plan := build(analysis, cv)),
                actions=tuple(action for action in plan.actions if action.kind != "learn"),
            ),
        )

    checks = check_answer(advice, CV, JOB)

    assert (checks.must_haves_addressed, checks.missing_must_haves) == (addressed, 1)  # Airflow


def test_statistics_on_known_cases() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3], [1, 1, 1]) is None and spearman([1], [2]) is None
    # Ties share their average rank: x ranks 1, 2.5, 2.5, 4 against y ranks 1..4.
    assert average_ranks([1, 5, 5, 9]) == [1.0, 2.5, 2.5, 4.0]
    assert spearman([1, 5, 5, 9], [1, 2, 3, 4]) == pytest.approx(4.5 / (4.5 * 5) ** 0.5)
    assert percentile(range(1, 11), 90) == pytest.approx(9.1)
    assert percentile([None, 2.0], 90) == 2.0 and percentile([], 90) is None
    assert krippendorff_alpha_interval([[1, 1], [2, 2], [3, 3]]) == pytest.approx(1.0)
    # Values 1,2 / 2,1: D_o = 4/4 = 1, D_e = 8/12, alpha = 1 - 1.5 = -0.5.
    assert krippendorff_alpha_interval([[1, 2], [2, 1]]) == pytest.approx(-0.5)
    assert krippendorff_alpha_interval([[3, 3], [3, 3]]) is None  # no variation: undefined
    assert krippendorff_alpha_interval([[1], [2]]) is None  # nothing pairable
    assert sections_covered("1. Соответствие: ...\n**Опыт работы:** ...\n7. Следующие шаги") == 3
    assert sections_covered("## 1. Match\n## Next steps\nMatch is good.\nEducation is fine.") == 2


def test_human_table_counts_and_agreement() -> None:
    rows = [
        {"id": "p1|m|greedy", "pair_id": "p1", "model": "m", "config": "greedy", "report": {}},
        {"id": "p2|m|greedy", "pair_id": "p2", "model": "m", "config": "greedy", "report": {}},
        {"id": "p1|m|sample@1.0", "pair_id": "p1", "model": "m", "config": "sample@1.0", "report": {}},
    ]
    ratings = [
        {"row_id": "p1|m|greedy", "rater": "x", **dict.fromkeys(CRITERIA, 1)},
        {"row_id": "p1|m|greedy", "rater": "y", **dict.fromkeys(CRITERIA, 2)},
        {"row_id": "p2|m|greedy", "rater": "x", **dict.fromkeys(CRITERIA, 2)},
        {"row_id": "p2|m|greedy", "rater": "y", **dict.fromkeys(CRITERIA, 1)},
        {"row_id": "p1|m|sample@1.0", "rater": "x", **dict.fromkeys(CRITERIA, 4)},
    ]

    greedy, sample = human_table(rows, ratings)

    assert greedy["adequacy"] == 1.5 and greedy["n_ratings"] == 4 and greedy["raters"] == 2
    # 12 units (2 answers x 6 criteria) of [1, 2] or [2, 1]: n = 24 values, twelve 1s and twelve 2s.
    # D_o = 12 * 2 / 24 = 1; D_e = 2 * 12 * 12 / (24 * 23); alpha = 1 - D_o / D_e.
    assert greedy["agreement_alpha"] == pytest.approx(1 - (24 * 23) / (2 * 12 * 12))
    assert greedy["agreement_answers"] == 2
    assert (sample["temperature"], sample["top_p"], sample["do_sample"]) == (1.0, 0.95, True)
    assert sample["coherence"] == 4.0 and sample["agreement_alpha"] is None and sample["agreement_answers"] == 0

    empty = Results(run="r", rows=3, pairs=2, human=human_table(rows, []), automatic=[])
    assert "No human ratings yet" in to_markdown(empty)
    assert to_csv(empty).count("\n") == 1 + 2  # the header and one row per (model, config)


# --- the Evaluate page ---------------------------------------------------------------------


def page_text(app: AppTest) -> str:
    """Every element the page shows, as protobuf text (labels, values, options, help, widget ids)."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app._tree)
    return "\n".join(parts)


def test_evaluate_page_is_blind_and_saves_a_rating(
    rated_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(rated_run, tmp_path / "study.jsonl")
    monkeypatch.setenv(experiments.RUNS_ENV, str(tmp_path))
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.run()
    assert not app.exception
    assert "Enter your name" in app.info[0].value

    app.text_input(key="rater").set_value("Carol").run()

    assert not app.exception
    shown = page_text(app)
    for secret in (MODEL, "greedy", "sample@", "temperature", "top_p", "SmolLM"):
        assert secret not in shown, secret
    assert "0 of 6 rated" in shown
    assert [slider.label for slider in app.slider] == [c.label for c in load_criteria("en")]
    assert "Reference" in [header.value for header in app.subheader]
    assert any("**Label:**" in element.value for element in app.markdown)
    first = next_unrated(
        tmp_path / "ratings.sqlite", tmp_path / "study.jsonl", [r["id"] for r in read_rows(rated_run)], "Carol"
    )

    for index, slider in enumerate(app.slider):
        slider.set_value(index)
    app.button[0].click().run()

    assert not app.exception
    (rating,) = load_ratings(tmp_path / "ratings.sqlite")
    assert rating["rater"] == "Carol" and rating["row_id"] == first
    assert [rating[name] for name in CRITERIA] == [0, 1, 2, 3, 4, 5]
    assert "1 of 6 rated" in page_text(app)
    # A new session resumes: the next answer is not the one just rated.
    again = AppTest.from_file(PAGE, default_timeout=60)
    again.run()
    again.text_input(key="rater").set_value("Carol").run()
    assert "1 of 6 rated" in page_text(again)


def test_evaluate_page_says_what_it_stores_and_where(
    rated_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's privacy line and the page agree: names, scores and comments are kept on disk."""
    shutil.copy(rated_run, tmp_path / "study.jsonl")
    monkeypatch.setenv(experiments.RUNS_ENV, str(tmp_path))
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.run()
    captions = " ".join(caption.value for caption in app.caption)
    assert str(tmp_path / "ratings.sqlite") in captions
    assert all(word in captions for word in ("name", "scores", "comments"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "writes nothing you enter to disk" not in readme
    assert "runs/ratings.sqlite" in readme and "name" in readme


def test_row_texts_reads_each_pair_once(run_file: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    texts = row_texts(read_rows(run_file[0]))
    assert set(texts) == {"fixture-strong", "fixture-chef-ml", "fixture-example"}
    assert "DANIEL OKAFOR-REYES" in texts["fixture-strong"][0]
