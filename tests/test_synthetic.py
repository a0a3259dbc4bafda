"""Synthetic same-shape models (app.llm.synthetic*), the bandwidth bound and the speed estimates.

A tiny llama-shaped model (2 layers, 256 wide, a 1,024-token vocabulary) is
built once per module with the real path (gguf-py, llama.cpp's
quantizer's recipe, ggml's quantization), loaded and made to generate in
seconds; the same model built through an F16 file and llama_model_quantize
is checked to be identical in types and size. The 7B shapes are checked
through llama.cpp's dry run on a sparse F16 file: their per-tensor types and
size, with no weights written. Building a real 7B is a benchmark, not a test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app.analysis.documents import from_text
from app.bench.bandwidth import efficiency, measure_bandwidth, split_bound, tg_bound
from app.bench.compare import chart_rows
from app.bench.estimates import (
    Estimate,
    estimate_text,
    estimates_from_result,
    load_estimates,
    record_estimates,
)
from app.errors import ModelNotFoundError, SettingsError, SyntheticBuildError, SyntheticModelError
from app.hub.catalog import (
    Architecture,
    available_models,
    load_architectures,
    load_catalog,
    lookup,
    resolve_model,
    synthetic_models,
    synthetic_path,
)
from app.llm.engine import Decoding, Engine, LoadSettings
from app.llm.gguf_info import TokenReads, read_gguf_info, read_tensor_table, token_reads
from app.llm.synthetic import (
    build_architecture,
    build_synthetic,
    plan,
    resolve_target,
    size_comparison,
)
from app.llm.synthetic_layout import N_BYTES, N_SPECIAL, synthetic_vocab
from app.pipeline import SYNTHETIC_REFUSAL, load_engine, run_analysis
from app.settings import make_settings
from tests.helpers import TINY_CV, TINY_JOB, run_script, shown

TINY = Architecture(
    name="tiny",
    source="tests",
    block_count=2,
    embedding_length=256,  # a multiple of 256: K-quant blocks fit, as in the real 4096
    feed_forward_length=512,
    head_count=4,
    head_count_kv=2,
    vocab_size=1024,
    context_length=2048,
)
APP = str(Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py")
LLAMA_2_7B_Q4_K_M_BYTES = 4_081_004_224  # TheBloke/Llama-2-7B-Chat-GGUF, llama-2-7b-chat.Q4_K_M.gguf


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synthetic") / "tiny.Q4_K_M.synthetic.gguf"
    phases: list[str] = []
    built = build_architecture(
        TINY, "Q4_K_M", path, label="Tiny", of_ref="tiny:Q4_K_M", progress=lambda phase, *_: phases.append(phase)
    )
    assert built.built and built.path == path and path.is_file()
    assert set(phases) == {"writing"}  # the progress bar followed the file being written
    assert list(path.parent.iterdir()) == [path]  # the F16 intermediate is gone
    return path


def tiny_engine(path: Path, threads: int = 1) -> Engine:
    model = resolve_model(str(path))
    return Engine(model, LoadSettings(str(path), 512, threads, threads, 512, 0, None))


# --- the file --------------------------------------------------------------------------------


def test_direct_build_equals_llama_cpps_quantization_of_an_f16_file(tiny: Path, tmp_path: Path) -> None:
    # The literal route: an F16 file of random weights, quantized by llama_model_quantize.
    phases: list[str] = []
    path = tmp_path / "tiny.f16-route.gguf"
    built = build_architecture(
        TINY,
        "Q4_K_M",
        path,
        label="Tiny",
        of_ref="tiny:Q4_K_M",
        method="f16",
        progress=lambda phase, *_: phases.append(phase),
    )
    assert phases[0] == "writing F16" and phases[-1] == "quantizing"
    assert list(tmp_path.iterdir()) == [path]  # the F16 intermediate is deleted
    assert read_gguf_info(path).synthetic  # llama.cpp's quantizer keeps the mark
    direct = {tensor.name: (tensor.dims, tensor.type_name) for tensor in read_tensor_table(tiny)}
    quantized = {tensor.name: (tensor.dims, tensor.type_name) for tensor in read_tensor_table(path)}
    assert direct == quantized
    assert built.size_bytes == tiny.stat().st_size


def test_tiny_model_has_the_architecture_and_is_marked_synthetic(tiny: Path) -> None:
    info = read_gguf_info(tiny)
    assert info.synthetic
    assert (info.architecture, info.block_count, info.embedding_length) == ("llama", 2, 256)
    assert (info.head_count, info.head_count_kv, info.vocab_size, info.context_length) == (4, 2, 1024, 2048)


def test_tensor_types_follow_llama_cpps_q4_k_m_recipe(tiny: Path) -> None:
    types = {tensor.name: tensor.type_name for tensor in read_tensor_table(tiny)}
    assert len(types) == 2 + 9 * 2 + 1
    assert types["output.weight"] == "Q6_K"
    assert types["token_embd.weight"] == "Q4_K"
    assert types["blk.0.attn_q.weight"] == "Q4_K"
    # llama.cpp's use_more_bits: half the attn_v / ffn_down layers get Q6_K (here the last of two).
    assert (types["blk.0.attn_v.weight"], types["blk.1.attn_v.weight"]) == ("Q4_K", "Q6_K")
    assert (types["blk.0.ffn_down.weight"], types["blk.1.ffn_down.weight"]) == ("Q4_K", "Q6_K")
    assert {types[name] for name in types if "norm" in name} == {"F32"}


def test_tiny_model_loads_tokenizes_and_generates_with_finite_logits(tiny: Path) -> None:
    engine = tiny_engine(tiny)
    try:
        for text in ("Senior Python developer, 5 years of Django and PostgreSQL.", "Опыт работы: 3 года, Москва"):
            tokens = engine.llm_tokens(text)
            assert tokens and max(tokens) < TINY.vocab_size
            # Byte fallback: any text round-trips exactly.
            assert engine.llm.detokenize(tokens).decode("utf-8").strip() == text
        engine.llm.reset()
        engine.llm.eval(engine.tokenize("The candidate knows SQL and"))
        # The last position's logits, as llama.cpp left them (llama-cpp-python keeps no copy without logits_all).
        logits = np.ctypeslib.as_array(engine.llm._ctx.get_logits(), shape=(TINY.vocab_size,)).copy()
        assert np.isfinite(logits).all() and logits.std() > 0
        text, metrics = engine.complete(
            "Write advice:", decoding=Decoding(greedy=False, temperature=1.0, seed=7), max_tokens=12
        )
        assert metrics.generated_tokens > 0 and metrics.gen_tokens_per_s
    finally:
        engine.close()


def test_vocabulary_is_laid_out_like_llamas() -> None:
    tokens, scores, types = synthetic_vocab(600)
    assert len(tokens) == len(scores) == len(types) == 600
    assert tokens[:4] == ["<unk>", "<s>", "</s>", "<0x00>"] and tokens[N_SPECIAL + N_BYTES - 1] == "<0xFF>"
    assert types[:3] == [2, 3, 3] and set(types[3 : 3 + N_BYTES]) == {6} and set(types[3 + N_BYTES :]) == {1}
    pieces = tokens[N_SPECIAL + N_BYTES :]
    assert len(set(pieces)) == len(pieces)
    assert all(" " not in piece for piece in pieces)  # SentencePiece writes a space as ▁
    assert scores[N_SPECIAL + N_BYTES :] == sorted(scores[N_SPECIAL + N_BYTES :], reverse=True)
    with pytest.raises(SettingsError, match="at least 260 tokens"):
        synthetic_vocab(100)


def test_full_size_vocabulary_tokenizes_english_like_a_real_one(tiny: Path) -> None:
    # 32,000 pieces from a real BPE vocabulary: ordinary English takes about a token per word, not per letter.
    tokens, _scores, _types = synthetic_vocab(32000)
    assert len(tokens) == 32000
    assert {"▁the", "▁and", "▁experience", "▁Python"} <= set(tokens)


# --- 7B shapes, planned by llama.cpp's dry run ------------------------------------------------


def test_llama_2_7b_q4_k_m_plan_is_within_2_percent_of_the_real_file(tmp_path: Path) -> None:
    arch = load_architectures()["llama-2-7b-chat"]
    planned = plan(arch, "Q4_K_M", work_dir=tmp_path)
    assert planned.f16_bytes > 13e9  # the 6.7 B parameters in F16: never written, a hole on disk
    assert abs(planned.tensor_bytes - LLAMA_2_7B_Q4_K_M_BYTES) / LLAMA_2_7B_Q4_K_M_BYTES < 0.02
    assert planned.type_counts() == {"f32": 65, "q4_K": 193, "q6_K": 33}
    assert list(tmp_path.iterdir()) == []


def test_mistral_plan_has_grouped_query_attention_shapes(tmp_path: Path) -> None:
    arch = load_architectures()["mistral-7b-instruct-v0.2"]
    planned = plan(arch, "Q4_K_M", work_dir=tmp_path)
    # 7.24 B parameters at about 4.8 bits: the model card's 4.37 GB within 2 %.
    assert abs(planned.tensor_bytes - 4.37e9) / 4.37e9 < 0.02


def test_catalog_records_each_familys_architecture() -> None:
    architectures = load_architectures()
    llama = architectures["llama-2-7b-chat"]
    assert (llama.block_count, llama.embedding_length, llama.feed_forward_length) == (32, 4096, 11008)
    assert (llama.head_count, llama.head_count_kv, llama.vocab_size, llama.context_length) == (32, 32, 32000, 4096)
    for name in ("mistral-7b-instruct-v0.1", "mistral-7b-instruct-v0.2"):
        mistral = architectures[name]
        assert (mistral.feed_forward_length, mistral.head_count_kv, mistral.context_length) == (14336, 8, 32768)
    assert architectures["mistral-7b-instruct-v0.1"].sliding_window == 4096
    assert architectures["mistral-7b-instruct-v0.2"].rope_freq_base == 1e6
    downloadable = {entry.name for entry in load_catalog() if not entry.embedded}
    assert downloadable <= set(architectures)


def test_synthesize_refuses_what_has_no_architecture() -> None:
    with pytest.raises(SettingsError, match="no architecture"):
        resolve_target("smollm2-135m-instruct")
    with pytest.raises(ModelNotFoundError, match="unknown model"):
        resolve_target("synthetic:no-such-model")


def test_size_comparison_names_the_reference() -> None:
    entries = load_catalog()
    llama = lookup("llama-2-7b-chat", entries)
    mistral = lookup("mistral-7b-instruct-v0.2", entries)
    assert llama is not None and mistral is not None
    assert (
        size_comparison(llama, 4_081_004_224)
        == "4,081,004,224 bytes, +0.000 % against the real file's 4,081,004,224 bytes"
    )
    assert "-1.000 % against the model card's 4.37 GB" in size_comparison(mistral, 4_326_300_000)


# --- honest labels ---------------------------------------------------------------------------


@pytest.fixture
def models_dir(tmp_path: Path, tiny: Path) -> Path:
    """A models folder holding, as the synthetic Llama-2 Q4_K_M, the tiny model (its shape does not matter here)."""
    entry = lookup("llama-2-7b-chat", load_catalog())
    assert entry is not None
    target = synthetic_path(entry, tmp_path)
    target.parent.mkdir(parents=True)
    shutil.copyfile(tiny, target)
    return tmp_path


def test_synthetic_reference_resolves_to_the_built_file(models_dir: Path) -> None:
    model = resolve_model("synthetic:llama-2-7b-chat", models_dir=models_dir)
    assert model.synthetic and model.name == "synthetic:llama-2-7b-chat:Q4_K_M"
    assert model.quantization == "Q4_K_M" and model.chat_format == "llama-2"
    with pytest.raises(ModelNotFoundError, match=r"synthesize mistral-7b-instruct-v0\.2"):
        resolve_model("synthetic:mistral-7b-instruct-v0.2", models_dir=models_dir)


def test_synthetic_models_are_never_listed_as_downloaded(models_dir: Path) -> None:
    listed = {choice.name: choice for choice in available_models(models_dir)}
    assert listed["llama-2-7b-chat"].available is False
    assert not any("synthetic" in name or ".synthetic" in name for name in listed)
    (built,) = synthetic_models(models_dir)
    assert built.name == "synthetic:llama-2-7b-chat:Q4_K_M" and "synthetic weights: speed only" in built.label


def test_advice_is_refused_on_a_synthetic_model(tiny: Path) -> None:
    settings = make_settings(model=str(tiny), max_tokens=8, threads=1, ctx=2048)
    cv, job = from_text(TINY_CV, name="cv"), from_text(TINY_JOB, name="job")
    with pytest.raises(SyntheticModelError, match=SYNTHETIC_REFUSAL):
        run_analysis(cv, job, settings)
    with pytest.raises(SyntheticModelError, match=SYNTHETIC_REFUSAL):
        load_engine(settings)
    # The benchmark's real task may time it: its advice is never shown.
    report = run_analysis(cv, job, settings, speed_only=True)
    assert report.metrics["generated_tokens"] > 0


def test_cli_refuses_a_synthetic_model_in_one_line(tiny: Path, tmp_path: Path) -> None:
    cv, job = tmp_path / "cv.txt", tmp_path / "job.txt"
    cv.write_text(TINY_CV, encoding="utf-8")
    job.write_text(TINY_JOB, encoding="utf-8")
    result = run_script("analyze.py", "--cv", cv, "--job", job, "--model", tiny, timeout=120)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and SYNTHETIC_REFUSAL in line


# --- the bound -------------------------------------------------------------------------------


def test_bandwidth_is_measured() -> None:
    one = measure_bandwidth(1, array_mb=32, repetitions=2)
    two = measure_bandwidth(2, array_mb=32, repetitions=2)
    assert one.gb_per_s > 0.1 and two.gb_per_s > 0.1
    assert one.to_dict()["kernel"] == "copy" and two.threads == 2


@pytest.mark.parametrize(
    ("bytes_per_token", "gb_per_s", "expected"),
    [(4e9, 20.0, 5.0), (1e9, 10.0, 10.0), (0, 10.0, None), (4e9, 0.0, None)],
)
def test_tg_bound(bytes_per_token: float, gb_per_s: float, expected: float | None) -> None:
    assert tg_bound(bytes_per_token, gb_per_s) == (pytest.approx(expected) if expected else None)


@pytest.mark.parametrize(
    ("cpu", "cpu_bw", "gpu", "gpu_bw", "expected"),
    [
        (4e9, 20.0, 0.0, None, 5.0),  # all on the CPU: no GPU needed
        (0.0, 20.0, 4e9, 1000.0, 250.0),  # all on the GPU
        (2e9, 20.0, 2e9, 1000.0, 1 / (0.1 + 0.002)),  # half each: the slow half dominates
        (2e9, 20.0, 2e9, None, None),  # offloaded bytes but no GPU bandwidth known
    ],
)
def test_split_bound(cpu: float, cpu_bw: float, gpu: float, gpu_bw: float | None, expected: float | None) -> None:
    got = split_bound(cpu, cpu_bw, gpu, gpu_bw)
    assert got == (pytest.approx(expected) if expected else None)


def test_efficiency() -> None:
    assert efficiency(4.0, 5.0) == pytest.approx(0.8)
    assert efficiency(None, 5.0) is None and efficiency(4.0, None) is None


def test_token_reads_split_follows_llama_cpps_offload_order() -> None:
    reads = TokenReads(
        layer_bytes=(100, 100, 100, 100), output_bytes=50, embedding_row_bytes=1, kv_bytes_per_position=2
    )
    assert reads.split(0, 10) == (1 + 400 + 4 * 20 + 50, 0)
    assert reads.split(1, 10) == (1 + 300 + 3 * 20 + 50, 100 + 20)  # the last layer goes first
    assert reads.split(4, 10) == (1 + 50, 400 + 80)  # every layer, but not the output
    assert reads.split(-1, 10) == (1, 400 + 80 + 50)
    assert reads.split(5, 10) == reads.split(-1, 10)


def test_token_reads_of_the_tiny_model(tiny: Path) -> None:
    reads = token_reads(tiny)
    table = {tensor.name: tensor.n_bytes for tensor in read_tensor_table(tiny)}
    assert len(reads.layer_bytes) == 2
    assert sum(reads.layer_bytes) == sum(size for name, size in table.items() if name.startswith("blk."))
    assert reads.embedding_row_bytes == table["token_embd.weight"] // TINY.vocab_size
    assert reads.kv_bytes_per_position == 2 * 64 * 2 * 2  # K and V, head dim 64, 2 KV heads, f16


# --- the benchmark and the estimates ---------------------------------------------------------


@pytest.fixture(scope="module")
def bench_result(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    saved = tmp_path_factory.mktemp("bench") / "run.json"
    run = run_script(
        "benchmark.py", "-m", tiny, "-t", "1", "-r", "1", "-p", "16", "-n", "4", "--no-task", "--no-overhead",
        "--ctx", "2048", "-o", saved, "--no-progress", timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return json.loads(saved.read_text(encoding="utf-8")) | {"path": str(saved)}


def test_benchmark_rows_are_labelled_synthetic_with_the_bound(bench_result: dict[str, Any]) -> None:
    rows = bench_result["results"]
    assert [row["test"] for row in rows] == ["pp16", "tg4"]
    assert all(row["synthetic"] is True for row in rows)
    tg = rows[1]
    assert tg["bandwidth_gb_per_s"] > 0 and tg["bytes_per_token"] > 0
    assert tg["bound_ts"] == pytest.approx(tg["bandwidth_gb_per_s"] * 1e9 / tg["bytes_per_token"], rel=1e-3)
    assert tg["efficiency"] == pytest.approx(tg["avg_ts"] / tg["bound_ts"])
    assert rows[0]["bound_ts"] is None  # pp is compute-bound: no memory bound claimed
    assert all(row["task_prompt_tokens"] > 0 for row in rows)
    assert bench_result["environment"]["memory_bandwidth"]["1"]["gb_per_s"] > 0


def test_benchmark_markdown_and_csv_say_synthetic(bench_result: dict[str, Any]) -> None:
    markdown = run_script("benchmark.py", "--from-json", bench_result["path"])
    assert markdown.returncode == 0, markdown.stderr
    assert "(synthetic)" in markdown.stdout
    assert "| bound t/s | efficiency |" in markdown.stdout
    assert "est. first token s" in markdown.stdout
    csv_text = run_script("benchmark.py", "--from-json", bench_result["path"], "--output", "csv")
    header, *lines = csv_text.stdout.splitlines()
    assert header.split(",")[1] == "synthetic" and all(line.split(",")[1] == "True" for line in lines)


def synthetic_result() -> dict[str, Any]:
    def row(test: str, avg: float, **extra: Any) -> dict[str, Any]:
        return {
            "config_id": 0, "model": "synthetic:llama-2-7b-chat:Q4_K_M", "synthetic": True, "status": "ok",
            "threads": 2, "gpu_layers": 0, "test": test, "avg_ts": avg, "task_prompt_tokens": 900,
            "test_time": "2026-11-28T09:00:00+00:00", **extra,
        }  # fmt: skip

    real = row("tg16", 50.0) | {"model": "smollm2-135m-instruct", "synthetic": False, "config_id": 1}
    return {"results": [row("pp64", 15.0), row("tg16", 4.0, bound_ts=5.0), real]}


def test_estimates_come_from_synthetic_rows_only(tmp_path: Path) -> None:
    (estimate,) = estimates_from_result(synthetic_result())
    assert estimate.model == "llama-2-7b-chat:Q4_K_M" and estimate.threads == 2
    assert estimate.first_token_s == pytest.approx(900 / 15 + 1 / 4)
    assert (
        estimate_text(estimate)
        == "on this computer: about 4.0 tokens/s, first token after about 60 s for a one-page CV"
    )
    record_estimates(synthetic_result(), tmp_path)
    assert load_estimates(tmp_path) == {"llama-2-7b-chat:Q4_K_M": estimate}


@pytest.mark.parametrize(
    ("gen", "pp", "tokens", "text"),
    [
        (12.34, 100.0, 500, "about 12.3 tokens/s, first token after about 5.1 s"),
        (150.0, 2000.0, None, "about 150 tokens/s"),
        (2.0, 5.0, 1000, "about 2.0 tokens/s, first token after about 3 min"),
    ],
)
def test_estimate_text(gen: float, pp: float, tokens: int | None, text: str) -> None:
    estimate = Estimate("m:Q4_K_M", 2, 0, gen, pp, tokens, None, "2026-11-28T09:00:00+00:00")
    assert estimate_text(estimate) == f"on this computer: {text}" + (" for a one-page CV" if tokens else "")


def test_build_synthetic_reuses_a_built_file(models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.llm.synthetic as synthetic

    monkeypatch.setattr(synthetic, "load_architectures", lambda: {"llama-2-7b-chat": TINY})
    calls: list[str] = []
    monkeypatch.setattr(synthetic, "build_architecture", lambda *args, **kwargs: calls.append("built"))
    reused = build_synthetic("llama-2-7b-chat:Q4_K_M", models_dir)
    assert reused.built is False and calls == []
    assert reused.path == synthetic_path(resolve_target("llama-2-7b-chat")[0], models_dir)


def test_synthesize_command_bad_name_is_one_line() -> None:
    result = run_script("download_models.py", "synthesize", "no-such-model")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "unknown model 'no-such-model'" in line


# --- the app -----------------------------------------------------------------------------------


def picker_texts(app: AppTest) -> str:
    return "\n".join(
        [*(str(item.value) for item in app.sidebar.markdown), *(str(item.value) for item in app.sidebar.caption)]
    )


def test_app_picker_shows_size_ram_and_the_measured_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.bench.estimates as estimates

    measured = Estimate("llama-2-7b-chat:Q4_K_M", 2, 0, 3.2, 11.0, 1200, 4.0, "2026-11-28T09:00:00+00:00")
    monkeypatch.setattr(estimates, "load_estimates", lambda models_dir=None: {measured.model: measured})
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()

    assert not app.exception
    text = picker_texts(app)
    assert "**Llama-2-7B-Chat Q4_K_M** — 4.1 GB download, needs about 6.7 GB RAM" in text
    assert "on this computer: about 3.2 tokens/s, first token after about 109 s for a one-page CV" in text
    assert "synthetic weights: speed only" in text  # the caption says how it was measured
    measure = [button for button in app.sidebar.button if button.label == "Measure speed here"]
    assert len(measure) == len([button for button in app.sidebar.button if button.label == "Download now"]) >= 2
    # A synthetic model is never offered for advice.
    assert not any("synthetic" in str(option) for option in app.sidebar.selectbox[0].options)


def test_app_measure_button_runs_the_quick_benchmark_and_shows_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.bench.estimates as estimates

    store: dict[str, Estimate] = {}
    calls: list[str] = []

    def fake_quick_estimate(
        model: str, threads: int, *, on_build: Any = None, on_run: Any = None, **_: Any
    ) -> Estimate:
        # The UI's wiring only: the real measurement is tested above on the tiny model and run as a benchmark.
        calls.append(model)
        on_build("writing", 50, 100)
        on_run(1, 1, "done")
        store["mistral-7b-instruct-v0.2:Q4_K_M"] = Estimate(
            "mistral-7b-instruct-v0.2:Q4_K_M", threads, 0, 2.5, 9.0, 1100, 3.1, "2026-11-28T09:05:00+00:00"
        )
        return store["mistral-7b-instruct-v0.2:Q4_K_M"]

    monkeypatch.setattr(estimates, "load_estimates", lambda models_dir=None: dict(store))
    monkeypatch.setattr(estimates, "quick_estimate", fake_quick_estimate)
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    measure = next(button for button in app.sidebar.button if button.key == "measure_mistral-7b-instruct-v0.2")
    measure.click()
    app.run()

    assert not app.exception
    assert calls == ["mistral-7b-instruct-v0.2"]
    assert "on this computer: about 2.5 tokens/s, first token after about 2 min for a one-page CV" in picker_texts(app)


def test_app_measure_failure_is_one_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.bench.estimates as estimates

    def no_disk(*_args: Any, **_kwargs: Any) -> Estimate:
        raise SyntheticBuildError(
            "building Llama-2-7B-Chat Q4_K_M needs 4.3 GB free in models/.synthetic; free some disk space."
        )

    monkeypatch.setattr(estimates, "quick_estimate", no_disk)
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    next(button for button in app.sidebar.button if button.key == "measure_llama-2-7b-chat").click()
    app.run()

    assert not app.exception
    assert [shown(error.value) for error in app.error] == [
        "building Llama-2-7B-Chat Q4_K_M needs 4.3 GB free in models/.synthetic; free some disk space."
    ]


def test_build_is_refused_up_front_when_the_disk_is_too_small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.llm.synthetic as synthetic

    monkeypatch.setattr(synthetic, "free_bytes", lambda _folder: 10_000)
    with pytest.raises(SyntheticBuildError, match=r"needs 0\.3 GB free .* only 0\.0 GB is free\. Free some disk space"):
        build_architecture(TINY, "Q4_K_M", tmp_path / "tiny.gguf", label="Tiny", of_ref="tiny:Q4_K_M")
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing left behind


def test_benchmark_page_charts_real_and_synthetic_rows_apart_by_colour(bench_result: dict[str, Any]) -> None:
    real = json.loads(json.dumps(bench_result))
    for row in real["results"]:
        row["synthetic"] = False
    app = AppTest.from_file(str(Path(APP).parent / "pages" / "benchmark.py"), default_timeout=60)
    app.run()
    app.file_uploader[0].set_value(
        [
            ("synthetic.json", json.dumps(bench_result).encode(), "application/json"),
            ("real.json", json.dumps(real).encode(), "application/json"),
        ]
    )
    app.run()

    assert not app.exception
    spec = json.loads(next(iter(app.get("vega_lite_chart"))).proto.spec)
    assert spec["encoding"]["color"]["field"] == "series"
    series = {row["series"] for row in chart_rows([("synthetic", bench_result), ("real", real)])}
    assert series == {
        "pp16 (synthetic weights)",
        "tg4 (synthetic weights)",
        "pp16 (real weights)",
        "tg4 (real weights)",
    }
