"""Benchmarks in the manner of llama.cpp's llama-bench: pp N, tg N and the real task, CPU against GPU.

The core of scripts/benchmark.py and of the app's Benchmark page (no llama_cpp
and no streamlit here):

- `parse_list` and `prepare` turn the sweep (models × threads × gpu_layers ×
  batch × ctx) into validated configurations, each with its `Settings`;
- `run_config` measures one configuration in a fresh process
  (app.bench.worker), so that its peak RSS is its own: the load (timed
  apart), an untimed warm-up, r repetitions of each test, pp and tg taking
  turns with the same test through bare llama-cpp-python (the overhead ratio);
- `run_benchmark` runs them all and returns one JSON-ready result: the
  environment and one row per configuration × test, with the raw samples,
  mean and sample standard deviation;
- `to_markdown` (llama-bench's table), `to_csv`, `to_json`, `compare_markdown`
  (speed-up of B over A) and `chart_rows` (the app's charts) present it.

GPU configurations on a build without GPU offload are rows with status
"skipped", the reason and the rebuild command: never a failure.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from app.analysis.documents import read_document
from app.bench.bandwidth import Bandwidth, measure_bandwidth
from app.bench.roofline import annotate, markdown_section
from app.errors import CVEnhancerError, InputError, SettingsError
from app.hub.catalog import PROJECT_ROOT, ResolvedModel, is_synthetic_ref, resolve_model
from app.llm.engine import gpu_offload_supported, llama_cpp_version
from app.llm.gguf_info import read_gguf_info
from app.llm.memory import gpu_bandwidth_gb_per_s, gpu_info
from app.llm.synthetic import BuildProgress, build_synthetic
from app.pipeline import is_synthetic_file
from app.settings import Settings, make_settings

SCHEMA = "cv-enhancer-benchmark/1"
SWEEP_KEYS: tuple[str, ...] = ("threads", "gpu_layers", "batch", "ctx")
REBUILD_COMMAND = 'CMAKE_ARGS="-DGGML_CUDA=on" pip install --force-reinstall --no-cache-dir llama-cpp-python'
NO_OFFLOAD_REASON = (
    f"this llama-cpp-python build has no GPU offload; rebuild it with `{REBUILD_COMMAND}` (Metal: -DGGML_METAL=on)"
)
# The tg test's prompt: a few tokens, evaluated as one batch so it never counts as generation.
TG_PROMPT_TOKENS = 8
# Tokens the warm-up generates (llama-bench's warm-up generates one; two make llama.cpp decode once).
WARMUP_GEN_TOKENS = 2
ProgressCallback = Callable[[int, int, str], None]
EXAMPLES = PROJECT_ROOT / "app" / "examples"


class BenchmarkError(InputError):
    """A saved benchmark file cannot be used (not JSON, not a benchmark result)."""


@dataclass(frozen=True)
class Options:
    """What each configuration runs; the same for every configuration of one benchmark."""

    repetitions: int = 5
    n_prompt: int = 512  # pp test: 0 skips it
    n_gen: int = 128  # tg test: 0 skips it
    task: bool = True  # the real task: one CV + job analysis
    task_tokens: int = 64  # max new tokens of the task's advice
    task_cv: str | None = None  # the task's CV and job files; None: the bundled app/examples pair
    task_job: str | None = None
    warmup: bool = True
    overhead: bool = True  # the same pp/tg through bare llama-cpp-python
    bandwidth: bool = True  # measure memory bandwidth: each tg row's bound and efficiency

    def tests(self) -> list[str]:
        names = []
        if self.n_prompt:
            names.append(f"pp{self.n_prompt}")
        if self.n_gen:
            names.append(f"tg{self.n_gen}")
        if self.task:
            names.append("task")
        return names


@dataclass(frozen=True)
class BenchConfig:
    """One point of the sweep."""

    model: str
    threads: int
    gpu_layers: int  # -1: all
    batch: int
    ctx: int

    @property
    def backend(self) -> str:
        return "CPU" if self.gpu_layers == 0 else "GPU"

    @property
    def label(self) -> str:
        return f"{self.backend} t{self.threads} ngl{layers_text(self.gpu_layers)} b{self.batch} c{self.ctx}"


@dataclass(frozen=True)
class PlannedConfig:
    """A configuration ready to run: its model file and its validated settings."""

    config: BenchConfig
    model: ResolvedModel
    settings: Settings


def layers_text(gpu_layers: int) -> str:
    return "all" if gpu_layers < 0 else str(gpu_layers)


# --- the sweep ---------------------------------------------------------------


def parse_list(text: str, option: str, *, allow_all: bool = False, minimum: int = 1) -> list[int]:
    """ "1,2,4" -> [1, 2, 4]; with allow_all, "all" (or -1) -> -1. SettingsError (one line) otherwise."""
    values: list[int] = []
    for item in str(text).split(","):
        item = item.strip().lower()
        if allow_all and item in ("all", "-1"):
            value = -1
        else:
            try:
                value = int(item)
            except ValueError:
                expected = "integers or 'all'" if allow_all else "integers"
                raise SettingsError(
                    f"{option}: {item or 'an empty item'!r} is not a number; give a comma-separated list of "
                    f"{expected}, e.g. {'0,16,all' if allow_all else '1,2'}."
                ) from None
            if value < minimum:
                raise SettingsError(f"{option}: {value} is below the minimum of {minimum}.")
        if value not in values:
            values.append(value)
    return values


def expand_configs(
    models: Sequence[str],
    threads: Sequence[int],
    gpu_layers: Sequence[int],
    batch: Sequence[int],
    ctx: Sequence[int],
) -> list[BenchConfig]:
    """Every combination, models outermost (llama-bench's order: model, then each parameter in turn)."""
    return [BenchConfig(*values) for values in itertools.product(models, threads, gpu_layers, batch, ctx)]


def validate_options(options: Options) -> None:
    if options.repetitions < 1:
        raise SettingsError(f"-r/--repetitions must be at least 1 (got {options.repetitions}).")
    if options.n_prompt < 0 or options.n_gen < 0:
        raise SettingsError("-p/--n-prompt and -n/--n-gen must be 0 (skip the test) or more.")
    if options.n_gen == 1:
        raise SettingsError("-n/--n-gen 1 measures no generation step; use 2 or more (0 skips the test).")
    if not options.tests():
        raise SettingsError("nothing to measure: -p 0, -n 0 and --no-task leave no test.")
    if options.task:
        for path in task_documents(options):
            read_document(path)  # a DocumentError (one line) now rather than a failed row later


def task_documents(options: Options) -> tuple[Path, Path]:
    """The CV and job of the real task: the bundled example pair unless others were given."""
    return (
        Path(options.task_cv) if options.task_cv else EXAMPLES / "example_cv.txt",
        Path(options.task_job) if options.task_job else EXAMPLES / "example_job.txt",
    )


def prepare(
    configs: Iterable[BenchConfig], options: Options, *, build_progress: BuildProgress | None = None
) -> list[PlannedConfig]:
    """Resolve the models and validate every configuration's settings before anything runs.

    A synthetic model ("synthetic:NAME[:QUANT]") is built first when it is not
    yet (app.llm.synthetic; build_progress follows it), and reused after.
    """
    validate_options(options)
    resolved: dict[str, ResolvedModel] = {}
    planned: list[PlannedConfig] = []
    for config in configs:
        if config.model not in resolved:
            resolved[config.model] = resolve_for_benchmark(config.model, build_progress)
        settings = make_settings(
            model=config.model,
            threads=config.threads,
            gpu_layers=config.gpu_layers,
            batch=config.batch,
            ctx=config.ctx,
            max_tokens=options.task_tokens,
        )
        # The engine needs room for the prompt plus the new tokens.
        if options.n_prompt and options.n_prompt + 1 > config.ctx:
            raise SettingsError(f"pp{options.n_prompt} does not fit a context of {config.ctx}; raise --ctx or lower -p")
        if options.n_gen and TG_PROMPT_TOKENS + options.n_gen > config.ctx:
            raise SettingsError(f"tg{options.n_gen} does not fit a context of {config.ctx}; raise --ctx or lower -n")
        planned.append(PlannedConfig(config, resolved[config.model], settings))
    if not planned:
        raise SettingsError("no configuration to run.")
    return planned


def resolve_for_benchmark(model: str, build_progress: BuildProgress | None = None) -> ResolvedModel:
    """resolve_model, building a synthetic model first when needed; a synthetic file given by path is marked."""
    if is_synthetic_ref(model):
        build_synthetic(model, progress=build_progress)
    resolved = resolve_model(model)
    if not resolved.synthetic and is_synthetic_file(resolved.path):
        resolved = replace(resolved, synthetic=True)
    return resolved


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
        return {"status": "skipped", "reason": NO_OFFLOAD_REASON}
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
    status = outcome.get("status", "failed")
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


# --- saved results -----------------------------------------------------------


def to_json(result: dict[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2)


def load_result(data: bytes | str | Path, name: str = "") -> dict[str, Any]:
    """A saved result (a path, or the file's contents); BenchmarkError (one line) when it is not one."""
    label = name or (str(data) if isinstance(data, Path) else "the file")
    try:
        text = data.read_text(encoding="utf-8") if isinstance(data, Path) else data
        result = json.loads(text)
    except OSError as error:
        raise BenchmarkError(f"{label}: cannot read it ({error.strerror or error}).") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BenchmarkError(f"{label}: not a JSON file; save one with `scripts/benchmark.py --output json`.") from None
    if not isinstance(result, dict) or result.get("schema") != SCHEMA or not isinstance(result.get("results"), list):
        raise BenchmarkError(f"{label}: not a benchmark result of scripts/benchmark.py (schema {SCHEMA}).")
    return result


# --- Markdown and CSV --------------------------------------------------------


def size_text(size_mb: float | None) -> str:
    """llama-bench's size column: MiB below a GiB, else GiB."""
    if size_mb is None:
        return "—"
    return f"{size_mb / 1024:.2f} GiB" if size_mb >= 1024 else f"{size_mb:.2f} MiB"


def mean_sd_text(mean: float | None, sd: float | None, digits: int = 2) -> str:
    if mean is None:
        return "—"
    return f"{mean:.{digits}f} ± {(sd or 0.0):.{digits}f}"


def number_text(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    """A padded Markdown table, numbers right-aligned, as llama-bench prints it."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = [
            str(cell).rjust(width) if align else str(cell).ljust(width)
            for cell, width, align in zip(cells, widths, right, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "| " + " | ".join(("-" * (w - 1) + ":") if r else "-" * w for w, r in zip(widths, right, strict=True)) + " |"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def _model_label(row: dict[str, Any]) -> str:
    label = str(row["model"])
    if row.get("quantization") and str(row["quantization"]) not in label:
        label = f"{label} {row['quantization']}"
    return f"{label} (synthetic)" if row.get("synthetic") and not label.startswith("synthetic:") else label


def to_markdown(result: dict[str, Any]) -> str:
    """llama-bench's table (t/s mean ± sd per configuration and test) with the overhead ratio, then
    a table per configuration (load, memory, the task's latency), notes for skipped rows and the build line."""
    rows = result["results"]
    env = result.get("environment", {})
    options = result.get("options", {})
    main_header = ["model", "size", "backend", "threads", "ngl", "n_batch", "n_ctx", "test", "t/s"]
    with_bare = any(row.get("bare_avg_ts") is not None for row in rows)
    if with_bare:
        main_header += ["bare t/s", "ours/bare"]
    notes: list[str] = []
    main_rows = []
    for row in rows:
        cells = [
            _model_label(row),
            size_text(row.get("model_size_mb")),
            row["backend"],
            str(row["threads"]),
            layers_text(row["gpu_layers"]),
            str(row["batch"]),
            str(row["ctx"]),
            row["test"],
        ]
        if row["status"] != "ok":
            reason = row.get("reason") or row["status"]
            if reason not in notes:
                notes.append(reason)
            cells.append(f"{row['status']} ({_note_mark(notes.index(reason))})")
            cells += ["", ""] if with_bare else []
        else:
            cells.append(mean_sd_text(row.get("avg_ts"), row.get("stddev_ts")))
            if with_bare:
                cells.append(mean_sd_text(row.get("bare_avg_ts"), row.get("bare_stddev_ts")))
                cells.append(number_text(row.get("overhead_ratio"), ".3f"))
        main_rows.append(cells)
    right = [False, True, False, True, True, True, True, True, True] + ([True, True] if with_bare else [])
    parts = [markdown_table(main_header, main_rows, right)]

    per_config = _per_config_rows(rows)
    if per_config:
        header = ["model", "backend", "threads", "ngl", "n_batch", "n_ctx", "load s", "peak RSS MB", "GPU MB"]
        has_task = any(row["test"] == "task" for row in rows)
        if has_task:
            header += ["task ttft s", "task total s", "prompt tokens"]
        table = []
        for config_rows in per_config:
            first = config_rows[0]
            task = next((row for row in config_rows if row["test"] == "task"), None)
            cells = [
                _model_label(first),
                first["backend"],
                str(first["threads"]),
                layers_text(first["gpu_layers"]),
                str(first["batch"]),
                str(first["ctx"]),
                number_text(first.get("load_s"), ".3f"),
                number_text(first.get("peak_rss_mb"), ".0f"),
                number_text(first.get("gpu_memory_mb"), ".0f"),
            ]
            if has_task:
                cells += [
                    mean_sd_text(task.get("avg_ttft_s"), task.get("stddev_ttft_s")) if task else "—",
                    mean_sd_text(task.get("avg_s"), task.get("stddev_s")) if task else "—",
                    str(task.get("prompt_tokens") or "—") if task else "—",
                ]
            table.append(cells)
        right = [False, False, True, True, True, True, True, True, True] + [True] * (3 if has_task else 0)
        parts.append(markdown_table(header, table, right))

    roofline = markdown_section(rows, markdown_table)
    if roofline:
        parts.append(roofline)

    explained = []
    if any(row.get("synthetic") for row in rows):
        explained.append(
            "synthetic: a same-shape model with synthetic weights (app/llm/synthetic.py): the real model's speed, "
            "none of its text"
        )
    if options.get("task"):
        explained.append(
            f"task: one CV + job analysis ({_task_pair(options)}) with up to {options.get('task_tokens')} new tokens; "
            "its t/s is generation speed, ttft and total are end to end"
        )
    if with_bare:
        explained.append(
            "ours/bare: t/s through the project's engine over bare llama-cpp-python on the same loaded model, "
            "taking turns (1.0 = no overhead)"
        )
    explained.append("peak RSS: the configuration's own process (VmHWM); GPU MB: NVML memory used by the model")
    parts.append("\n".join(f"- {line}" for line in explained))
    if notes:
        parts.append("\n".join(f"- {_note_mark(i)}: {note}" for i, note in enumerate(notes)))
    parts.append(build_line(env, options))
    return "\n\n".join(parts) + "\n"


def _task_pair(options: dict[str, Any]) -> str:
    if not options.get("task_cv") and not options.get("task_job"):
        return "app/examples"
    cv = Path(options.get("task_cv") or "example_cv.txt").name
    job = Path(options.get("task_job") or "example_job.txt").name
    return f"{cv} + {job}"


def _note_mark(index: int) -> str:
    return f"note {index + 1}"


def _per_config_rows(rows: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        if row["status"] == "ok":
            groups.setdefault(row.get("config_id"), []).append(row)
    return list(groups.values())


def build_line(env: dict[str, Any], options: dict[str, Any]) -> str:
    """llama-bench's closing "build:" line: the build, the machine and the method."""
    offload = "GPU offload" if env.get("gpu_offload_supported") else "CPU only (no GPU offload)"
    gpu = f", GPU {env['gpu_name']} {env.get('gpu_memory_total_mb')} MB" if env.get("gpu_name") else ""
    warmup = "warm-up" if options.get("warmup", True) else "no warm-up"
    return (
        f"build: llama-cpp-python {env.get('llama_cpp_python', '?')}, {offload} · "
        f"{env.get('cpu_model', '?')}, {env.get('cpu_cores_physical', '?')} cores"
        f" ({env.get('cpu_cores_logical', '?')} logical), {env.get('ram_total_mb', '?')} MB RAM{gpu} · "
        f"r={options.get('repetitions', '?')}, {warmup}, mean ± sample sd · {env.get('timestamp', '')}"
    )


CSV_FIELDS: tuple[str, ...] = (
    "model",
    "synthetic",
    "model_file",
    "model_size_mb",
    "quantization",
    "backend",
    "threads",
    "gpu_layers",
    "batch",
    "ctx",
    "test",
    "n_prompt",
    "n_gen",
    "status",
    "reason",
    "repetitions",
    "avg_ts",
    "stddev_ts",
    "samples_ts",
    "avg_s",
    "stddev_s",
    "samples_s",
    "bare_avg_ts",
    "bare_stddev_ts",
    "bare_samples_ts",
    "overhead_ratio",
    "avg_ttft_s",
    "stddev_ttft_s",
    "samples_ttft_s",
    "prompt_tokens",
    "generated_tokens",
    "load_s",
    "peak_rss_mb",
    "rss_mb",
    "gpu_memory_mb",
    "bytes_per_token",
    "bandwidth_gb_per_s",
    "gpu_bandwidth_gb_per_s",
    "bound_ts",
    "efficiency",
    "task_prompt_tokens",
    "est_ttft_s",
    "settings",
    "test_time",
    "config_id",
)
CSV_ENV_FIELDS: tuple[str, ...] = (
    "cpu_model",
    "cpu_cores_physical",
    "gpu_name",
    "llama_cpp_python",
    "gpu_offload_supported",
    "timestamp",
)


def to_csv(result: dict[str, Any]) -> str:
    """One row per configuration × test with every field; samples joined by ';', settings as JSON."""
    env = result.get("environment", {})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CSV_FIELDS, *CSV_ENV_FIELDS])
    for row in result["results"]:
        cells = []
        for field in CSV_FIELDS:
            value = row.get(field)
            if field == "settings":
                cells.append(json.dumps(value, sort_keys=True))
            elif isinstance(value, list):
                cells.append(";".join("" if item is None else repr(float(item)) for item in value))
            else:
                cells.append("" if value is None else value)
        cells += ["" if env.get(field) is None else env.get(field) for field in CSV_ENV_FIELDS]
        writer.writerow(cells)
    return buffer.getvalue()


# --- comparing two results ---------------------------------------------------


def compare_rows(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of A and B joined by test and by every key (model and sweep keys) whose values both runs share.

    A key whose values differ between the runs (gpu_layers 0 in A, all in B) is
    what is being compared: it is not joined on, and shown as "A → B".
    """
    keys = ("model", *SWEEP_KEYS)
    a_rows, b_rows = a["results"], b["results"]
    shared = [key for key in keys if {row[key] for row in a_rows} == {row[key] for row in b_rows}]
    joined = []
    for a_row in a_rows:
        for b_row in b_rows:
            if b_row["test"] != a_row["test"] or any(b_row[key] != a_row[key] for key in shared):
                continue
            a_ts = a_row.get("avg_ts") if a_row["status"] == "ok" else None
            b_ts = b_row.get("avg_ts") if b_row["status"] == "ok" else None
            joined.append(
                {
                    "test": a_row["test"],
                    **{key: (a_row[key], b_row[key]) for key in keys},
                    "a_status": a_row["status"],
                    "b_status": b_row["status"],
                    "a_avg_ts": a_ts,
                    "a_stddev_ts": a_row.get("stddev_ts"),
                    "b_avg_ts": b_ts,
                    "b_stddev_ts": b_row.get("stddev_ts"),
                    "speedup": b_ts / a_ts if a_ts and b_ts else None,
                }
            )
    return joined


def compare_markdown(a: dict[str, Any], b: dict[str, Any], label_a: str = "A", label_b: str = "B") -> str:
    """A table of A t/s, B t/s and the speed-up B/A (e.g. A a CPU run, B a GPU run)."""
    joined = compare_rows(a, b)
    if not joined:
        return f"No rows of {label_a} and {label_b} share a test and configuration; nothing to compare.\n"

    def both(pair: tuple[Any, Any], text: Callable[[Any], str] = str) -> str:
        return text(pair[0]) if pair[0] == pair[1] else f"{text(pair[0])} → {text(pair[1])}"

    def ts(status: str, mean: float | None, sd: float | None) -> str:
        return mean_sd_text(mean, sd) if status == "ok" else status

    header = ["model", "threads", "ngl", "n_batch", "n_ctx", "test", "A t/s", "B t/s", "speed-up B/A"]
    rows = [
        [
            both(row["model"]),
            both(row["threads"]),
            both(row["gpu_layers"], layers_text),
            both(row["batch"]),
            both(row["ctx"]),
            row["test"],
            ts(row["a_status"], row["a_avg_ts"], row["a_stddev_ts"]),
            ts(row["b_status"], row["b_avg_ts"], row["b_stddev_ts"]),
            "—" if row["speedup"] is None else f"{row['speedup']:.2f}×",
        ]
        for row in joined
    ]
    table = markdown_table(header, rows, [False, True, True, True, True, True, True, True, True])
    legend = f"A: {label_a} ({_run_summary(a)})\nB: {label_b} ({_run_summary(b)})"
    return f"{legend}\n\n{table}\n"


def _run_summary(result: dict[str, Any]) -> str:
    env = result.get("environment", {})
    gpu = env.get("gpu_name") or "no GPU"
    return f"{env.get('cpu_model', '?')}, {gpu}, llama-cpp-python {env.get('llama_cpp_python', '?')}, " + str(
        env.get("timestamp", "")
    )


# --- the app's charts --------------------------------------------------------


def chart_rows(results: Sequence[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Flat rows for the Benchmark page's charts: one per measured configuration × test of each result.

    `configuration` names the run (when there are several), the backend, threads and offloaded layers.
    """
    several = len(results) > 1
    rows = []
    for source, result in results:
        for row in result["results"]:
            if row["status"] != "ok":
                continue
            config = BenchConfig(row["model"], row["threads"], row["gpu_layers"], row["batch"], row["ctx"])
            label = f"{source}: {config.label}" if several else config.label
            if len({r["model"] for r in result["results"]}) > 1:
                label = f"{row['model']} {label}"
            rows.append(
                {
                    "source": source,
                    "configuration": label,
                    "model": row["model"],
                    "weights": "synthetic" if row.get("synthetic") else "real",
                    # The chart's colour: the test, and whether the weights are real or synthetic.
                    "series": f"{row['test']} ({'synthetic' if row.get('synthetic') else 'real'} weights)",
                    "backend": row["backend"],
                    "threads": row["threads"],
                    "gpu_layers": layers_text(row["gpu_layers"]),
                    "test": row["test"],
                    "tokens/s": row.get("avg_ts"),
                    "sd": row.get("stddev_ts"),
                    "peak RSS MB": row.get("peak_rss_mb"),
                    "GPU MB": row.get("gpu_memory_mb"),
                }
            )
    return rows


def skipped_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows that were not measured, with why."""
    return [row for row in result["results"] if row["status"] != "ok"]


def memory_rows(results: Sequence[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One row per measured configuration: peak RSS and GPU memory (the Benchmark page's memory chart)."""
    rows: dict[str, dict[str, Any]] = {}
    for row in chart_rows(results):
        rows.setdefault(
            row["configuration"],
            {
                "configuration": row["configuration"],
                "backend": row["backend"],
                "peak RSS MB": row["peak RSS MB"],
                "GPU MB": row["GPU MB"] or 0.0,
            },
        )
    return list(rows.values())
