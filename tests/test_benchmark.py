"""Tests for scripts/benchmark.py, the app.bench package and the app's Benchmark page.

One short real benchmark with the embedded model (r=1, pp32, tg8, threads 1,2,
gpu-layers 0,all so the GPU rows are covered, the task with 14 new tokens (two per advice section) on a
tiny CV and job) runs once per module to JSON; the Markdown and CSV are
rendered from it by the script's --from-json. --compare, the sweep, the
statistics and bad input need no model.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import importlib.util
import io
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from app.bench.compare import chart_rows, compare_rows, memory_rows
from app.bench.plan import SCHEMA, BenchConfig, Options, expand_configs, parse_list
from app.bench.results import CSV_ENV_FIELDS, CSV_FIELDS, load_result
from app.bench.runner import summarize
from app.errors import InputError, SettingsError
from app.llm.engine import gpu_offload_supported, llama_cpp_version
from app.settings import Settings
from tests.helpers import TINY_CV, TINY_JOB, run_script, shown

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "benchmark.py"
PAGE = str(ROOT / "app" / "pages" / "benchmark.py")
APP = str(ROOT / "app" / "streamlit_app.py")
R = 1
TESTS = ["pp32", "tg8", "task"]


def run_benchmark(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return run_script("benchmark.py", *args, timeout=timeout)


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The real benchmark, once: its JSON, and the Markdown and CSV rendered from it by the script."""
    folder = tmp_path_factory.mktemp("bench")
    cv, job = folder / "cv.txt", folder / "job.txt"
    cv.write_text(TINY_CV, encoding="utf-8")
    job.write_text(TINY_JOB, encoding="utf-8")
    saved = folder / "run.json"
    # -o run.json: the format follows the suffix.
    run = run_benchmark(
        "--model", "smollm2-135m-instruct", "--threads", "1,2", "--gpu-layers", "0,all", "-r", R,
        "-p", 32, "-n", 8, "--task-tokens", 14, "--ctx", 1024, "--task-cv", cv, "--task-job", job,
        "-o", saved, "--no-progress",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    markdown = run_benchmark("--from-json", saved)
    csv_text = run_benchmark("--from-json", saved, "--output", "csv", "-o", folder / "run.csv")
    assert markdown.returncode == 0 and csv_text.returncode == 0, markdown.stderr + csv_text.stderr
    return {
        "path": saved,
        "json": json.loads(saved.read_text(encoding="utf-8")),
        "md": markdown.stdout,
        "csv": (folder / "run.csv").read_text(encoding="utf-8"),
        "stderr": run.stderr,
    }


def measured(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for row in result["results"] if row["gpu_layers"] == 0]


def gpu_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for row in result["results"] if row["gpu_layers"] != 0]


# --- the real run: JSON --------------------------------------------------------------------


def test_json_environment_is_complete(bench: dict[str, Any]) -> None:
    result = bench["json"]
    env = result["environment"]

    assert result["schema"] == SCHEMA
    assert isinstance(env["cpu_model"], str) and env["cpu_model"]
    assert env["cpu_cores_logical"] >= env["cpu_cores_physical"] >= 1
    assert env["ram_total_mb"] > 0
    assert "gpu_name" in env and "gpu_memory_total_mb" in env  # None here: no NVIDIA GPU to ask
    assert env["llama_cpp_python"] == llama_cpp_version()
    assert env["gpu_offload_supported"] is gpu_offload_supported()
    (model,) = env["models"]
    assert model["name"] == "smollm2-135m-instruct"
    assert Path(model["file"]).is_file() and model["file"].endswith(".gguf")
    assert model["size_mb"] > 50
    assert model["quantization"] == "Q4_1"
    assert model["layers"] > 0
    assert Settings(**env["settings"]).max_tokens == 14
    stamp = dt.datetime.fromisoformat(env["timestamp"])
    assert stamp.utcoffset() == dt.timedelta(0)
    assert result["options"] == {
        "repetitions": R,
        "n_prompt": 32,
        "n_gen": 8,
        "task": True,
        "task_tokens": 14,
        "task_cv": str(bench["path"].parent / "cv.txt"),
        "task_job": str(bench["path"].parent / "job.txt"),
        "warmup": True,
        "overhead": True,
        "bandwidth": True,
        "force_ctx": False,
    }


