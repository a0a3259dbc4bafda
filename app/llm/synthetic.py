"""Same-shape models with synthetic weights, to measure a model's speed before downloading it.

Speed does not depend on the values of the weights, only on the architecture,
the tensor types and the hardware. `build_synthetic("llama-2-7b-chat:Q4_K_M")`
writes models/.synthetic/llama-2-7b-chat.Q4_K_M.synthetic.gguf with:

- the catalog family's exact architecture metadata (models/catalog.toml,
  [[architecture]]);
- a SentencePiece-style "llama" vocabulary of the family's size: <unk>, <s>,
  </s>, the 256 byte tokens, then real-looking pieces taken, in merge order,
  from the embedded SmolLM2 model's BPE vocabulary, so a CV tokenizes to about
  as many tokens as with the real model and any text round-trips (byte
  fallback);
- every tensor in the quantization's real type mix, as llama.cpp's own
  quantizer chooses it (`llama_model_quantize` on an F16 file, in its dry run:
  seconds, and the F16 file a hole on disk), then each tensor filled with rows
  of random values quantized by ggml itself (`ggml_quantize_chunk`). The
  literal route, method "f16" (an F16 file written with gguf-py's GGUFWriter,
  quantized by `llama_model_quantize`), gives the same types and size; it is
  kept, and tested against the direct one, but takes most of an hour for a 7B
  model on two busy cores.

The weights are small random values (normal, sd 0.02) and the norms are ones,
so activations and logits stay finite and sampling works; the text it writes
is noise. The file carries `cv_enhancer.synthetic = true`: the pipeline
refuses it for advice ("synthetic weights: speed only"), the benchmark labels
its rows, and it is never listed as a downloaded model. A built file is cached
and reused; the free disk is checked first (with method "f16", the 13.5 GB
F16 intermediate of a 7B model is deleted as soon as it is quantized).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gguf
import llama_cpp
import numpy as np

from app.errors import ModelError, SettingsError
from app.hub.catalog import (
    MODELS_DIR,
    Architecture,
    CatalogEntry,
    embedded_model_path,
    find_entry,
    load_architectures,
    load_catalog,
    split_synthetic_ref,
    synthetic_path,
)
from app.llm.gguf_info import SYNTHETIC_KEY, SYNTHETIC_OF_KEY, read_gguf_info, read_int_array, read_string_array

# llama.cpp's file types (enum llama_ftype) for the quantizations the catalog offers.
FTYPES: dict[str, int] = {
    "F16": 1,
    "Q4_0": 2,
    "Q4_1": 3,
    "Q8_0": 7,
    "Q5_0": 8,
    "Q5_1": 9,
    "Q2_K": 10,
    "Q3_K_S": 11,
    "Q3_K_M": 12,
    "Q3_K_L": 13,
    "Q4_K_S": 14,
    "Q4_K_M": 15,
    "Q5_K_S": 16,
    "Q5_K_M": 17,
    "Q6_K": 18,
}
WEIGHT_SD = 0.02  # the usual initialisation scale: keeps every activation of a 32-layer stack finite
_POOL_VALUES = 1 << 22  # random values drawn once and tiled over every tensor (writing is then disk-bound)
_CHUNK_BYTES = 64 * 1024 * 1024
DISK_MARGIN_BYTES = 256 * 1024 * 1024
N_SPECIAL = 3  # <unk>, <s>, </s>
N_BYTES = 256
BuildProgress = Callable[[str, float, float], None]  # (phase, done, total): "writing F16" bytes, "quantizing" tensors


class SyntheticBuildError(ModelError):
    """A synthetic model cannot be built (no disk space, a failed quantization, a bad request)."""


@dataclass(frozen=True)
class TensorSpec:
    name: str
    shape: tuple[int, ...]  # numpy order: (rows, columns); GGUF stores it reversed
    norm: bool = False  # 1-D norm weights: F32 ones

    @property
    def n_values(self) -> int:
        return int(np.prod(self.shape))

    @property
    def f16_bytes(self) -> int:
        return self.n_values * (4 if self.norm else 2)


def tensor_specs(arch: Architecture) -> list[TensorSpec]:
    """The tensors of a llama-architecture model, in the order convert_hf_to_gguf writes them."""
    emb, ff = arch.embedding_length, arch.feed_forward_length
    kv_dim = arch.head_dim * arch.head_count_kv
    specs = [TensorSpec("token_embd.weight", (arch.vocab_size, emb))]
    for layer in range(arch.block_count):
        prefix = f"blk.{layer}."
        specs += [
            TensorSpec(prefix + "attn_norm.weight", (emb,), norm=True),
            TensorSpec(prefix + "attn_q.weight", (arch.head_count * arch.head_dim, emb)),
            TensorSpec(prefix + "attn_k.weight", (kv_dim, emb)),
            TensorSpec(prefix + "attn_v.weight", (kv_dim, emb)),
            TensorSpec(prefix + "attn_output.weight", (emb, arch.head_count * arch.head_dim)),
            TensorSpec(prefix + "ffn_norm.weight", (emb,), norm=True),
            TensorSpec(prefix + "ffn_gate.weight", (ff, emb)),
            TensorSpec(prefix + "ffn_up.weight", (ff, emb)),
            TensorSpec(prefix + "ffn_down.weight", (emb, ff)),
        ]
    specs += [TensorSpec("output_norm.weight", (emb,), norm=True), TensorSpec("output.weight", (arch.vocab_size, emb))]
    return specs


def parameter_count(arch: Architecture) -> int:
    return sum(spec.n_values for spec in tensor_specs(arch))


# --- the vocabulary --------------------------------------------------------------------------


@functools.cache
def _gpt2_byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level BPE alphabet: the printable stand-in character of each byte, reversed."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars = list(printable)
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            chars.append(256 + extra)
            extra += 1
    return {chr(char): byte for byte, char in zip(printable, chars, strict=True)}


@functools.cache
def _donor_pieces() -> tuple[str, ...]:
    """SentencePiece-style pieces ("▁word") from the embedded SmolLM2 model's BPE vocabulary, in merge order."""
    donor = embedded_model_path()
    tokens = read_string_array(donor, "tokenizer.ggml.tokens")
    types = read_int_array(donor, "tokenizer.ggml.token_type")
    decoder = _gpt2_byte_decoder()
    pieces: dict[str, None] = {}
    for token, token_type in zip(tokens, types, strict=True):
        if token_type != int(gguf.TokenType.NORMAL):
            continue
        try:
            text = bytes(decoder[char] for char in token).decode("utf-8")
        except (KeyError, UnicodeDecodeError):
            continue  # a piece of a multi-byte character: the byte tokens cover it
        if text:
            pieces.setdefault(text.replace(" ", "▁"), None)
    return tuple(pieces)


