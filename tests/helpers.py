"""Helpers shared by the test modules: running a script as a user would, and a tiny CV/job pair."""

from __future__ import annotations

import os
import subprocess
import sys
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
