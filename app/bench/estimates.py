"""Speed estimates for models that are not downloaded, measured on their synthetic twins.

A benchmark of "synthetic:NAME[:QUANT]" (scripts/benchmark.py, or the app's
"Measure speed here" button through `quick_estimate`) records, per catalog
model, the generation and prompt speeds and the first-token time of a
one-page CV in models/.synthetic/estimates.json; the app's model picker
shows them as "on this computer: about X tokens/s, first token after about
Y s for a one-page CV".
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.errors import ModelError
from app.hub.catalog import MODELS_DIR, SYNTHETIC_DIR_NAME, SYNTHETIC_PREFIX, is_synthetic_ref, split_synthetic_ref

ESTIMATES_FILE = "estimates.json"
# The app's quick measurement: short pp and tg tests, one repetition after the warm-up.
QUICK_PROMPT_TOKENS = 64
QUICK_GEN_TOKENS = 16


@dataclass(frozen=True)
class Estimate:
    """What one benchmark of a synthetic model says about the real one on this computer."""

    model: str  # the catalog model it stands for: "llama-2-7b-chat:Q4_K_M"
    threads: int
    gpu_layers: int
    gen_tokens_per_s: float
    prompt_tokens_per_s: float
    task_prompt_tokens: int | None  # the one-page example CV + job, as the pipeline's prompt
    bound_tokens_per_s: float | None
    measured_at: str

    @property
    def first_token_s(self) -> float | None:
        """Time to the first token of the one-page CV: its prompt at pp speed, then one generation step."""
        if not self.task_prompt_tokens or not self.prompt_tokens_per_s:
            return None
        return self.task_prompt_tokens / self.prompt_tokens_per_s + 1 / max(self.gen_tokens_per_s, 1e-9)


def estimates_path(models_dir: Path = MODELS_DIR) -> Path:
    return models_dir / SYNTHETIC_DIR_NAME / ESTIMATES_FILE


def load_estimates(models_dir: Path = MODELS_DIR) -> dict[str, Estimate]:
    """The recorded estimates by catalog model ("llama-2-7b-chat:Q4_K_M"); {} when none or unreadable."""
    try:
        raw = json.loads(estimates_path(models_dir).read_text(encoding="utf-8"))
        return {key: Estimate(**value) for key, value in raw.items()}
    except (OSError, ValueError, TypeError):
        return {}


def estimates_from_result(result: dict[str, Any]) -> list[Estimate]:
    """One estimate per measured CPU/GPU configuration of a synthetic model in a benchmark result."""
    configs: dict[Any, dict[str, Any]] = {}
    for row in result.get("results", []):
        if row.get("status") != "ok" or not (row.get("synthetic") and is_synthetic_ref(str(row.get("model")))):
            continue
        config = configs.setdefault(row.get("config_id"), {"row": row})
        config[str(row["test"])[:2]] = row
    estimates = []
    for config in configs.values():
        pp, tg, row = config.get("pp"), config.get("tg"), config["row"]
        if not pp or not tg or not pp.get("avg_ts") or not tg.get("avg_ts"):
            continue
        estimates.append(
            Estimate(
                model=split_synthetic_ref(str(row["model"])),
                threads=int(row["threads"]),
                gpu_layers=int(row["gpu_layers"]),
                gen_tokens_per_s=float(tg["avg_ts"]),
                prompt_tokens_per_s=float(pp["avg_ts"]),
                task_prompt_tokens=row.get("task_prompt_tokens"),
                bound_tokens_per_s=tg.get("bound_ts"),
                measured_at=str(row.get("test_time") or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")),
            )
        )
    return estimates


def record_estimates(result: dict[str, Any], models_dir: Path = MODELS_DIR) -> list[Estimate]:
    """Keep the result's synthetic estimates; per model, the fastest CPU configuration (what a user would pick)."""
    found = estimates_from_result(result)
    if not found:
        return []
    kept = load_estimates(models_dir)
    for estimate in sorted(found, key=lambda item: item.gen_tokens_per_s):
        kept[estimate.model] = estimate
    path = estimates_path(models_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps({key: asdict(value) for key, value in kept.items()}, indent=2), encoding="utf-8")
    os.replace(temporary, path)
    return found


def estimate_text(estimate: Estimate) -> str:
    """ "on this computer: about 4.1 tokens/s, first token after about 52 s for a one-page CV"."""
    text = f"on this computer: about {_speed(estimate.gen_tokens_per_s)} tokens/s"
    first = estimate.first_token_s
    if first is not None:
        text += f", first token after about {_seconds(first)} for a one-page CV"
    return text


def estimate_caption(estimate: Estimate) -> str:
    where = (
        "CPU" if estimate.gpu_layers == 0 else f"{'all' if estimate.gpu_layers < 0 else estimate.gpu_layers} GPU layers"
    )
    return (
        f"Measured {estimate.measured_at[:16].replace('T', ' ')} with a same-shape synthetic model "
        f"(synthetic weights: speed only), {estimate.threads} threads, {where}."
    )


def _speed(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _seconds(value: float) -> str:
    if value < 10:
        return f"{value:.1f} s"
    if value < 120:
        return f"{value:.0f} s"
    return f"{value / 60:.0f} min"


def quick_estimate(
    model: str,
    threads: int,
    *,
    on_build: Callable[[str, float, float], None] | None = None,
    on_run: Callable[[int, int, str], None] | None = None,
    models_dir: Path = MODELS_DIR,
) -> Estimate:
    """Build (or reuse) the synthetic twin of a catalog model, run a short pp/tg benchmark, record and return it."""
    from app.bench.plan import Options, expand_configs, prepare
    from app.bench.runner import run_benchmark

    ref = SYNTHETIC_PREFIX + split_synthetic_ref(model)
    options = Options(
        repetitions=1, n_prompt=QUICK_PROMPT_TOKENS, n_gen=QUICK_GEN_TOKENS, task=False, task_tokens=16, overhead=False
    )
    planned = prepare(expand_configs([ref], [threads], [0], [512], [4096]), options, build_progress=on_build)
    result = run_benchmark(planned, options, progress=on_run)
    found = record_estimates(result, models_dir)
    if not found:
        failed = [row.get("reason") for row in result["results"] if row.get("status") != "ok"]
        raise ModelError(f"the speed of {model} could not be measured: {failed[0] if failed else 'no result'}.")
    return found[0]
