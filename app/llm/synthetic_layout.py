"""What a synthetic model's file holds: its tensors (names and shapes) and its SentencePiece-style vocabulary."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import gguf
import numpy as np

from app.errors import SettingsError
from app.hub.catalog import (
    Architecture,
    embedded_model_path,
)
from app.llm.gguf_info import read_int_array, read_string_array

N_SPECIAL = 3  # <unk>, <s>, </s>
N_BYTES = 256


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