def synthetic_vocab(size: int) -> tuple[list[str], list[float], list[int]]:
    """Tokens, scores and types of a "llama" (SentencePiece) vocabulary of exactly `size` entries.

    Laid out as Llama's own: 0 <unk>, 1 <s>, 2 </s>, then <0x00>..<0xFF>, then
    pieces scored by rank (llama.cpp's SPM tokenizer merges the best-scored
    pair first, which replays BPE's merge order). Padded with numbered filler
    pieces if the donor vocabulary runs out.
    """
    if size < N_SPECIAL + N_BYTES + 1:
        raise SettingsError(f"a synthetic vocabulary needs at least {N_SPECIAL + N_BYTES + 1} tokens (got {size}).")
    tokens = ["<unk>", "<s>", "</s>", *(f"<0x{byte:02X}>" for byte in range(N_BYTES))]
    types = [int(gguf.TokenType.UNKNOWN), int(gguf.TokenType.CONTROL), int(gguf.TokenType.CONTROL)]
    types += [int(gguf.TokenType.BYTE)] * N_BYTES
    wanted = size - len(tokens)
    pieces = list(_donor_pieces()[:wanted])
    pieces += [f"▁filler{number}" for number in range(wanted - len(pieces))]
    tokens += pieces
    types += [int(gguf.TokenType.NORMAL)] * len(pieces)
    scores = [0.0] * (N_SPECIAL + N_BYTES) + [-float(rank) for rank in range(len(pieces))]
    return tokens, scores, types


# --- writing the F16 file --------------------------------------------------------------------


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
    writer.write_header_to_file(path)
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    handle = writer.fout[0]  # type: ignore[index]
    alignment = writer.data_alignment
    start = gguf.GGUFWriter.ggml_pad(handle.tell(), alignment)
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


