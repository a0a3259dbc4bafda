"""Helpers shared by the test modules: running a script as a user would, and a tiny CV/job pair."""

from __future__ import annotations

import multiprocessing
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The per-call metrics issue 2 asks for: the JSON report's `metrics` must carry every one.
METRIC_NAMES = (
    "load_s",
    "prompt_tokens",
    "prompt_tokens_reused",
    "generated_tokens",
    "ttft_s",
    "prompt_tokens_per_s",
    "gen_tokens_per_s",
    "total_s",
    "rss_mb",
    "peak_rss_mb",
    "model_size_mb",
    "gpu_layers",
    "gpu_offload_supported",
)

# A small CV and job: a short prompt keeps real-model runs quick.
TINY_CV = "Jane Roe\nEXPERIENCE\nBaker - Crumb & Co, 2018 - 2023\nSKILLS\n- Bread\n- Pastry\nEDUCATION\nBSc Biology\n"
TINY_JOB = "Baker\nRequirements\n- 3+ years of baking\n- Python\n"


def run_script(name: str, *args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run scripts/<name> in a subprocess with this interpreter, from the project root, capturing its output."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


def timed_in_child(jobs: list[Callable[[], object]], budget_s: float) -> list[float | None]:
    """Seconds each job took, run one after another in a forked child process killed after `budget_s`.

    A job still running when the child was killed, and the jobs after it, are
    None. A child process, because a regular expression cannot be interrupted
    in-process (and holds the GIL while it runs).
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        for job in jobs:
            started = time.perf_counter()
            job()
            sender.send(time.perf_counter() - started)

    process = context.Process(target=child, daemon=True)
    process.start()
    times: list[float | None] = []
    deadline = time.monotonic() + budget_s
    try:
        while len(times) < len(jobs) and receiver.poll(max(0.0, deadline - time.monotonic())):
            times.append(float(receiver.recv()))
    finally:
        process.kill()
        process.join()
    return times + [None] * (len(jobs) - len(times))


def shown(markdown: object) -> str:
    """What a reader sees of Markdown whose document text is escaped (app.formatting.escape_markdown)."""
    return re.sub(r"\\(.)", r"\1", str(markdown)).replace("\u200b", "")
