"""Running a benchmark: each configuration in a fresh worker process, then one JSON-ready result.

`run_config` measures one configuration in its own process (app.bench.worker),
so that its peak RSS is its own; `run_benchmark` runs them all and returns the
environment and one flat row per configuration × test, with the raw samples,
mean and sample standard deviation. GPU configurations on a build without GPU
offload are rows with status "skipped", the reason and the rebuild command:
never a failure. This module asks llama-cpp-python about the build (app.llm);
rendering and comparing saved results (app.bench.results, app.bench.compare)
never imports it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, replace
from typing import Any

from app.bench.bandwidth import Bandwidth, measure_bandwidth
from app.bench.plan import ROW_STATUSES, SCHEMA, SWEEP_KEYS, Options, PlannedConfig, RowStatus, task_documents
from app.bench.roofline import annotate
from app.errors import CVEnhancerError
from app.hub.catalog import PROJECT_ROOT, ResolvedModel
from app.llm.engine import NO_GPU_OFFLOAD, gpu_offload_supported, llama_cpp_version
from app.llm.gguf_info import read_gguf_info
from app.llm.memory import gpu_bandwidth_gb_per_s, gpu_info
from app.settings import Settings

ProgressCallback = Callable[[int, int, str], None]


# --- statistics --------------------------------------------------------------


def summarize(values: Iterable[float | None]) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation (0 for one sample); (None, None) when nothing was measured."""
    numbers = [float(value) for value in values if value is not None]
    if not numbers:
        return None, None
    mean = statistics.fmean(numbers)
    return mean, statistics.stdev(numbers) if len(numbers) > 1 else 0.0


# --- running -----------------------------------------------------------------


def run_config(planned: PlannedConfig, options: Options, *, timeout_s: float | None = None) -> dict[str, Any]:
    """Measure one configuration in a fresh process; the worker's JSON, or status skipped / failed with a reason."""
    if planned.config.gpu_layers != 0 and not gpu_offload_supported():
        return {"status": "skipped", "reason": NO_GPU_OFFLOAD}
    cv_path, job_path = task_documents(options)
    options = replace(options, task_cv=str(cv_path.resolve()), task_job=str(job_path.resolve()))
    job = {"settings": planned.settings.model_dump(), "options": asdict(options)}
    python_path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    try:
        process = subprocess.run(
            [sys.executable, "-m", "app.bench.worker"],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONPATH": python_path, "PYTHONIOENCODING": "utf-8"},
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"status": "failed", "reason": f"the configuration ran longer than {timeout_s:g} s and was stopped"}
    lines = process.stdout.strip().splitlines()
    try:
        outcome = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        outcome = None
    if not isinstance(outcome, dict) or "status" not in outcome:
        errors = [line for line in process.stderr.strip().splitlines() if line.strip()]
        detail = errors[-1] if errors else f"exit status {process.returncode}"
        return {"status": "failed", "reason": f"the benchmark process died: {detail}"}
    return outcome


def run_benchmark(
    planned: Sequence[PlannedConfig],
    options: Options,
    *,
    progress: ProgressCallback | None = None,
    timeout_s: float | None = None,
) -> dict[str, Any]:
    """Run every configuration in turn; the whole JSON-ready result."""
    started = dt.datetime.now(dt.timezone.utc)
    # Measured before any model is loaded, once per thread count: the bound of each tg row.
    bandwidths: dict[int, Bandwidth] = {}
    if options.bandwidth:
        for threads in sorted({item.config.threads for item in planned}):
            bandwidths[threads] = measure_bandwidth(threads)
    results: list[dict[str, Any]] = []
    for index, item in enumerate(planned):
        if progress is not None:
            progress(index, len(planned), item.config.label)
        when = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        outcome = run_config(item, options, timeout_s=timeout_s)
        results.extend(rows_for(index, item, outcome, options, when))
    if progress is not None:
        progress(len(planned), len(planned), "done")
    env = environment([item.model for item in planned], planned[0].settings, started)
    env["memory_bandwidth"] = {str(threads): bandwidth.to_dict() for threads, bandwidth in bandwidths.items()}
    env["gpu_bandwidth_gb_per_s"] = gpu_bandwidth_gb_per_s()
    result = {"schema": SCHEMA, "environment": env, "options": asdict(options), "results": results}
    annotate(result, bandwidths, env["gpu_bandwidth_gb_per_s"])
    return result


