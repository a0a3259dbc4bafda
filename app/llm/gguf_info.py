"""Read a GGUF file's header metadata without loading the model.

Enough of the GGUF format (v2/v3) to answer, in milliseconds and without
llama.cpp, the questions asked before a load: the architecture, layer count
and attention shape (for the memory estimate), the trained context length and
whether the file carries a chat template, and that template itself (for the
server backend, which renders prompts without llama.cpp); whether it is a
synthetic (speed-only) model; and, from the tensor table, what one generated
token reads.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from app.errors import ModelLoadError

# Written into every synthetic model (app.llm.synthetic): random weights, for speed estimates only.
SYNTHETIC_KEY = "cv_enhancer.synthetic"
SYNTHETIC_OF_KEY = "cv_enhancer.synthetic_of"  # the catalog entry it has the shape of ("llama-2-7b-chat:Q4_K_M")

_SCALARS: dict[int, str] = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9


@dataclass(frozen=True)
class GgufInfo:
    architecture: str
    block_count: int
    embedding_length: int
    head_count: int
    head_count_kv: int
    context_length: int | None
    has_chat_template: bool
    file_size: int
    vocab_size: int
    synthetic: bool = False

    def kv_cache_bytes(self, n_ctx: int, bytes_per_value: int = 2) -> int:
        """Memory of the K and V caches for n_ctx tokens (f16 by default, as llama.cpp uses)."""
        head_dim = self.embedding_length // max(1, self.head_count)
        return 2 * self.block_count * n_ctx * head_dim * self.head_count_kv * bytes_per_value


def read_gguf_info(path: Path) -> GgufInfo:
    """The header facts of a GGUF file; ModelLoadError (one line) when it is not one."""
    try:
        with path.open("rb") as handle:
            metadata = _read_metadata(handle)
    except (OSError, struct.error, UnicodeDecodeError, ValueError) as error:
        raise ModelLoadError(f"{path}: not a readable GGUF model file ({error}); download it again.") from None
    architecture = str(metadata.get("general.architecture", "llama"))

    def number(key: str, default: int = 0) -> int:
        value = metadata.get(f"{architecture}.{key}", default)
        return int(value) if isinstance(value, int | float) else default

    head_count = number("attention.head_count", 1)
    return GgufInfo(
        architecture=architecture,
        block_count=number("block_count"),
        embedding_length=number("embedding_length"),
        head_count=head_count,
        head_count_kv=number("attention.head_count_kv", head_count),
        context_length=number("context_length") or None,
        has_chat_template="tokenizer.chat_template" in metadata,
        file_size=path.stat().st_size,
        vocab_size=int(metadata.get("tokenizer.ggml.tokens") or 32000),
        synthetic=bool(metadata.get(SYNTHETIC_KEY, False)),
    )


@dataclass(frozen=True)
class ChatTemplate:
    """A GGUF's own chat template and the texts of its beginning/end-of-sequence tokens."""

    template: str
    bos_token: str
    eos_token: str


def read_chat_template(path: Path) -> ChatTemplate | None:
    """The file's `tokenizer.chat_template` (None when it has none), read without llama.cpp.

    The server backend renders prompts with it, as llama-cpp-python's
    Jinja2ChatFormatter does with the loaded model's.
    """
    try:
        with path.open("rb") as handle:
            metadata = _read_metadata(handle, keep_arrays=frozenset({"tokenizer.ggml.tokens"}))
    except (OSError, struct.error, UnicodeDecodeError, ValueError) as error:
        raise ModelLoadError(f"{path}: not a readable GGUF model file ({error}); download it again.") from None
    template = metadata.get("tokenizer.chat_template")
    if not isinstance(template, str):
        return None
    tokens = metadata.get("tokenizer.ggml.tokens")
    tokens = tokens if isinstance(tokens, list) else []

    def token_text(key: str) -> str:
        index = metadata.get(key)
        return str(tokens[index]) if isinstance(index, int) and 0 <= index < len(tokens) else ""

    return ChatTemplate(template, token_text("tokenizer.ggml.bos_token_id"), token_text("tokenizer.ggml.eos_token_id"))


