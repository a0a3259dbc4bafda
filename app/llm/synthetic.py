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
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from app.errors import ModelError, SettingsError, SyntheticBuildError
from app.hub.catalog import (
    MODELS_DIR,
    Architecture,
    CatalogEntry,
    find_entry,
    load_architectures,
    load_catalog,
    split_synthetic_ref,
    synthetic_path,
)
from app.llm.gguf_info import read_gguf_info
from app.llm.synthetic_layout import tensor_specs
from app.llm.synthetic_quantize import FTYPES, BuildProgress, QuantPlan, quantize, quantized_row_bytes
from app.llm.synthetic_writer import write_f16, write_quantized

DISK_MARGIN_BYTES = 256 * 1024 * 1024


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
        total += rows * quantized_row_bytes(type_name, spec.shape[-1])
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