def test_json_has_a_row_per_configuration_and_test(bench: dict[str, Any]) -> None:
    rows = bench["json"]["results"]

    # threads × gpu_layers (1, 2 × 0, all), three tests each, in the sweep's order.
    keys = [(row["threads"], row["gpu_layers"], row["test"]) for row in rows]
    assert keys == [(t, ngl, test) for t in (1, 2) for ngl in (0, -1) for test in TESTS]
    for row in rows:
        assert set(row) >= set(CSV_FIELDS)
        assert row["model"] == "smollm2-135m-instruct" and row["quantization"] == "Q4_1"
        assert row["batch"] == 512 and row["ctx"] == 1024 and row["repetitions"] == R
        assert row["backend"] == ("CPU" if row["gpu_layers"] == 0 else "GPU")
        settings = Settings(**row["settings"])  # the one validated settings object travels with each row
        assert (settings.threads, settings.gpu_layers, settings.batch, settings.ctx) == (
            row["threads"],
            row["gpu_layers"],
            row["batch"],
            row["ctx"],
        )


def test_measured_rows_have_samples_mean_sd_and_memory(bench: dict[str, Any]) -> None:
    rows = measured(bench["json"])

    assert len(rows) == 2 * len(TESTS)
    for row in rows:
        assert row["status"] == "ok" and row["reason"] is None
        assert len(row["samples_ts"]) == R and len(row["samples_s"]) == R
        assert row["avg_ts"] == pytest.approx(statistics.fmean(row["samples_ts"])) and row["avg_ts"] > 0
        assert row["stddev_ts"] == 0.0  # one repetition: no spread to measure
        assert row["avg_s"] > 0
        assert row["load_s"] > 0
        assert 50 < row["peak_rss_mb"] < 2000 and row["rss_mb"] > 0
        assert row["gpu_memory_mb"] is None  # CPU configurations: no GPU memory to report
        dt.datetime.fromisoformat(row["test_time"])


def test_pp_and_tg_carry_the_overhead_ratio_against_bare_llama_cpp(bench: dict[str, Any]) -> None:
    for row in measured(bench["json"]):
        if row["test"] == "task":
            assert row["overhead_ratio"] is None and row["bare_samples_ts"] == []
            continue
        assert len(row["bare_samples_ts"]) == R
        assert row["bare_avg_ts"] > 0
        assert row["overhead_ratio"] == pytest.approx(row["avg_ts"] / row["bare_avg_ts"])
        assert row["overhead_ratio"] > 0
    by_test = {row["test"]: row for row in measured(bench["json"]) if row["threads"] == 1}
    assert by_test["pp32"]["prompt_tokens"] == 32 and by_test["pp32"]["n_prompt"] == 32
    assert by_test["tg8"]["generated_tokens"] == 8 and by_test["tg8"]["n_gen"] == 8  # end-of-text banned


def test_task_rows_have_time_to_first_token_and_total(bench: dict[str, Any]) -> None:
    for row in measured(bench["json"]):
        if row["test"] != "task":
            assert row["samples_ttft_s"] == [] and row["avg_ttft_s"] is None
            continue
        assert len(row["samples_ttft_s"]) == R
        assert 0 < row["avg_ttft_s"] <= row["avg_s"]  # the first token comes before the end
        assert row["prompt_tokens"] > 100  # the real advice prompt, not a filler
        assert 1 <= row["generated_tokens"] <= 14


def test_gpu_rows_are_skipped_with_the_reason_and_the_rebuild_command(bench: dict[str, Any]) -> None:
    rows = gpu_rows(bench["json"])

    assert len(rows) == 2 * len(TESTS)
    if gpu_offload_supported():  # a GPU build measures them
        assert all(row["status"] == "ok" and row["avg_ts"] > 0 for row in rows)
        return
    for row in rows:
        assert row["status"] == "skipped"
        assert "no GPU offload" in row["reason"]
        assert 'CMAKE_ARGS="-DGGML_CUDA=on" pip install' in row["reason"]
        assert row["avg_ts"] is None and row["samples_ts"] == [] and row["peak_rss_mb"] is None
    assert "error" not in bench["stderr"]  # skipped is not a failure


# --- the real run: Markdown and CSV --------------------------------------------------------


