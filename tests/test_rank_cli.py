"""`analyze.py` with several jobs (as a subprocess): the ranking table, the JSON ranking, prompt reuse, bad jobs.

The model runs write a handful of tokens per job; the LLM ranking is module-scoped and shared.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.analysis.ranking import biggest_gap, rank_order
from app.analysis.scoring import analyze
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


def run_cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
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
        "--json", "--cv", STRONG_CV, *job_args(JOBS), "--max-tokens", "8", "--threads", "2", "--advise-top", "3"
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


def test_every_job_after_the_first_reuses_the_cv_prefix(llm_ranking: dict[str, Any]) -> None:
    jobs = llm_ranking["jobs"]
    for job in jobs:
        assert job["ranking"]["advised"] is True
        assert job["advice"].startswith("1. Match: your CV is")
        for name in METRIC_NAMES:
            assert name in job["metrics"], name
    assert jobs[0]["metrics"]["prompt_tokens_reused"] == 0  # a fresh process: nothing cached yet
    cv_tokens = jobs[0]["metrics"]["prompt_tokens"] // 3  # the CV alone is far more than a tenth of the prompt
    for job in jobs[1:]:
        reused = job["metrics"]["prompt_tokens_reused"]
        assert cv_tokens < reused < job["metrics"]["prompt_tokens"]
        assert job["metrics"]["load_s"] == 0  # the model was loaded once, for the first job


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
        "--advise-top", "1", "--max-tokens", "4", "--threads", "2",
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
    result = run_cli("--cv", STRONG_CV, *job_args(JOBS[:2]), "--advise-top", "1", "--max-tokens", "8", "--threads", "2")

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("## 2 jobs ranked") < out.index("## Advice for 1. strong_job.txt")
    assert "Advice for 2." not in out
    assert "1. Match: your CV is a strong fit for this job" in out
    assert "_Model: smollm2-135m-instruct" in out


def test_rendered_prompts_of_two_jobs_share_the_cv_prefix_tokens() -> None:
    """Whatever the prompt template, the CV must come before anything that depends on the job."""
    settings = Settings(max_tokens=16, ctx=4096, threads=2)
    engine = load_engine(settings)
    cv = STRONG_CV.read_text(encoding="utf-8")
    tokens = []
    for path in JOBS[:2]:
        job = path.read_text(encoding="utf-8")
        prompt = build_advice_prompt(engine, analyze(cv, job), cv, job, settings)
        tokens.append(engine.tokenize(prompt.text))
    first, second = tokens
    shared = next((i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b), min(map(len, tokens)))

    shared_text = engine.llm.detokenize(first[:shared]).decode("utf-8", errors="replace")
    assert cv.strip() in shared_text  # every line of the CV lies in the shared prefix
    assert shared >= len(engine.llm_tokens(cv))
    assert shared < min(len(first), len(second))  # and the jobs themselves differ
