"""Read a GGUF file's header metadata without loading the model.

Enough of the GGUF format (v2/v3) to answer, in milliseconds and without
llama.cpp, the questions asked before a load: the architecture, layer count
and attention shape (for the memory estimate), the trained context length and
whether the file carries a chat template, and that template itself (for the
server backend, which renders prompts without llama.cpp).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from app.errors import ModelLoadError

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
    if handle.read(4) != b"GGUF":
        raise ValueError("no GGUF magic number")
    (version,) = struct.unpack("<I", handle.read(4))
    if version < 2:
        raise ValueError(f"GGUF version {version} is too old")
    _tensor_count, kv_count = struct.unpack("<QQ", handle.read(16))
    metadata: dict[str, Any] = {}
    for _ in range(kv_count):
        key = _read_string(handle)
        (value_type,) = struct.unpack("<I", handle.read(4))
        metadata[key] = _read_value(handle, value_type, keep=key in keep_arrays)
    return metadata


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
        if item_type in _SCALARS:
            # Arrays (token scores, types) are skipped, not decoded: only their size matters here.
            handle.seek(struct.calcsize(_SCALARS[item_type]) * count, 1)
            return count
        items = [_read_value(handle, item_type) for _ in range(count)]
        return items if keep else count  # an array stands for its length (the vocabulary size, say)
    raise ValueError(f"unknown GGUF value type {value_type}")
