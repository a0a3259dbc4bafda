"""GGUF header reading and the memory check made before a model is loaded."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from app.errors import InsufficientMemoryError, ModelLoadError
from app.hub.catalog import embedded_model_path
from app.llm import memory
from app.llm.gguf_info import GgufInfo, read_gguf_info
from app.llm.memory import estimate_model_memory, peak_rss_mb, rss_mb

# Llama-2-7B-Chat Q4_K_M, from its GGUF header (32 layers, 4096 wide, no GQA).
LLAMA_2_7B = GgufInfo("llama", 32, 4096, 32, 32, 4096, True, 4_081_004_224, 32000)


def test_reads_the_embedded_models_header() -> None:
    info = read_gguf_info(embedded_model_path())
    assert info.architecture == "llama"
    assert info.block_count == 30
    assert (info.embedding_length, info.head_count, info.head_count_kv) == (576, 9, 3)
    assert info.context_length == 8192
    assert info.vocab_size == 49152
    assert info.has_chat_template
    assert info.file_size == embedded_model_path().stat().st_size


@pytest.mark.parametrize("content", [b"", b"not a model at all", b"GGUF\x01\x00\x00\x00", b"GGUF\x03\x00\x00\x00\xff"])
def test_a_file_that_is_not_gguf_is_one_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.gguf"
    path.write_bytes(content)
    with pytest.raises(ModelLoadError) as caught:
        read_gguf_info(path)
    message = str(caught.value)
    assert "broken.gguf" in message and "download it again" in message
    assert "\n" not in message


def test_kv_cache_of_llama_2_7b_is_2_gib_at_4k() -> None:
    # 2 (K and V) x 32 layers x 4096 tokens x 4096 values x 2 bytes (f16).
    assert LLAMA_2_7B.kv_cache_bytes(4096) == 2 * 32 * 4096 * 4096 * 2


def test_grouped_query_attention_shrinks_the_kv_cache() -> None:
    info = read_gguf_info(embedded_model_path())
    # 3 KV heads of 64 values instead of 9: a third of a full cache.
    assert info.kv_cache_bytes(1000) == 2 * 30 * 1000 * 64 * 3 * 2


@pytest.mark.parametrize(
    ("n_ctx", "gpu_layers", "ram_gb", "vram_gb"),
    [
        (4096, 0, (6.0, 6.6), (0.0, 0.0)),
        (2048, 0, (5.0, 5.6), (0.0, 0.0)),
        (4096, -1, (0.2, 0.6), (5.7, 6.0)),
        (4096, 16, (3.0, 3.5), (2.8, 3.1)),
    ],
)
def test_estimate_of_llama_2_7b(
    n_ctx: int, gpu_layers: int, ram_gb: tuple[float, float], vram_gb: tuple[float, float]
) -> None:
    estimate = estimate_model_memory(LLAMA_2_7B, n_ctx, 512, gpu_layers)
    assert ram_gb[0] <= estimate.ram_mb / 1024 <= ram_gb[1]
    assert vram_gb[0] <= estimate.vram_mb / 1024 <= vram_gb[1]


def test_refuses_a_model_that_does_not_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory.psutil, "virtual_memory", lambda: SimpleNamespace(available=200 * 1024 * 1024))
    with pytest.raises(InsufficientMemoryError) as caught:
        memory.check_memory_for(embedded_model_path(), 4096, 512, 0)
    message = str(caught.value)
    assert "GB of RAM" in message and "smaller quantization" in message and "lower the context size" in message
    assert "\n" not in message


def test_accepts_a_model_that_fits() -> None:
    estimate = memory.check_memory_for(embedded_model_path(), 2048, 512, 0)
    assert 0 < estimate.ram_mb < 1024
    assert estimate.vram_mb == 0


def test_refuses_offload_beyond_free_gpu_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "gpu_memory_free_mb", lambda: 10.0)
    with pytest.raises(InsufficientMemoryError, match="GPU memory"):
        memory.check_memory_for(embedded_model_path(), 2048, 512, -1)


def test_process_memory_figures_are_plausible() -> None:
    now, peak = rss_mb(), peak_rss_mb()
    assert 10 < now < 100_000
    assert peak >= now * 0.9  # the peak is at least (about) the current size


# --- crafted headers (issue 12, point 8): one line, exit 2, no allocation of what a field claims -----------


def _header(*parts: bytes, pad: int = 4096) -> bytes:
    """A GGUF v3 header with one key/value whose raw bytes are `parts`, padded so the counts fit the file."""
    import struct

    return b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + b"".join(parts) + b"\0" * pad


def _crafted(kind: str) -> bytes:
    import struct

    if kind == "key length 2^40":
        return _header(struct.pack("<Q", 2**40), b"general.name")
    if kind == "200,000 nested arrays":
        nested = struct.pack("<IQ", 9, 1) * 200_000  # an array of one array of one array...
        return _header(struct.pack("<Q", 3), b"key", struct.pack("<I", 9), nested, struct.pack("<IQ", 4, 1), pad=4)
    if kind == "array count 2^60":
        return _header(struct.pack("<Q", 3), b"key", struct.pack("<I", 9), struct.pack("<IQ", 8, 2**60))
    assert kind == "key count 2^62"
    return b"GGUF" + struct.pack("<IQQ", 3, 0, 2**62) + b"\0" * 64


@pytest.mark.parametrize("kind", ["key length 2^40", "200,000 nested arrays", "array count 2^60", "key count 2^62"])
def test_a_crafted_header_is_one_model_load_error(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "crafted.gguf"
    path.write_bytes(_crafted(kind))
    with pytest.raises(ModelLoadError) as refused:
        read_gguf_info(path)
    assert "not a readable GGUF model file" in str(refused.value) and "\n" not in str(refused.value)


@pytest.mark.parametrize("kind", ["key length 2^40", "200,000 nested arrays"])
def test_analyze_with_a_crafted_model_file_exits_2_with_one_line(tmp_path: Path, kind: str) -> None:
    from tests.helpers import run_script

    path = tmp_path / "crafted.gguf"
    path.write_bytes(_crafted(kind))
    fixtures = Path(__file__).parent / "fixtures"
    result = run_script(
        "analyze.py",
        "--cv",
        fixtures / "pastry_chef_cv.txt",
        "--job",
        fixtures / "ml_engineer_job.txt",
        "--model",
        path,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "not a readable GGUF" in lines[0]