# --- quantizing with llama.cpp ---------------------------------------------------------------

_TENSOR_LINE = re.compile(r"\[\s*(\d+)/\s*(\d+)\]\s+(\S+)")
_NEW_TYPE = re.compile(r"(?:converting to|->\s+[\d.]+ MiB \()\s*(\w+)")


@dataclass
class QuantizeLog:
    """What llama.cpp's quantizer said, parsed from its log lines."""

    lines: list[str] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)  # tensor name -> new type ("q4_K"), where converted
    errors: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _llama_log_to(handler: Callable[[int, str], None]) -> Iterator[None]:
    """Route llama.cpp's log to handler for the duration, then give it back to llama-cpp-python's logger."""
    from llama_cpp import _logger

    @llama_cpp.llama_log_callback  # type: ignore[untyped-decorator]
    def callback(level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
        handler(level, text.decode("utf-8", errors="replace"))

    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    try:
        yield
    finally:
        llama_cpp.llama_log_set(_logger.llama_log_callback, ctypes.c_void_p(0))


def quantize(
    source: Path,
    target: Path,
    quantization: str,
    *,
    threads: int = 0,
    dry_run: bool = False,
    progress: BuildProgress | None = None,
) -> QuantizeLog:
    """Quantize an F16 GGUF with llama.cpp's own recipe (llama_model_quantize); SyntheticBuildError on failure."""
    quantization = quantization.upper()
    if quantization not in FTYPES:
        raise SettingsError(f"unknown quantization {quantization}; use one of {', '.join(FTYPES)}.")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = FTYPES[quantization]
    params.nthread = threads
    params.dry_run = dry_run
    log = QuantizeLog()
    pending = [""]

    def handle(level: int, text: str) -> None:
        pending[0] += text
        while "\n" in pending[0]:
            line, pending[0] = pending[0].split("\n", 1)
            log.lines.append(line)
            if level == 3 or "error" in line.lower():
                log.errors.append(line.strip())
            match = _TENSOR_LINE.search(line)
            if match:
                kind = _NEW_TYPE.search(line)
                if kind:
                    log.types[match.group(3)] = kind.group(1)
                if progress is not None:
                    progress("quantizing", int(match.group(1)), int(match.group(2)))

    with _llama_log_to(handle):
        status = llama_cpp.llama_model_quantize(
            str(source).encode("utf-8"), str(target).encode("utf-8"), ctypes.byref(params)
        )
    if status != 0:
        detail = log.errors[-1] if log.errors else f"status {status}"
        raise SyntheticBuildError(f"llama.cpp could not quantize {source.name} to {quantization}: {detail}")
    return log


# --- writing the quantized file directly ------------------------------------------------------

SAMPLE_ROWS = 64  # rows quantized per tensor by ggml; the tensor repeats them (the values do not matter)


@functools.cache
def _ggml_quantize_chunk() -> Any:
    """ggml's own quantizer (the one llama_model_quantize calls), from the library llama-cpp-python ships."""
    from llama_cpp._ctypes_extensions import load_shared_library  # the platform's library name (.so, .dylib, .dll)

    library = load_shared_library("ggml-base", Path(llama_cpp.__file__).parent / "lib")
    function = library.ggml_quantize_chunk
    function.restype = ctypes.c_size_t
    function.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p] + [ctypes.c_int64] * 3 + [ctypes.c_void_p]
    library.ggml_quantize_init.argtypes = [ctypes.c_int]
    library.ggml_quantize_init.restype = None
    return library