def cells_of(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def table_rows(markdown: str, *first_headers: str) -> tuple[list[str], list[list[str]]]:
    """The header and body cells of the Markdown table whose header starts with first_headers."""
    lines = markdown.splitlines()
    start = next(
        i
        for i, line in enumerate(lines)
        if line.startswith("|") and cells_of(line)[: len(first_headers)] == list(first_headers)
    )
    body = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        body.append(cells_of(line))
    return cells_of(lines[start]), body


def test_markdown_is_a_llama_bench_table(bench: dict[str, Any]) -> None:
    markdown, result = bench["md"], bench["json"]
    header, body = table_rows(markdown, "model")

    assert header == [
        "model", "size", "backend", "threads", "ngl", "n_batch", "n_ctx", "test", "t/s", "bare t/s", "ours/bare",
    ]  # fmt: skip
    assert len(body) == len(result["results"])
    assert re.match(r"\| -+ \| -+: \| -+ \| -+: \|", markdown.splitlines()[1])  # numbers right-aligned
    for cells, row in zip(body, result["results"], strict=True):
        assert cells[0] == "smollm2-135m-instruct Q4_1"
        assert cells[1].endswith(" MiB")
        assert cells[2:8] == [
            row["backend"],
            str(row["threads"]),
            "all" if row["gpu_layers"] < 0 else "0",
            "512",
            "1024",
            row["test"],
        ]
        if row["status"] == "ok":
            assert cells[8] == f"{row['avg_ts']:.2f} ± {row['stddev_ts']:.2f}"
            if row["test"] != "task":
                assert cells[10] == f"{row['overhead_ratio']:.3f}"
        else:
            assert cells[8].startswith("skipped (note 1)")
    if gpu_offload_supported():  # every row measured: no note, no rebuild command
        assert "no GPU offload" not in markdown and "CMAKE_ARGS" not in markdown
    else:
        assert "- note 1: this llama-cpp-python build has no GPU offload" in markdown
        assert "CMAKE_ARGS" in markdown
    assert "build: llama-cpp-python " + llama_cpp_version() in markdown


def test_markdown_second_table_has_load_memory_and_task_latency(bench: dict[str, Any]) -> None:
    header, body = table_rows(bench["md"], "model", "backend")  # the per-configuration table
    rows = {row["threads"]: row for row in measured(bench["json"]) if row["test"] == "task"}

    assert header[6:] == ["load s", "peak RSS MB", "GPU MB", "task ttft s", "task total s", "prompt tokens"]
    assert [cells[2] for cells in body] == ["1", "2"]  # measured configurations only
    for cells in body:
        row = rows[int(cells[2])]
        assert cells[6] == f"{row['load_s']:.3f}"
        assert cells[7] == f"{row['peak_rss_mb']:.0f}"
        assert cells[8] == "—"
        assert cells[9] == f"{row['avg_ttft_s']:.2f} ± {row['stddev_ttft_s']:.2f}"
        assert cells[10] == f"{row['avg_s']:.2f} ± {row['stddev_s']:.2f}"


def test_csv_has_every_field_of_every_row(bench: dict[str, Any]) -> None:
    reader = csv.DictReader(io.StringIO(bench["csv"]))
    records = list(reader)
    rows = bench["json"]["results"]

    assert reader.fieldnames == [*CSV_FIELDS, *CSV_ENV_FIELDS]
    assert len(records) == len(rows)
    for record, row in zip(records, rows, strict=True):
        assert record["test"] == row["test"] and record["status"] == row["status"]
        assert record["llama_cpp_python"] == llama_cpp_version()
        assert json.loads(record["settings"]) == row["settings"]
        if row["status"] != "ok":
            assert record["avg_ts"] == "" and "CMAKE_ARGS" in record["reason"]
            continue
        assert float(record["avg_ts"]) == pytest.approx(row["avg_ts"])
        assert float(record["stddev_ts"]) == 0.0
        assert [float(v) for v in record["samples_ts"].split(";")] == pytest.approx(row["samples_ts"])
        assert float(record["peak_rss_mb"]) == pytest.approx(row["peak_rss_mb"])
        if row["test"] != "task":
            assert float(record["overhead_ratio"]) == pytest.approx(row["overhead_ratio"])
            assert len(record["bare_samples_ts"].split(";")) == R
        else:
            assert len(record["samples_ttft_s"].split(";")) == R


# --- --compare -----------------------------------------------------------------------------


def synthetic(gpu_layers: int, speeds: dict[tuple[int, str], float], sd: float = 0.5) -> dict[str, Any]:
    """A saved result with one row per (threads, test) at the given t/s."""
    rows = []
    for (threads, test), speed in speeds.items():
        rows.append(
            {
                "model": "m",
                "quantization": None,
                "backend": "CPU" if gpu_layers == 0 else "GPU",
                "threads": threads,
                "gpu_layers": gpu_layers,
                "batch": 512,
                "ctx": 4096,
                "test": test,
                "status": "ok",
                "avg_ts": speed,
                "stddev_ts": sd,
            }
        )
    return {"schema": SCHEMA, "environment": {"cpu_model": "cpu"}, "options": {}, "results": rows}


def write_json(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def speedups(markdown: str) -> dict[tuple[str, str], tuple[str, str, str, str]]:
    header, body = table_rows(markdown, "model")
    assert header == ["model", "threads", "ngl", "n_batch", "n_ctx", "test", "A t/s", "B t/s", "speed-up B/A"]
    return {(cells[1], cells[5]): (cells[2], cells[6], cells[7], cells[8]) for cells in body}


def test_compare_adds_the_speed_up_of_b_over_a(tmp_path: Path) -> None:
    cpu = write_json(tmp_path / "cpu.json", synthetic(0, {(1, "pp512"): 100.0, (1, "tg128"): 20.0, (2, "tg128"): 30}))
    gpu = write_json(tmp_path / "gpu.json", synthetic(-1, {(1, "pp512"): 2500.0, (1, "tg128"): 90.0, (4, "tg128"): 9}))

    result = run_benchmark("--compare", cpu, gpu)

    assert result.returncode == 0, result.stderr
    assert f"A: {cpu}" in result.stdout and f"B: {gpu}" in result.stdout
    table = speedups(result.stdout)
    # threads differ between the runs (1,2 against 1,4): not joined on, so every pair of a test shows.
    assert table[("1", "pp512")] == ("0 → all", "100.00 ± 0.50", "2500.00 ± 0.50", "25.00×")
    assert table[("1 → 4", "tg128")] == ("0 → all", "20.00 ± 0.50", "9.00 ± 0.50", "0.45×")
    assert table[("2 → 1", "tg128")][3] == f"{90 / 30:.2f}×"
    assert table[("2 → 4", "tg128")][3] == f"{9 / 30:.2f}×"
    assert len(table) == 5  # pp: 1 × 1; tg: 2 × 2


def test_compare_joins_on_shared_sweep_keys_with_a_real_result(bench: dict[str, Any], tmp_path: Path) -> None:
    real = bench["json"]
    faster = copy.deepcopy(real)
    for row in faster["results"]:
        if row["status"] == "ok":
            row["avg_ts"] *= 2

    result = run_benchmark("--compare", bench["path"], write_json(tmp_path / "faster.json", faster))

    assert result.returncode == 0, result.stderr
    joined = compare_rows(real, faster)
    assert len(joined) == len(real["results"])  # every key shared: one B row per A row
    table = speedups(result.stdout)
    for threads in ("1", "2"):
        for test in TESTS:
            assert table[(threads, test)][3] in ("2.00×", "—")
    if gpu_offload_supported():
        assert all(cells[3] == "2.00×" for cells in table.values())
    else:
        assert any(cells[3] == "—" for cells in table.values())  # skipped rows have no speed-up


@pytest.mark.parametrize("mode", ["--compare", "--from-json"])
def test_compare_and_from_json_never_import_llama_cpp(mode: str, tmp_path: Path) -> None:
    """Rendering saved results needs no model library: it works where llama-cpp-python is broken or absent."""
    cpu = write_json(tmp_path / "cpu.json", synthetic(0, {(1, "tg128"): 20.0}))
    gpu = write_json(tmp_path / "gpu.json", synthetic(-1, {(1, "tg128"): 90.0}))
    files = [str(cpu), str(gpu)] if mode == "--compare" else [str(cpu), "--output", "csv"]
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['benchmark.py', {mode!r}, *{files!r}]\n"
        "try:\n"
        f"    runpy.run_path({str(SCRIPT)!r}, run_name='__main__')\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        "print('LOADED' if 'llama_cpp' in sys.modules else 'NOT LOADED', file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "NOT LOADED"
    assert ("speed-up B/A" in result.stdout) if mode == "--compare" else result.stdout.startswith("model,")


def test_compare_of_a_file_that_is_not_a_result_exits_2(tmp_path: Path) -> None:
    bogus = write_json(tmp_path / "bogus.json", {"hello": 1})
    result = run_benchmark("--compare", bogus, bogus)

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: {bogus}: not a benchmark result of scripts/benchmark.py (schema {SCHEMA})."
    ]


# --- the sweep and the statistics, no model ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "allow_all", "minimum", "expected"),
    [
        ("1", False, 1, [1]),
        ("1,2,4", False, 1, [1, 2, 4]),
        (" 2 , 2,1", False, 1, [2, 1]),
        ("0,16,all", True, 0, [0, 16, -1]),
        ("-1", True, 0, [-1]),
        ("ALL", True, 0, [-1]),
    ],
)
def test_parse_list(text: str, allow_all: bool, minimum: int, expected: list[int]) -> None:
    assert parse_list(text, "--x", allow_all=allow_all, minimum=minimum) == expected


@pytest.mark.parametrize(
    ("text", "allow_all", "message"),
    [("1,x", False, "'x' is not a number"), ("1,,2", False, "an empty item"), ("0", False, "below the minimum")],
)
def test_parse_list_rejects(text: str, allow_all: bool, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        parse_list(text, "--x", allow_all=allow_all)


@pytest.mark.parametrize(
    ("models", "threads", "layers", "batch", "ctx", "count"),
    [
        (["a"], [1], [0], [512], [4096], 1),
        (["a"], [1, 2], [0, -1], [512], [4096], 4),
        (["a", "b"], [1, 2, 4], [0, 16, -1], [256, 512], [2048, 4096], 72),
    ],
)
def test_expand_configs_is_the_full_product(
    models: list[str], threads: list[int], layers: list[int], batch: list[int], ctx: list[int], count: int
) -> None:
    configs = expand_configs(models, threads, layers, batch, ctx)

    assert len(configs) == count == len(set(configs))
    assert configs[0] == BenchConfig(models[0], threads[0], layers[0], batch[0], ctx[0])
    assert [c.model for c in configs] == sorted(c.model for c in configs)  # models outermost
    assert {c.backend for c in configs} == ({"CPU", "GPU"} if any(layers) else {"CPU"})


def test_config_label_names_backend_threads_and_layers() -> None:
    assert BenchConfig("m", 2, -1, 512, 4096).label == "GPU t2 nglall b512 c4096"
    assert BenchConfig("m", 8, 0, 256, 2048).label == "CPU t8 ngl0 b256 c2048"


@pytest.mark.parametrize(
    ("values", "mean", "sd"),
    [
        ([], None, None),
        ([None], None, None),
        ([5.0], 5.0, 0.0),
        ([1.0, 3.0], 2.0, 2**0.5),  # sample sd (n - 1), as llama-bench
        ([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 5.0, statistics.stdev([2, 4, 4, 4, 5, 5, 7, 9])),
        ([10.0, None, 20.0], 15.0, statistics.stdev([10, 20])),
    ],
)
def test_summarize(values: list[float | None], mean: float | None, sd: float | None) -> None:
    got_mean, got_sd = summarize(values)

    assert got_mean == (None if mean is None else pytest.approx(mean))
    assert got_sd == (None if sd is None else pytest.approx(sd))


def test_options_name_the_tests_like_llama_bench() -> None:
    assert Options().tests() == ["pp512", "tg128", "task"]
    assert Options(n_prompt=0, task=False).tests() == ["tg128"]


def test_load_result_rejects_what_is_not_a_result(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a JSON file"):
        load_result(b"\x00\x01", "x.json")
    with pytest.raises(InputError, match="cannot read it"):
        load_result(tmp_path / "missing.json")


def test_chart_rows_name_each_configuration(bench: dict[str, Any]) -> None:
    rows = chart_rows([("run", bench["json"])])
    two = chart_rows([("cpu", bench["json"]), ("again", bench["json"])])

    assert [row["configuration"] for row in rows if row["test"] == "tg8"] == [
        "CPU t1 ngl0 b512 c1024",
        "CPU t2 ngl0 b512 c1024",
    ]
    assert all(row["tokens/s"] > 0 for row in rows)
    assert len(two) == 2 * len(rows) and two[0]["configuration"].startswith("cpu: ")
    memory = memory_rows([("run", bench["json"])])
    assert [row["peak RSS MB"] > 0 for row in memory] == [True, True]


# --- bad input -----------------------------------------------------------------------------


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmark_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--threads", "1,x"], "--threads: 'x' is not a number"),
        (["--gpu-layers", "0,most"], "--gpu-layers: 'most' is not a number"),
        (["--threads", "0"], "--threads: 0 is below the minimum of 1"),
        (["-r", "0"], "-r/--repetitions must be at least 1"),
        (["--model", "no-such-model"], "unknown model 'no-such-model'"),
        (["--ctx", "100"], "ctx: Input should be greater than or equal to 512"),
        (["-p", "4096", "--ctx", "4096"], "pp4096 does not fit a context of 4096"),
        (["-n", "1"], "-n/--n-gen 1 measures no generation step"),
        (["-p", "0", "-n", "0", "--no-task"], "nothing to measure"),
        (["--task-cv", "/no/such/cv.txt"], "cv.txt"),
        (["--output", "xml"], "invalid choice: 'xml'"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    script = load_script()
    try:
        code = script.main([*args, "--no-progress", "-o", str(tmp_path / "out.json")])
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    captured = capsys.readouterr()

    assert code == 2
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], captured.err
    assert not (tmp_path / "out.json").exists()


def test_bad_list_from_the_command_line_exits_2() -> None:
    result = run_benchmark("--threads", "1,two")

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: --threads: 'two' is not a number; give a comma-separated list of integers, e.g. 1,2."
    ]


def test_a_model_that_cannot_load_is_a_failed_row_not_a_crash(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)
    saved = tmp_path / "broken.json"

    result = run_benchmark("--model", broken, "-t", 1, "-r", 1, "-p", 8, "-n", 0, "--no-task", "-o", saved)

    assert result.returncode == 1
    (row,) = json.loads(saved.read_text(encoding="utf-8"))["results"]
    assert row["status"] == "failed" and row["reason"]
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == f"error: a configuration failed: {row['reason']}"


# --- the Benchmark page --------------------------------------------------------------------


def charts(app: AppTest) -> list[Any]:
    return list(app.get("vega_lite_chart"))


def test_page_loads_saved_results_and_shows_charts(bench: dict[str, Any]) -> None:
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.run()
    assert not app.exception
    assert [info.value for info in app.info] == ["Run a benchmark or load a saved result file to see the charts."]
    assert charts(app) == []

    app.file_uploader[0].set_value(("cpu.json", bench["path"].read_bytes(), "application/json"))
    app.run()

    assert not app.exception
    assert len(charts(app)) == 2  # tokens/s per configuration, and memory
    spec = json.loads(charts(app)[0].proto.spec)
    assert spec["encoding"]["y"]["field"] == "configuration" or spec["encoding"]["x"]["field"] == "configuration"
    rebuild_warnings = [warning.value for warning in app.warning if "CMAKE_ARGS" in shown(warning.value)]
    assert bool(rebuild_warnings) is not gpu_offload_supported()  # only a CPU-only build skips GPU rows
    assert any("| model " in block.value for block in app.markdown)  # the llama-bench table


def test_page_rejects_a_file_that_is_not_a_result() -> None:
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.run()
    app.file_uploader[0].set_value(("notes.json", b'{"a": 1}', "application/json"))
    app.run()

    assert not app.exception
    assert [error.value for error in app.error] == [
        f"notes.json: not a benchmark result of scripts/benchmark.py (schema {SCHEMA})."
    ]


def test_page_runs_a_quick_benchmark_with_progress() -> None:
    app = AppTest.from_file(PAGE, default_timeout=120)
    app.run()
    app.text_input[0].set_value("1")
    app.number_input[0].set_value(1)  # repetitions
    app.number_input[1].set_value(16)  # pp
    app.number_input[2].set_value(4)  # tg
    next(button for button in app.button if button.label == "Run").click()
    app.run()

    assert not app.exception
    assert [error.value for error in app.error] == []
    (bar,) = app.get("progress")
    assert bar.proto.value == 100
    assert len(charts(app)) == 2
    (name,) = app.session_state["bench_results"]
    rows = app.session_state["bench_results"][name]["results"]
    assert [(row["test"], row["status"]) for row in rows] == [("pp16", "ok"), ("tg4", "ok")]


def test_the_main_app_lists_the_benchmark_page() -> None:
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.switch_page("pages/benchmark.py")
    app.run()

    assert not app.exception
    assert [title.value for title in app.title] == ["Benchmark"]
