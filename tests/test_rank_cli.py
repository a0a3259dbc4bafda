"""`analyze.py` with several jobs (as a subprocess): the ranking table, the JSON ranking, prompt reuse, bad jobs.

The model runs write a handful of tokens per job on one thread (on a shared, busy machine one thread is
several times faster than two fighting for the cores); the LLM ranking is module-scoped and shared.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.analysis.plan import PLAN_SECTIONS
from app.analysis.plan_builder import build_plan
from app.analysis.ranking import biggest_gap, rank_order
from app.analysis.scoring import analyze
from app.llm.prompting import load_template, section_messages
from app.pipeline import build_advice_prompt, load_engine
from app.settings import Settings
from tests.helpers import METRIC_NAMES, run_script

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
STRONG_CV = FIXTURES / "strong_cv.txt"
JOBS = [FIXTURES / "other_ml_job.txt", FIXTURES / "strong_job.txt", FIXTURES / "ml_engineer_job.txt"]
REPORT_KEYS = {
    "verdict", "score", "score_version", "language", "knockouts", "sections", "missing_sections",
    "requirements", "advice", "warnings", "model", "settings", "metrics", "inputs",
}  # fmt: skip


def run_cli(*args: str | Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return run_script("analyze.py", *args, timeout=timeout)


def expected_order() -> list[str]:
    """The job files best first, as the deterministic analysis ranks them."""
    cv = STRONG_CV.read_text(encoding="utf-8")
    analyses = [analyze(cv, path.read_text(encoding="utf-8")) for path in JOBS]
    return [JOBS[index].name for index in rank_order(analyses)]


def job_args(paths: list[Path]) -> list[str | Path]:
    return [item for path in paths for item in ("--job", path)]


@pytest.fixture(scope="module")
def llm_ranking() -> dict[str, Any]:
    result = run_cli(
        "--json", "--cv", STRONG_CV, *job_args(JOBS), "--max-tokens", "8", "--threads", "1", "--advise-top", "3"
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_json_ranking_is_sorted_by_score_and_each_job_is_a_full_report(llm_ranking: dict[str, Any]) -> None:
    jobs = llm_ranking["jobs"]
    assert len(jobs) == 3
    scores = [job["score"] for job in jobs]
    assert scores == sorted(scores, reverse=True)
    assert jobs[0]["inputs"]["job"] == "strong_job.txt"  # the strong fit comes first
    assert [job["inputs"]["job"] for job in jobs] == expected_order()
    for rank, job in enumerate(jobs, start=1):
        assert REPORT_KEYS <= set(job)
        assert job["ranking"]["rank"] == rank
        assert job["inputs"]["cv"] == "strong_cv.txt"
    assert llm_ranking["cv"]["name"] == "strong_cv.txt"
    assert llm_ranking["failed"] == []


def test_every_job_after_the_first_reuses_the_shared_prefix(
    llm_ranking: dict[str, Any], shared_prefix_tokens: int
) -> None:
    """Each model call of every job after the first starts with the tokens the previous call left in the cache."""
    jobs = llm_ranking["jobs"]
    for job in jobs:
        assert job["ranking"]["advised"] is True
        assert job["advice"].lower().startswith("1. match: your cv is")
        for name in METRIC_NAMES:
            assert name in job["metrics"], name
    first = jobs[0]["metrics"]
    # A fresh process: the first call of the first job finds nothing cached, each further section call does.
    assert first["prompt_tokens_reused"] >= (first["model_calls"] - 1) * shared_prefix_tokens
    for job in jobs[1:]:
        metrics = job["metrics"]
        # The first call of this job too reuses the prefix the previous job's last call left.
        assert metrics["prompt_tokens_reused"] >= metrics["model_calls"] * shared_prefix_tokens > 0
        assert metrics["prompt_tokens_reused"] < metrics["prompt_tokens"]  # the job's own tokens are evaluated
        assert metrics["load_s"] == 0  # the model was loaded once, for the first job


def test_the_biggest_gap_in_json_is_computed_from_the_analysis(llm_ranking: dict[str, Any]) -> None:
    by_name = {job["inputs"]["job"]: job for job in llm_ranking["jobs"]}
    cv = STRONG_CV.read_text(encoding="utf-8")
    for path in JOBS:
        expected = biggest_gap(analyze(cv, path.read_text(encoding="utf-8")))
        got = by_name[path.name]["ranking"]["biggest_gap"]
        assert expected is not None and got is not None
        assert got["requirement"] == expected.requirement and got["lift"] == expected.lift > 0


def test_advice_only_for_the_top_n_and_bad_jobs_are_reported_apart(tmp_path: Path) -> None:
    empty = tmp_path / "empty_job.txt"
    empty.write_text("", encoding="utf-8")
    missing = tmp_path / "gone.pdf"
    result = run_cli(
        "--json", "--cv", STRONG_CV, "--job", empty, *job_args(JOBS), "--job", missing,
        "--advise-top", "1", "--max-tokens", "4", "--threads", "1",
    )  # fmt: skip

    assert result.returncode == 2  # some jobs failed; the others are ranked all the same
    data = json.loads(result.stdout)
    assert [job["ranking"]["advised"] for job in data["jobs"]] == [True, False, False]
    assert data["jobs"][0]["advice"] and data["jobs"][0]["model"] is not None
    assert all(job["advice"] == "" and job["model"] is None for job in data["jobs"][1:])
    assert [failed["job"] for failed in data["failed"]] == [str(empty), str(missing)]
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("error: ") for line in lines)
    assert "empty_job.txt" in lines[0] and "gone.pdf" in lines[1]
    assert "Traceback" not in result.stderr


def test_no_llm_table_from_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "postings"
    folder.mkdir()
    for path in JOBS:
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "notes.rtf").write_text("not a job", encoding="utf-8")  # not a job file: left out

    result = run_cli("--no-llm", "--cv", STRONG_CV, "--jobs", folder)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "## 3 jobs ranked for strong_cv.txt" in out
    header = "| # | job | title | verdict | score | must-haves met | missing | the gap that would lift the score most |"
    assert header in out
    rows = [line for line in out.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [row.split(" | ")[1] for row in rows] == expected_order()
    assert "Python Backend Engineer" in rows[0] and "strong fit" in rows[0]
    assert "Advice" not in out


def test_jobs_folder_without_job_files_is_one_clear_error(tmp_path: Path) -> None:
    result = run_cli("--no-llm", "--cv", STRONG_CV, "--jobs", tmp_path)

    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert "holds no job descriptions" in result.stderr


def test_readable_ranking_streams_advice_for_the_top_job() -> None:
    result = run_cli("--cv", STRONG_CV, *job_args(JOBS[:2]), "--advise-top", "1", "--max-tokens", "8", "--threads", "1")

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("## 2 jobs ranked") < out.index("## Advice for 1. strong_job.txt")
    assert "Advice for 2." not in out
    assert "**1. Match:**" in out and "strong fit for this job" in out
    assert "sections written by the model and checked" in out  # only checked sections are printed
    assert "_Model: smollm2-135m-instruct" in out


def first_prompts(engine: Any, settings: Settings, paths: list[Path]) -> list[list[int]]:
    cv = STRONG_CV.read_text(encoding="utf-8")
    tokens = []
    for path in paths:
        job = path.read_text(encoding="utf-8")
        prompt = build_advice_prompt(engine, analyze(cv, job), cv, job, settings)
        tokens.append(engine.tokenize(prompt.text))
    return tokens


def common_prefix(first: list[int], second: list[int]) -> int:
    return next(
        (i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b), min(len(first), len(second))
    )


@pytest.fixture(scope="module")
def shared_prefix_tokens() -> int:
    """The tokens any advice call shares with any other: one job's first section and another job's last."""
    engine = load_engine(Settings(max_tokens=16, ctx=4096, threads=1))
    cv = STRONG_CV.read_text(encoding="utf-8")
    prompts = []
    for path, section in ((JOBS[0], PLAN_SECTIONS[0]), (JOBS[1], PLAN_SECTIONS[-1])):
        job = path.read_text(encoding="utf-8")
        plan = build_plan(analyze(cv, job), cv)
        text, _ = engine.render(section_messages(plan, section, plan.for_section(section)))
        prompts.append(engine.tokenize(text))
    return common_prefix(*prompts)


def test_nothing_that_depends_on_the_job_comes_before_what_every_job_shares(shared_prefix_tokens: int) -> None:
    """The system rules (the same for every job and CV) open every prompt; the job's verdict and plan come after."""
    settings = Settings(max_tokens=16, ctx=4096, threads=1)
    engine = load_engine(settings)
    first, second = first_prompts(engine, settings, JOBS[:2])
    assert common_prefix(first, second) >= shared_prefix_tokens
    shared_text = engine.llm.detokenize(first[:shared_prefix_tokens]).decode("utf-8", errors="replace")
    system = load_template("system", "en").strip()
    assert system in shared_text  # every rule lies in the shared prefix
    assert shared_prefix_tokens >= len(engine.llm_tokens(system))
    own_first = engine.llm.detokenize(first[shared_prefix_tokens:]).decode("utf-8", errors="replace")
    own_second = engine.llm.detokenize(second[shared_prefix_tokens:]).decode("utf-8", errors="replace")
    # What differs between the jobs (the verdict, the score, the plan) lies after the shared part.
    assert "/100" in own_first and "/100" in own_second and own_first != own_second
