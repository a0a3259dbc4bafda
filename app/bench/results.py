"""Saved benchmark results: reading them back, and rendering them as llama-bench does (Markdown, CSV, JSON).

No llama_cpp here: `scripts/benchmark.py --from-json` and the app's charts of
saved files work without loading (or even importing) the model library.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.bench.plan import SCHEMA, BenchmarkError, layers_text
from app.bench.roofline import markdown_section
from app.formatting import markdown_table

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
