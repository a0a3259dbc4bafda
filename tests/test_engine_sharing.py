"""Sessions with different settings share one model without crashing (issue 12, point 1).

Two app sessions with different thread counts pressing Analyze together killed
the Streamlit process (SIGSEGV) 4 times out of 4: a model switch freed the
model while the other session was still tokenizing with it. Now a switch waits
for every user of the loaded model, and the session that waits is told why.
These tests run the real embedded model.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator

import pytest

from app.analysis.documents import from_text
from app.errors import GenerationStopped
from app.hub.catalog import resolve_model
from app.llm import engine as engine_module
from app.llm.engine import engine_lease, release_engine
from app.pipeline import load_settings_for, run_analysis
from app.settings import Settings
from tests.helpers import ROOT, TINY_CV, TINY_JOB

ONE_THREAD = Settings(ctx=1024, threads=1, max_tokens=4)
TWO_THREADS = Settings(ctx=1024, threads=2, max_tokens=4)

# Six sessions, settings alternating, each using the model twice, in a child
# process: a crash of the native library must fail this test, not kill the test run.
_SIX_SESSIONS = textwrap.dedent(
    """
    import json, threading
    from app.hub.catalog import resolve_model
    from app.llm.engine import Decoding, engine_lease
    from app.pipeline import load_settings_for, run_analysis
    from app.settings import Settings

    model = resolve_model(Settings().model)
    results, errors, waits = [], [], []

    def session(index):
        settings = Settings(ctx=512, threads=1 + index % 2, max_tokens=2)
        load = load_settings_for(model, settings)
        for _ in range(2):
            try:
                with engine_lease(model, load, on_wait=waits.append) as engine:
                    prompt, stop = engine.render([{"role": "user", "content": f"Say hello to {index}."}])
                    # Tokenizing and reading n_ctx outside the generation lock is what crashed.
                    assert len(engine.tokenize(prompt)) < engine.n_ctx
                    text = "".join(engine.stream(prompt, decoding=Decoding(), max_tokens=2, stop=stop))
                    results.append({"wanted": settings.threads, "used": engine.load_settings.n_threads, "text": text})
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=session, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"results": results, "errors": errors, "waits": waits}))
    """
)


def test_six_sessions_with_alternating_settings_never_crash() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", _SIX_SESSIONS], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert completed.returncode == 0, f"the process died ({completed.returncode}): {completed.stderr[-2000:]}"
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    assert len(outcome["results"]) == 12
    # Every session ran on a model loaded with its own settings, and got an answer.
    assert all(result["used"] == result["wanted"] and result["text"] for result in outcome["results"])
    # Sessions whose settings differed from the loaded model's waited and were told so.
    assert any("other settings" in wait and "threads" in wait for wait in outcome["waits"]), outcome["waits"]


# Two app sessions as a user runs them: whole analyses, threads 1 and 2, at once. On the
# code before the leases this process died (SIGABRT or SIGSEGV) within seconds.
_TWO_ANALYSES = textwrap.dedent(
    """
    import json, sys, threading
    from app.analysis.documents import from_text
    from app.pipeline import run_analysis
    from app.settings import Settings
    from tests.helpers import TINY_CV, TINY_JOB

    cv, job = from_text(TINY_CV, "cv"), from_text(TINY_JOB, "job")
    results, errors = [], []

    def session(threads):
        for _ in range(2):
            try:
                report = run_analysis(cv, job, Settings(ctx=1024, threads=threads, max_tokens=7, advice_mode="whole"))
                sections = len(report.advice_sections)
                results.append({"threads": threads, "sections": sections, "model": bool(report.model)})
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}")

    sessions = [threading.Thread(target=session, args=(threads,)) for threads in (1, 2)]
    for thread in sessions:
        thread.start()
    for thread in sessions:
        thread.join()
    print(json.dumps({"results": results, "errors": errors}))
    """
)


def test_two_analyses_with_different_thread_counts_at_once_never_crash() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", _TWO_ANALYSES], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert completed.returncode == 0, f"the process died ({completed.returncode}): {completed.stderr[-2000:]}"
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    assert sorted(result["threads"] for result in outcome["results"]) == [1, 1, 2, 2]
    assert all(result["sections"] == 7 and result["model"] for result in outcome["results"])


def test_an_analysis_with_other_settings_waits_is_told_and_runs(fresh_shared_model: None) -> None:
    """Through the pipeline, as the app calls it: the waiting session hears why, then gets its advice."""
    model, one = _load(ONE_THREAD)
    told: list[str] = []
    reports: list[object] = []
    cv, job = from_text(TINY_CV, "cv"), from_text(TINY_JOB, "job")

    def other_session() -> None:
        reports.append(run_analysis(cv, job, TWO_THREADS, on_wait=told.append))

    with engine_lease(model, one):
        worker = threading.Thread(target=other_session)
        worker.start()
        _wait_for_waiters(1)
        assert not reports
    worker.join(timeout=600)
    assert told and "threads 1 there, 2 here" in told[0]
    assert reports and reports[0].advice  # type: ignore[attr-defined]


@pytest.fixture
def fresh_shared_model() -> Iterator[None]:
    release_engine()
    yield
    release_engine()


def _load(settings: Settings):  # type: ignore[no-untyped-def]
    model = resolve_model(settings.model)
    return model, load_settings_for(model, settings)


def test_a_switch_waits_for_the_user_of_the_loaded_model(fresh_shared_model: None) -> None:
    model, one = _load(ONE_THREAD)
    _, two = _load(TWO_THREADS)
    told: list[str] = []
    second: dict[str, object] = {}

    def other_session() -> None:
        with engine_lease(model, two, on_wait=told.append) as engine:
            second["threads"] = engine.load_settings.n_threads

    with engine_lease(model, one) as first:
        worker = threading.Thread(target=other_session)
        worker.start()
        deadline = time.monotonic() + 30
        while not told and time.monotonic() < deadline:
            time.sleep(0.05)
        # The other session waits and is told why, and the model it would free still works here.
        assert told and "threads 1 there, 2 here" in told[0]
        assert "threads" not in second
        assert len(first.tokenize("Still loaded: tokenizing is safe.")) > 3
    worker.join(timeout=120)
    assert second["threads"] == 2


def test_equal_settings_share_the_loaded_engine(fresh_shared_model: None) -> None:
    model, one = _load(ONE_THREAD)
    with engine_lease(model, one) as first, engine_lease(model, one) as second:
        assert first is second


def test_a_caller_for_the_loaded_settings_queues_behind_a_waiting_switch(fresh_shared_model: None) -> None:
    """First come, first served: a busy model cannot starve a session with other settings."""
    model, one = _load(ONE_THREAD)
    _, two = _load(TWO_THREADS)
    order: list[str] = []

    def run(name: str, load: object) -> None:
        with engine_lease(model, load):  # type: ignore[arg-type]
            order.append(name)

    with engine_lease(model, one):
        switcher = threading.Thread(target=run, args=("two threads", two))
        switcher.start()
        _wait_for_waiters(1)
        latecomer = threading.Thread(target=run, args=("one thread, later", one))
        latecomer.start()
        _wait_for_waiters(2)
    switcher.join(timeout=120)
    latecomer.join(timeout=120)
    assert order == ["two threads", "one thread, later"]


def test_stop_ends_the_wait(fresh_shared_model: None) -> None:
    model, one = _load(ONE_THREAD)
    _, two = _load(TWO_THREADS)
    stop = threading.Event()
    outcome: list[BaseException] = []

    def waiting_session() -> None:
        try:
            with engine_lease(model, two, should_stop=stop.is_set):
                pass
        except GenerationStopped as error:
            outcome.append(error)

    with engine_lease(model, one):
        worker = threading.Thread(target=waiting_session)
        worker.start()
        _wait_for_waiters(1)
        stop.set()
        worker.join(timeout=10)
        assert outcome and "Stopped" in str(outcome[0])


def _wait_for_waiters(count: int) -> None:
    deadline = time.monotonic() + 30
    while len(engine_module._shared.waiting) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(engine_module._shared.waiting) >= count


def test_stop_ends_the_wait_for_another_sessions_generation(fresh_shared_model: None) -> None:
    """Same settings, so the model is shared; another session's generation holds its lock. Stop must not wait it out."""
    model, one = _load(ONE_THREAD)
    stop = threading.Event()
    queued = threading.Event()
    outcome: list[BaseException] = []

    def waiting_session(engine: engine_module.Engine) -> None:
        prompt, end = engine.render([{"role": "user", "content": "Say hello."}])
        try:
            "".join(
                engine.stream(
                    prompt,
                    decoding=engine_module.Decoding(),
                    max_tokens=2,
                    stop=end,
                    should_stop=stop.is_set,
                    on_queued=queued.set,
                )
            )
        except GenerationStopped as error:
            outcome.append(error)

    with engine_lease(model, one) as engine:
        engine.lock.acquire()  # what another session's generation holds while it streams
        try:
            worker = threading.Thread(target=waiting_session, args=(engine,))
            worker.start()
            assert queued.wait(timeout=60), "the second call was never told it waits"
            stop.set()
            worker.join(timeout=5)
            assert not worker.is_alive(), "Stop did not end the wait for the model's lock"
        finally:
            engine.lock.release()
    assert outcome and "Stopped while waiting" in str(outcome[0])