def rows_for(
    index: int, planned: PlannedConfig, outcome: dict[str, Any], options: Options, when: str
) -> list[dict[str, Any]]:
    """One flat row per test of this configuration (llama-bench's JSON: every field on every row)."""
    config, model = planned.config, planned.model
    reported = outcome.get("status")
    status: RowStatus = reported if reported in ROW_STATUSES else "failed"
    base: dict[str, Any] = {
        "config_id": index,
        "model": model.name,
        "model_file": str(model.path),
        "model_size_mb": round(model.size_mb, 2),
        "quantization": model.quantization,
        "synthetic": model.synthetic,  # same shape, random weights: the speed is the real model's, the text is not
        "backend": config.backend,
        **{key: getattr(config, key) for key in SWEEP_KEYS},
        "status": status,
        "reason": outcome.get("reason"),
        "repetitions": options.repetitions,
        "load_s": outcome.get("load_s"),
        "peak_rss_mb": outcome.get("peak_rss_mb"),
        "rss_mb": outcome.get("rss_mb"),
        "gpu_memory_mb": outcome.get("gpu_memory_mb"),
        "task_prompt_tokens": outcome.get("task_prompt_tokens"),
        "settings": planned.settings.model_dump(),
        "test_time": when,
    }
    tests = outcome.get("tests", {})
    bare = outcome.get("bare", {})
    rows = []
    for name in options.tests():
        row = {**base, "test": name, **_empty_measures()}
        kind = "task" if name == "task" else name[:2]
        row["n_prompt"] = options.n_prompt if kind == "pp" else 0
        row["n_gen"] = options.n_gen if kind == "tg" else options.task_tokens if kind == "task" else 0
        if status == "ok":
            _fill_measures(row, kind, tests.get(kind, []), bare.get(kind, []))
        rows.append(row)
    return rows


def _empty_measures() -> dict[str, Any]:
    return {
        "avg_ts": None,
        "stddev_ts": None,
        "samples_ts": [],
        "avg_s": None,
        "stddev_s": None,
        "samples_s": [],
        "bare_avg_ts": None,
        "bare_stddev_ts": None,
        "bare_samples_ts": [],
        "overhead_ratio": None,
        "avg_ttft_s": None,
        "stddev_ttft_s": None,
        "samples_ttft_s": [],
        "prompt_tokens": None,
        "generated_tokens": None,
    }


def _fill_measures(row: dict[str, Any], kind: str, samples: list[dict[str, Any]], bare: list[dict[str, Any]]) -> None:
    row["samples_ts"] = [sample.get("tokens_per_s") for sample in samples]
    row["samples_s"] = [sample.get("seconds") for sample in samples]
    row["avg_ts"], row["stddev_ts"] = summarize(row["samples_ts"])
    row["avg_s"], row["stddev_s"] = summarize(row["samples_s"])
    if samples:
        row["prompt_tokens"] = samples[0].get("prompt_tokens")
        row["generated_tokens"] = samples[0].get("generated_tokens")
    if kind == "task":
        row["samples_ttft_s"] = [sample.get("ttft_s") for sample in samples]
        row["avg_ttft_s"], row["stddev_ttft_s"] = summarize(row["samples_ttft_s"])
    if bare:
        row["bare_samples_ts"] = [sample.get("tokens_per_s") for sample in bare]
        row["bare_avg_ts"], row["bare_stddev_ts"] = summarize(row["bare_samples_ts"])
        if row["avg_ts"] and row["bare_avg_ts"]:
            row["overhead_ratio"] = row["avg_ts"] / row["bare_avg_ts"]


# --- the environment ---------------------------------------------------------


def environment(
    models: Iterable[ResolvedModel], settings: Settings, started: dt.datetime | None = None
) -> dict[str, Any]:
    """What the numbers were measured on: hardware, build, model files, settings and when."""
    import psutil

    gpu = gpu_info()
    seen: dict[str, dict[str, Any]] = {}
    for model in models:
        if model.name not in seen:
            seen[model.name] = model_info(model)
    return {
        "cpu_model": cpu_model(),
        "cpu_cores_logical": psutil.cpu_count(logical=True),
        "cpu_cores_physical": psutil.cpu_count(logical=False),
        "ram_total_mb": round(psutil.virtual_memory().total / (1024 * 1024)),
        "gpu_name": gpu["name"] if gpu else None,
        "gpu_memory_total_mb": gpu["memory_total_mb"] if gpu else None,
        "llama_cpp_python": llama_cpp_version(),
        "gpu_offload_supported": gpu_offload_supported(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "models": list(seen.values()),
        "settings": settings.model_dump(),
        "timestamp": (started or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
    }


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def model_info(model: ResolvedModel) -> dict[str, Any]:
    info: dict[str, Any] = {
        "name": model.name,
        "file": str(model.path),
        "size_mb": round(model.size_mb, 2),
        "quantization": model.quantization,
        "synthetic": model.synthetic,
    }
    try:
        gguf = read_gguf_info(model.path)
        info.update(architecture=gguf.architecture, layers=gguf.block_count, context_length=gguf.context_length)
    except CVEnhancerError:
        pass
    return info
