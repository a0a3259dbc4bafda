"""Write a synthetic model's GGUF file: random weights in F16 (gguf-py), or quantized directly by ggml."""

from __future__ import annotations

from io import BufferedWriter
from pathlib import Path

import gguf
import numpy as np

from app.hub.catalog import (
    Architecture,
)
from app.llm.gguf_info import SYNTHETIC_KEY, SYNTHETIC_OF_KEY
from app.llm.synthetic_layout import synthetic_vocab, tensor_specs
from app.llm.synthetic_quantize import FTYPES, SAMPLE_ROWS, BuildProgress, QuantPlan, quantize_rows, quantized_row_bytes

WEIGHT_SD = 0.02  # the usual initialisation scale: keeps every activation of a 32-layer stack finite
_POOL_VALUES = 1 << 22  # random values drawn once and tiled over every tensor (writing is then disk-bound)
_CHUNK_BYTES = 64 * 1024 * 1024


def _writer_with_metadata(
    arch: Architecture, path: Path, *, label: str, of_ref: str, file_type: int
) -> gguf.GGUFWriter:
    """A GGUFWriter holding the family's architecture, the synthetic marks and the vocabulary (no tensors yet)."""
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name(f"{label} (synthetic weights: speed only)")
    writer.add_context_length(arch.context_length)
    writer.add_embedding_length(arch.embedding_length)
    writer.add_block_count(arch.block_count)
    writer.add_feed_forward_length(arch.feed_forward_length)
    writer.add_rope_dimension_count(arch.head_dim)
    writer.add_head_count(arch.head_count)
    writer.add_head_count_kv(arch.head_count_kv)
    writer.add_layer_norm_rms_eps(arch.rms_norm_eps)
    writer.add_rope_freq_base(arch.rope_freq_base)
    writer.add_file_type(file_type)
    if file_type != FTYPES["F16"]:
        writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    writer.add_bool(SYNTHETIC_KEY, True)
    writer.add_string(SYNTHETIC_OF_KEY, of_ref)
    tokens, scores, types = synthetic_vocab(arch.vocab_size)
    writer.add_tokenizer_model("llama")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    return writer


def _write_header(writer: gguf.GGUFWriter, path: Path) -> tuple[BufferedWriter, int, int]:
    """Write the header, the metadata and the tensor table: the open file, the data's alignment and where it starts."""
    writer.write_header_to_file(path)
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    handle = writer.fout[0]  # type: ignore[index]
    alignment = writer.data_alignment
    return handle, alignment, gguf.GGUFWriter.ggml_pad(handle.tell(), alignment)


def write_f16(
    arch: Architecture,
    path: Path,
    *,
    label: str,
    of_ref: str,
    seed: int = 0,
    sparse: bool = False,
    progress: BuildProgress | None = None,
) -> int:
    """Write the F16 GGUF of `arch` with synthetic weights; its size in bytes.

    sparse: write the header only and extend the file to its full length
    without data (a hole on disk): enough for the quantizer's dry run, which
    reads no tensor data.
    """
    specs = tensor_specs(arch)
    writer = _writer_with_metadata(arch, path, label=label, of_ref=of_ref, file_type=FTYPES["F16"])
    for spec in specs:
        dtype = np.dtype(np.float32 if spec.norm else np.float16)
        writer.add_tensor_info(spec.name, spec.shape, dtype, spec.f16_bytes)
    handle, alignment, start = _write_header(writer, path)
    total = sum(gguf.GGUFWriter.ggml_pad(spec.f16_bytes, alignment) for spec in specs)
    if sparse:
        handle.truncate(start + total)
        writer.close()
        return start + total
    rng = np.random.default_rng(seed)
    pool = (rng.standard_normal(_POOL_VALUES, dtype=np.float32) * WEIGHT_SD).astype(np.float16)
    done = 0
    handle.write(b"\0" * (start - handle.tell()))
    for spec in specs:
        if spec.norm:
            handle.write(np.ones(spec.n_values, dtype=np.float32).tobytes())
            done += spec.f16_bytes
        else:
            # Each tensor starts at its own place in the pool, so no two are alike.
            offset = int(rng.integers(_POOL_VALUES))
            rolled = np.concatenate([pool[offset:], pool[:offset]])
            remaining = spec.n_values
            while remaining:
                count = min(remaining, _CHUNK_BYTES // 2)
                handle.write(np.resize(rolled, count).tobytes())
                remaining -= count
                done += count * 2
                if progress is not None:
                    progress("writing F16", done, total)
        padding = gguf.GGUFWriter.ggml_pad(spec.f16_bytes, alignment) - spec.f16_bytes
        handle.write(b"\0" * padding)
        done += padding
    if progress is not None:
        progress("writing F16", total, total)
    writer.close()
    return start + total


# --- writing the quantized file directly ------------------------------------------------------


def write_quantized(
    arch: Architecture,
    path: Path,
    recipe: QuantPlan,
    *,
    label: str,
    of_ref: str,
    seed: int = 0,
    progress: BuildProgress | None = None,
) -> int:
    """Write the quantized GGUF at once: each tensor in the type llama.cpp's recipe gives it (`recipe`, from
    its dry run), filled with rows of random values quantized by ggml; no F16 intermediate. Its size in bytes."""
    specs = tensor_specs(arch)
    writer = _writer_with_metadata(arch, path, label=label, of_ref=of_ref, file_type=FTYPES[recipe.quantization])
    for spec in specs:
        type_name = recipe.types[spec.name]
        per_row = spec.shape[-1]
        rows = spec.n_values // per_row
        row_bytes = quantized_row_bytes(type_name, per_row)
        quant_type = gguf.GGMLQuantizationType[type_name.upper()]
        byte_shape = (*spec.shape[:-1], row_bytes)  # gguf-py turns a byte shape back into the tensor's shape
        writer.add_tensor_info(spec.name, byte_shape, np.dtype(np.uint8), rows * row_bytes, raw_dtype=quant_type)
    handle, alignment, start = _write_header(writer, path)
    sizes = [
        spec.n_values // spec.shape[-1] * quantized_row_bytes(recipe.types[spec.name], spec.shape[-1]) for spec in specs
    ]
    total = sum(gguf.GGUFWriter.ggml_pad(size, alignment) for size in sizes)
    handle.write(b"\0" * (start - handle.tell()))
    rng = np.random.default_rng(seed)
    done = 0
    for spec, size in zip(specs, sizes, strict=True):
        per_row = spec.shape[-1]
        rows = spec.n_values // per_row
        if spec.norm:
            values = np.ones((1, per_row), dtype=np.float32)  # norms: ones, so activations keep their scale
        else:
            values = rng.standard_normal((min(rows, SAMPLE_ROWS), per_row), dtype=np.float32) * WEIGHT_SD
        block = quantize_rows(recipe.types[spec.name], values)
        # Whole copies of the sample block, then the rows left over.
        repeats, left = divmod(size, len(block))
        copies_per_chunk = max(1, _CHUNK_BYTES // len(block))
        while repeats:
            count = min(repeats, copies_per_chunk)
            handle.write(block * count)
            repeats -= count
            done += count * len(block)
            if progress is not None:
                progress("writing", done, total)
        handle.write(block[:left])
        padding = gguf.GGUFWriter.ggml_pad(size, alignment) - size
        handle.write(b"\0" * padding)
        done += left + padding
    if progress is not None:
        progress("writing", total, total)
    writer.close()
    return start + total
