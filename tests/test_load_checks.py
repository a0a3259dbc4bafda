"""Settings a machine or a model cannot use well are refused in one line before anything loads (issue 12, point 8).

512 threads on 2 cores took 88 s instead of 5.6 s, and a context above the
model's training one degrades its answers: both are refused, the context
unless --force-ctx. These tests need no model load: the checks run first.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from app.errors import SettingsError
from app.hub.catalog import resolve_model
from app.pipeline import load_settings_for, trained_context
from app.settings import Settings, check_threads, label, logical_cores
from tests.helpers import ROOT, TINY_CV, TINY_JOB, run_script

CV = ROOT / "app" / "examples" / "example_cv.txt"
JOB = ROOT / "app" / "examples" / "example_job.txt"
EMBEDDED = resolve_model(Settings().model)


@pytest.mark.parametrize(
    ("threads", "refused"),
    [(1, False), (logical_cores(), False), (logical_cores() + 1, True), (512, True)],
)
def test_threads_above_the_logical_cores_are_refused(threads: int, refused: bool) -> None:
    if refused:
        with pytest.raises(SettingsError, match=rf"--threads {threads} is more than .* {logical_cores()} logical"):
            check_threads(threads)
    else:
        check_threads(threads)


def test_batch_threads_are_checked_under_their_own_flag() -> None:
    settings = Settings(threads=1, threads_batch=logical_cores() + 1)
    with pytest.raises(SettingsError, match="--threads-batch"):
        load_settings_for(EMBEDDED, settings)


def test_the_trained_context_comes_from_the_catalog_else_the_gguf_header() -> None:
    assert EMBEDDED.context_length == 8192
    from_header = replace(EMBEDDED, context_length=None)  # a model given by path: only its file knows
    assert trained_context(from_header) == 8192
    missing = replace(EMBEDDED, context_length=None, path=ROOT / "no-such-model.gguf")
    assert trained_context(missing) is None  # the load itself will say the file is missing


@pytest.mark.parametrize(
    ("ctx", "force", "refused"), [(8192, False, False), (16384, False, True), (16384, True, False)]
)
def test_a_context_above_the_training_one_is_refused_unless_forced(ctx: int, force: bool, refused: bool) -> None:
    settings = Settings(ctx=ctx, force_ctx=force, threads=1)
    if refused:
        with pytest.raises(SettingsError, match=r"trained with.*--force-ctx"):
            load_settings_for(EMBEDDED, settings)
    else:
        assert load_settings_for(EMBEDDED, settings).n_ctx == ctx


@pytest.mark.parametrize(
    ("script", "args", "expected"),
    [
        ("analyze.py", ["--cv", CV, "--job", JOB, "--threads-batch", "511"], "logical CPU cores"),
        ("analyze.py", ["--cv", CV, "--job", JOB, "--ctx", "16384"], "--force-ctx"),
        ("benchmark.py", ["-t", "511", "-r", "1", "--no-task"], "logical CPU cores"),
        ("benchmark.py", ["-c", "16384", "-r", "1", "--no-task"], "--force-ctx"),
    ],
)
def test_the_scripts_refuse_in_one_line_with_exit_2(script: str, args: list[str], expected: str) -> None:
    result = run_script(script, *args, timeout=120)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_the_app_refuses_a_context_above_the_training_one_in_one_line_and_the_checkbox_allows_it() -> None:
    app = AppTest.from_file(str(ROOT / "app" / "streamlit_app.py"), default_timeout=180)
    app.run()
    next(item for item in app.sidebar.number_input if item.label == label("ctx")).set_value(16384)
    app.text_area[0].set_value(TINY_CV)
    app.text_area[1].set_value(TINY_JOB)
    next(button for button in app.button if button.label == "Analyze").click()
    app.run()
    assert not app.exception
    errors = [element.value for element in app.error]
    assert len(errors) == 1 and "trained with" in errors[0] and label("force_ctx") in errors[0], errors
    # Allowed, the same settings get past the check (the sidebar no longer refuses anything).
    next(item for item in app.sidebar.checkbox if item.label == label("force_ctx")).check()
    app.run()
    assert not app.exception
    assert not app.sidebar.error
