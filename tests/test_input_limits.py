"""Whatever a user gives us, the analysis answers or refuses in seconds (issue 12).

The size caps of app/analysis/documents.py: a file over MAX_FILE_BYTES is
refused unread, text over MAX_TEXT_CHARS (about 30 pages) with one line that
says what to do; adversarial text at the cap is analysed in seconds.
"""

from __future__ import annotations

import glob
import json
from pathlib import Path

import pytest

from app.analysis.documents import MAX_FILE_BYTES, MAX_TEXT_CHARS, from_text, read_bytes, read_document
from app.analysis.scoring import analyze
from app.errors import DocumentError
from tests.helpers import ROOT, run_script, timed_in_child

DATA = ROOT.parent / "shared" / "data"
ANALYSIS_BUDGET_S = 30.0  # measured: a few seconds on a busy 2-core machine (scripts/adversarial_bench.py)


def _real_english_cv() -> str:
    return (DATA / "en" / "skillora" / "real_world" / "resumes" / "rachel_martinez_ds.txt").read_text(encoding="utf-8")


def _real_cv() -> str:
    paths = sorted(glob.glob(str(DATA / "real_dev" / "cvs" / "*" / "*.txt")))
    assert paths, f"the shared data is missing at {DATA}"
    return Path(paths[0]).read_text(encoding="utf-8")


def test_text_over_the_cap_is_refused_with_one_line(tmp_path: Path) -> None:
    cv = _real_cv()
    long_text = (cv + "\n") * (MAX_TEXT_CHARS // len(cv) + 2)
    path = tmp_path / "cv.txt"
    path.write_text(long_text, encoding="utf-8")
    for read in (
        lambda: read_document(path),
        lambda: from_text(long_text),
        lambda: read_bytes(long_text.encode(), "cv.md"),
    ):
        with pytest.raises(DocumentError) as error:
            read()
        message = str(error.value)
        assert "\n" not in message
        assert "over the limit of 100,000" in message and "about 30 pages" in message
        assert "check it is the right file" in message


def test_text_at_the_cap_is_read() -> None:
    text = ("Python developer, Berlin. " * (MAX_TEXT_CHARS // 26))[: MAX_TEXT_CHARS - 1]
    assert len(from_text(text).text) <= MAX_TEXT_CHARS


def test_a_10_mb_text_file_is_refused_in_seconds(tmp_path: Path) -> None:
    # 9.9 MB of text took 20 s to analyse; now it is refused before normalising.
    path = tmp_path / "huge.txt"
    path.write_text(("Skills: Python, SQL, Excel\n" * (MAX_FILE_BYTES // 27))[: MAX_FILE_BYTES - 100_000])

    def read() -> None:
        with pytest.raises(DocumentError):
            read_document(path)

    (took,) = timed_in_child([read], 60)
    assert took is not None and took < 10, took


def _adversarial_documents() -> dict[str, str]:
    cv = _real_cv()
    n = MAX_TEXT_CHARS - 10
    return {
        "real CV repeated to the cap": ((cv + "\n") * (n // len(cv) + 1))[:n],
        "one unbroken token": "a" * n,
        "comma list on one line": ("Python, " * n)[:n],
        "or-list that ends in (any)": (", ".join(f"Tool{i}" for i in range(n // 8)))[: n - 20] + ", or similar (any)",
        "digits": "1" * n,
        "capitals": "A" * n,
        "open parentheses": "(" * n,
        "e-mail-like": ("a@b" * n)[:n],
        "short lines": ("- Python\n" * n)[:n],
    }


@pytest.mark.parametrize("name", list(_adversarial_documents()))
def test_adversarial_text_at_the_cap_is_analysed_in_seconds(name: str) -> None:
    text = from_text(_adversarial_documents()[name]).text
    job = "Data analyst\nRequirements:\n- 3+ years of SQL\n- Python, R, or Julia\n- Bachelor's degree\n"
    jobs = [lambda: analyze(text, job), lambda: analyze("Python developer\nSkills: Python", text)]
    times = timed_in_child(jobs, 2 * ANALYSIS_BUDGET_S)
    assert all(took is not None and took < ANALYSIS_BUDGET_S for took in times), (name, times)


# --- the model path (issue 12, point 4): a 160 KB CV took 56 s to report "does not fit", 2,000 pages hours ---


def _cv_file(tmp_path: Path, characters: int) -> Path:
    cv = _real_english_cv()
    path = tmp_path / f"cv_{characters}.txt"
    path.write_text(((cv + "\n") * (characters // len(cv) + 1))[:characters], encoding="utf-8")
    return path


def test_a_160_kb_cv_given_to_the_model_path_is_refused_with_one_line(tmp_path: Path) -> None:
    cv = _cv_file(tmp_path, 160_000)
    job = ROOT / "tests" / "fixtures" / "strong_job.txt"

    # The real embedded model, not --no-llm: the refusal comes before the model is loaded.
    result = run_script("analyze.py", "--cv", cv, "--job", job, "--max-tokens", "8", "--threads", "1", timeout=120)

    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {cv.name}: the text is ") and "over the limit of 100,000" in line


def test_a_cv_just_under_the_cap_runs_the_model_path_to_a_report(tmp_path: Path) -> None:
    cv = _cv_file(tmp_path, MAX_TEXT_CHARS - 1_000)
    job = ROOT / "tests" / "fixtures" / "strong_job.txt"
    args = ("--cv", cv, "--job", job, "--max-tokens", "8", "--threads", "1", "--ctx", "4096", "--json")

    # A bounded run (seconds: 16 s on a busy 2-core machine); the timeout catches a trim that re-tokenises per line.
    result = run_script("analyze.py", *args, timeout=300)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["model"] is not None and report["model"]["backend"] == "local"
    assert len(report["advice_sections"]) == 7 and report["advice"]
    assert 0 < report["metrics"]["prompt_tokens"] <= 4096 - 8
    assert report["verdict"] in {"strong_fit", "partial_fit", "not_a_fit"}