def quantize_rows(type_name: str, values: np.ndarray) -> bytes:
    """Rows of float32 values in a GGML type ("q4_K", "q6_K", "f16", "f32"), by ggml_quantize_chunk."""
    quant_type = gguf.GGMLQuantizationType[type_name.upper()]
    rows, per_row = values.shape
    source = np.ascontiguousarray(values, dtype=np.float32)
    target = np.zeros(rows * _row_bytes(type_name, per_row), dtype=np.uint8)
    library = _ggml_quantize_chunk()
    library.ggml_quantize_init(int(quant_type))
    written = library.ggml_quantize_chunk(
        int(quant_type), source.ctypes.data, target.ctypes.data, 0, rows, per_row, None
    )
    if written != target.nbytes:
        raise SyntheticBuildError(f"ggml quantized {written} bytes of {type_name}, expected {target.nbytes}.")
    return target.tobytes()


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
        row_bytes = _row_bytes(type_name, per_row)
        quant_type = gguf.GGMLQuantizationType[type_name.upper()]
        byte_shape = (*spec.shape[:-1], row_bytes)  # gguf-py turns a byte shape back into the tensor's shape
        writer.add_tensor_info(spec.name, byte_shape, np.dtype(np.uint8), rows * row_bytes, raw_dtype=quant_type)
    writer.write_header_to_file(path)
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    handle = writer.fout[0]  # type: ignore[index]
    alignment = writer.data_alignment
    start = gguf.GGUFWriter.ggml_pad(handle.tell(), alignment)
    sizes = [spec.n_values // spec.shape[-1] * _row_bytes(recipe.types[spec.name], spec.shape[-1]) for spec in specs]
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


# --- planning and building -------------------------------------------------------------------


@dataclass(frozen=True)
class QuantPlan:
    """What a quantization gives, from llama.cpp's dry run: each tensor's type and the file's size."""

    quantization: str
    types: dict[str, str]  # tensor name -> GGML type name ("q4_K", "q6_K", "f32")
    tensor_bytes: int
    f16_bytes: int  # the intermediate file

    def type_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for name in self.types.values():
            counts[name] = counts.get(name, 0) + 1
        return dict(sorted(counts.items()))


def _row_bytes(type_name: str, row_values: int) -> int:
    quant_type = gguf.GGMLQuantizationType[type_name.upper()]
    block, type_size = gguf.GGML_QUANT_SIZES[quant_type]
    return row_values // block * type_size


def plan(arch: Architecture, quantization: str, *, work_dir: Path) -> QuantPlan:
    """The quantization's per-tensor types and tensor bytes, from llama.cpp's dry run on a sparse F16 file.

    Takes seconds and no disk: the F16 file is a hole of the right length.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    source = work_dir / f"plan-{os.getpid()}-{time.monotonic_ns()}.f16.gguf"
    try:
        f16_bytes = write_f16(arch, source, label=arch.name, of_ref=arch.name, sparse=True)
        log = quantize(source, work_dir / "unused.gguf", quantization, dry_run=True)
    finally:
        source.unlink(missing_ok=True)
    types: dict[str, str] = {}
    total = 0
    for spec in tensor_specs(arch):
        type_name = log.types.get(spec.name, "f32" if spec.norm else "f16")
        types[spec.name] = type_name
        rows = spec.n_values // spec.shape[-1]
        total += rows * _row_bytes(type_name, spec.shape[-1])
    return QuantPlan(quantization.upper(), types, total, f16_bytes)


@dataclass(frozen=True)
class BuiltModel:
    path: Path
    ref: str
    size_bytes: int
    built: bool  # False: the cached file was reused
    seconds: float


def resolve_target(ref: str, models_dir: Path = MODELS_DIR) -> tuple[CatalogEntry, Architecture]:
    """The catalog entry and architecture a synthetic reference names ("llama-2-7b-chat:Q4_K_M")."""
    entry = find_entry(split_synthetic_ref(ref), load_catalog())
    architectures = load_architectures()
    if entry.embedded or entry.name not in architectures:
        known = ", ".join(architectures)
        raise SettingsError(f"{entry.cli_name} has no architecture in models/catalog.toml; synthesize one of: {known}.")
    if entry.quantization.upper() not in FTYPES:
        raise SettingsError(f"{entry.quantization} cannot be synthesized; use one of {', '.join(FTYPES)}.")
    return entry, architectures[entry.name]


def cached_matches(path: Path, arch: Architecture) -> bool:
    """Whether a built file is a synthetic model of this architecture (an old or foreign file is rebuilt)."""
    if not path.is_file():
        return False
    try:
        info = read_gguf_info(path)
    except ModelError:
        return False
    return (
        info.synthetic
        and info.block_count == arch.block_count
        and info.embedding_length == arch.embedding_length
        and info.head_count_kv == arch.head_count_kv
        and info.vocab_size == arch.vocab_size
    )


def free_bytes(folder: Path) -> int:
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return shutil.disk_usage(candidate).free
    return shutil.disk_usage(Path.cwd()).free


def build_synthetic(
    ref: str,
    models_dir: Path = MODELS_DIR,
    *,
    threads: int = 0,
    progress: BuildProgress | None = None,
    rebuild: bool = False,
    method: str = "direct",
) -> BuiltModel:
    """The synthetic model of a catalog entry: reused when already built, else built (see build_architecture)."""
    entry, arch = resolve_target(ref, models_dir)
    path = synthetic_path(entry, models_dir)
    if not rebuild and cached_matches(path, arch):
        return BuiltModel(path, entry.ref, path.stat().st_size, built=False, seconds=0.0)
    return build_architecture(
        arch,
        entry.quantization,
        path,
        label=entry.family,
        of_ref=entry.ref,
        threads=threads,
        progress=progress,
        method=method,
    )


def build_architecture(
    arch: Architecture,
    quantization: str,
    path: Path,
    *,
    label: str,
    of_ref: str,
    threads: int = 0,
    progress: BuildProgress | None = None,
    seed: int = 0,
    method: str = "direct",
) -> BuiltModel:
    """Build `arch` in `quantization` at `path`, the free disk checked first.

    Both methods let llama.cpp's quantizer choose every tensor's type (its recipe):
    - "direct" (default): llama_model_quantize's dry run gives the types, then the
      file is written at once, each tensor's rows quantized by ggml itself
      (ggml_quantize_chunk) from random values; no F16 intermediate. Minutes for a
      7B model, bound by the disk.
    - "f16": an F16 file of random weights is written with gguf-py and quantized
      by llama_model_quantize, then deleted: every weight goes through the
      quantizer (about 13.5 GB of intermediate and a full quantization, most of
      an hour on two busy cores for a 7B model). The two give files of the same
      tensor types and size (tests/test_synthetic.py checks it).
    """
    if method not in ("direct", "f16"):
        raise SettingsError(f"unknown build method {method!r}; use direct or f16.")
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    work = path.parent / ".partial"
    work.mkdir(exist_ok=True)
    partial = work / f"{path.name}.incomplete"
    intermediate = work / f"{path.stem}.f16.gguf"
    try:
        recipe = plan(arch, quantization, work_dir=work)
        intermediate_bytes = recipe.f16_bytes if method == "f16" else 0
        needed = intermediate_bytes + recipe.tensor_bytes + DISK_MARGIN_BYTES
        free = free_bytes(path.parent)
        if free < needed:
            what = (
                f"an F16 intermediate of {intermediate_bytes / 1e9:.1f} GB, deleted afterwards, and "
                if method == "f16"
                else ""
            )
            raise SyntheticBuildError(
                f"building {label} {quantization} needs {needed / 1e9:.1f} GB free in {path.parent} ({what}the "
                f"{recipe.tensor_bytes / 1e9:.1f} GB model); only {free / 1e9:.1f} GB is free. Free some disk space."
            )
        if method == "f16":
            write_f16(arch, intermediate, label=label, of_ref=of_ref, seed=seed, progress=progress)
            quantize(intermediate, partial, quantization, threads=threads, progress=progress)
        else:
            write_quantized(arch, partial, recipe, label=label, of_ref=of_ref, seed=seed, progress=progress)
        os.replace(partial, path)
    finally:
        intermediate.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            work.rmdir()
    return BuiltModel(path, of_ref, path.stat().st_size, built=True, seconds=time.perf_counter() - started)


def size_comparison(entry: CatalogEntry, size_bytes: int) -> str:
    """ "4,081,625,088 bytes, +0.02 % against the real file's 4,081,004,224" (the model card's GB when unknown)."""
    if entry.size_bytes:
        real, what = entry.size_bytes, f"the real file's {entry.size_bytes:,} bytes"
    elif entry.approx_gb:
        real, what = int(entry.approx_gb * 1e9), f"the model card's {entry.approx_gb:g} GB"
    else:
        return f"{size_bytes:,} bytes (the real file's size is not known)"
    return f"{size_bytes:,} bytes, {100 * (size_bytes - real) / real:+.3f} % against {what}"