def _read_metadata(handle: BinaryIO, keep_arrays: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The header's key/values; arrays stand for their length, except those named in keep_arrays (read as lists).

    Leaves the handle at the tensor table; the tensor count is under "__tensor_count__".
    """
    if handle.read(4) != b"GGUF":
        raise ValueError("no GGUF magic number")
    (version,) = struct.unpack("<I", handle.read(4))
    if version < 2:
        raise ValueError(f"GGUF version {version} is too old")
    tensor_count, kv_count = struct.unpack("<QQ", handle.read(16))
    metadata: dict[str, Any] = {"__tensor_count__": tensor_count}
    for _ in range(kv_count):
        key = _read_string(handle)
        (value_type,) = struct.unpack("<I", handle.read(4))
        metadata[key] = _read_value(handle, value_type, keep=key in keep_arrays)
    return metadata


def read_string_array(path: Path, key: str) -> list[str]:
    """One string array of the header (the vocabulary's tokens, say); ModelLoadError when absent or unreadable."""
    try:
        with path.open("rb") as handle:
            value = _read_metadata(handle, keep_arrays=frozenset({key})).get(key)
    except (OSError, struct.error, UnicodeDecodeError, ValueError) as error:
        raise ModelLoadError(f"{path}: not a readable GGUF model file ({error}).") from None
    if not isinstance(value, list):
        raise ModelLoadError(f"{path}: the GGUF header has no array {key}.")
    return [str(item) for item in value]


def read_int_array(path: Path, key: str) -> list[int]:
    try:
        with path.open("rb") as handle:
            value = _read_metadata(handle, keep_arrays=frozenset({key})).get(key)
    except (OSError, struct.error, UnicodeDecodeError, ValueError) as error:
        raise ModelLoadError(f"{path}: not a readable GGUF model file ({error}).") from None
    if not isinstance(value, list):
        raise ModelLoadError(f"{path}: the GGUF header has no array {key}.")
    return [int(item) for item in value]


@dataclass(frozen=True)
class TensorEntry:
    """One row of the GGUF tensor table: the name, the dimensions (ne0 first) and the GGML type number."""

    name: str
    dims: tuple[int, ...]
    type_id: int

    @property
    def n_bytes(self) -> int:
        import gguf  # llama.cpp's own table of block sizes

        block, type_size = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType(self.type_id)]
        values = 1
        for dim in self.dims:
            values *= dim
        return values // block * type_size

    @property
    def type_name(self) -> str:
        import gguf

        return gguf.GGMLQuantizationType(self.type_id).name


def read_tensor_table(path: Path) -> list[TensorEntry]:
    """Every tensor's name, shape and type, from the header (no tensor data is read)."""
    try:
        with path.open("rb") as handle:
            count = _read_metadata(handle)["__tensor_count__"]
            table = []
            for _ in range(count):
                name = _read_string(handle)
                (n_dims,) = struct.unpack("<I", handle.read(4))
                dims = struct.unpack(f"<{n_dims}Q", handle.read(8 * n_dims))
                type_id, _offset = struct.unpack("<IQ", handle.read(12))
                table.append(TensorEntry(name, tuple(int(dim) for dim in dims), int(type_id)))
    except (OSError, struct.error, UnicodeDecodeError, ValueError) as error:
        raise ModelLoadError(f"{path}: not a readable GGUF model file ({error}); download it again.") from None
    return table


def _read_string(handle: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", handle.read(8))
    return handle.read(length).decode("utf-8")


def _read_value(handle: BinaryIO, value_type: int, *, keep: bool = False) -> Any:
    if value_type in _SCALARS:
        fmt = _SCALARS[value_type]
        return struct.unpack(fmt, handle.read(struct.calcsize(fmt)))[0]
    if value_type == _STRING:
        return _read_string(handle)
    if value_type == _ARRAY:
        item_type, count = struct.unpack("<IQ", handle.read(12))
        if keep:
            return [_read_value(handle, item_type) for _ in range(count)]
        if item_type in _SCALARS:
            # Arrays (token scores, types) are skipped, not decoded: only their size matters here.
            handle.seek(struct.calcsize(_SCALARS[item_type]) * count, 1)
            return count
        items = [_read_value(handle, item_type) for _ in range(count)]
        return items if keep else count  # an array stands for its length (the vocabulary size, say)
    raise ValueError(f"unknown GGUF value type {value_type}")


@dataclass(frozen=True)
class TokenReads:
    """What generating one token reads from memory, by where it lives (from the GGUF's tensor sizes)."""

    layer_bytes: tuple[int, ...]  # every tensor of each block, in block order
    output_bytes: int  # output.weight and output_norm (the embedding table when the output is tied to it)
    embedding_row_bytes: int  # one row of the token-embedding table: all a token reads of it
    kv_bytes_per_position: int  # one cached token's K and V in one layer (f16)

    def split(self, gpu_layers: int, context_tokens: float) -> tuple[float, float]:
        """(bytes read from RAM, bytes read from GPU memory) per token with gpu_layers offloaded (-1: all).

        llama.cpp offloads the last layers first, and the output layer only
        when every layer is offloaded (n_gpu_layers > block count).
        """
        count = len(self.layer_bytes)
        offloaded = count if gpu_layers < 0 else min(gpu_layers, count)
        output_on_gpu = gpu_layers < 0 or gpu_layers > count
        kv = self.kv_bytes_per_position * context_tokens
        cpu = self.embedding_row_bytes + sum(self.layer_bytes[: count - offloaded]) + (count - offloaded) * kv
        gpu = sum(self.layer_bytes[count - offloaded :]) + offloaded * kv
        if output_on_gpu:
            gpu += self.output_bytes
        else:
            cpu += self.output_bytes
        return float(cpu), float(gpu)


def token_reads(path: str | Path) -> TokenReads:
    """Bytes per generated token of a GGUF model, from its tensor table (the data is not read)."""
    path = Path(path)
    table = {tensor.name: tensor for tensor in read_tensor_table(path)}
    info = read_gguf_info(path)
    layers = [0] * info.block_count
    for name, tensor in table.items():
        if name.startswith("blk."):
            index = int(name.split(".")[1])
            if index < len(layers):
                layers[index] += tensor.n_bytes
    embedding = table.get("token_embd.weight")
    embedding_bytes = embedding.n_bytes if embedding else 0
    output = table.get("output.weight")  # absent: the output is tied to the embedding table, read whole
    norm = table.get("output_norm.weight")
    output_bytes = (output.n_bytes if output else embedding_bytes) + (norm.n_bytes if norm else 0)
    row = embedding_bytes // embedding.dims[-1] if embedding and len(embedding.dims) > 1 else 0
    head_dim = info.embedding_length // max(1, info.head_count)
    return TokenReads(tuple(layers), output_bytes, row, 2 * head_dim * info.head_count_kv * 2)
