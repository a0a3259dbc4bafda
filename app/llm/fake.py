"""A ModelEngine without a model, for tests of failure paths and of the UI (in the manner of simonw/llm's MockModel).

Replies are queued and handed out in order, one per call; each streams piece
by piece and fills the same `GenerationMetrics` a real engine fills. A reply
can fail: an error after some pieces (the model dying mid-stream), a
`ContextOverflowError` (also raised by itself when prompt + max_tokens exceed
`n_ctx`, as the real engine does), and `should_stop` ends a stream early as a
Stop click would. Every call is recorded in `calls`.

    engine = FakeEngine().queue("First advice.", ["Second ", "advice."])
    engine.fail(ModelError("the model crashed"), after=["1. Match: "])

The real-model path is tested with the real model (tests/test_engine.py,
test_cli.py...); this is for what a model cannot be made to do on demand.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.errors import ModelError
from app.llm.base import Decoding, GenerationMetrics, Message, Streaming, StreamOptions, check_fits, take_turn

if TYPE_CHECKING:
    from typing_extensions import Unpack

_TOKEN = re.compile(r"\w+|[^\w\s]")
_BOS = 1
FAKE_STOP = "<|end|>"


@dataclass(frozen=True)
class FakeReply:
    """One queued answer: streamed as `pieces`; then `error`, if any, is raised; `data` answers complete_json."""

    pieces: tuple[str, ...] = ()
    error: BaseException | None = None
    data: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        return "".join(self.pieces)


@dataclass(frozen=True)
class FakeModel:
    """The fake's model facts, as the report shows them."""

    name: str
    path: str
    quantization: str | None


@dataclass(frozen=True)
class FakeCall:
    """What one call asked for."""

    kind: str  # "stream" or "json"
    prompt: str
    max_tokens: int
    decoding: Decoding
    stop: tuple[str, ...] = ()


def _as_reply(reply: str | Iterable[str] | FakeReply | dict[str, Any]) -> FakeReply:
    if isinstance(reply, FakeReply):
        return reply
    if isinstance(reply, str):
        # A space-separated text streams word by word, as a model streams tokens.
        return FakeReply(tuple(re.findall(r"\S+\s*|\s+", reply)) or ("",))
    if isinstance(reply, dict):
        return FakeReply(data=reply)
    return FakeReply(tuple(reply))


@dataclass
class FakeEngine:
    """Satisfies app.llm.base.ModelEngine and JsonEngine; see the module docstring."""

    n_ctx_tokens: int = 4096
    name: str = "fake-model"
    default_reply: str = "1. Match: this is fake advice."
    seconds_per_piece: float = 0.0  # >0 slows the stream down (UI tests of live metrics)
    load_s: float = 0.25
    calls: list[FakeCall] = field(default_factory=list)
    closed: bool = False

    def __post_init__(self) -> None:
        self._replies: deque[FakeReply] = deque()
        self._vocabulary: dict[str, int] = {}
        self._last_prompt: list[int] = []
        self._load_reported = False
        self.lock = threading.Lock()

    # --- setting it up ----------------------------------------------------------------------

    def queue(self, *replies: str | Iterable[str] | FakeReply | dict[str, Any]) -> FakeEngine:
        """Queue replies for the next calls, in order (a str streams word by word; a dict answers complete_json)."""
        self._replies.extend(_as_reply(reply) for reply in replies)
        return self

    def fail(self, error: BaseException, *, after: Iterable[str] = ()) -> FakeEngine:
        """Make the next call stream `after`, then raise `error` (a model failing mid-stream)."""
        self._replies.append(FakeReply(tuple(after), error))
        return self

    def _next_reply(self) -> FakeReply:
        return self._replies.popleft() if self._replies else _as_reply(self.default_reply)

    # --- ModelEngine -----------------------------------------------------------------------

    backend = "local"  # the report's model.backend: what the pipeline would show for a local model
    chat_format: str | None = "fake"

    @property
    def model(self) -> FakeModel:
        return FakeModel(self.name, f"fake://{self.name}", None)

    @property
    def n_ctx(self) -> int:
        return self.n_ctx_tokens

    def render(self, messages: list[Message]) -> tuple[str, list[str]]:
        text = "".join(f"<|{message['role']}|>\n{message['content']}{FAKE_STOP}\n" for message in messages)
        return text + "<|assistant|>\n", [FAKE_STOP]

    def llm_tokens(self, text: str) -> list[int]:
        # Words and punctuation marks: a rough, deterministic stand-in for a model's tokenizer.
        return [self._vocabulary.setdefault(token, len(self._vocabulary) + 2) for token in _TOKEN.findall(text)]

    def tokenize(self, text: str) -> list[int]:
        return [_BOS, *self.llm_tokens(text)]

    def stream(
        self, prompt: str, *, decoding: Decoding, max_tokens: int, **options: Unpack[StreamOptions]
    ) -> Iterator[str]:
        # ignore_eos is not read: the fake's replies are what they are, with nothing to ban.
        call = Streaming.of(options)
        tokens = self._check_fits(prompt, max_tokens)
        self.calls.append(FakeCall("stream", prompt, max_tokens, decoding, tuple(call.stop)))
        reply = self._next_reply()
        take_turn(self.lock, call.on_queued, call.should_stop)
        try:
            yield from self._stream_reply(reply, tokens, max_tokens, call.stop, call.metrics, call.should_stop)
        finally:
            self.lock.release()

    def _stream_reply(
        self,
        reply: FakeReply,
        tokens: list[int],
        max_tokens: int,
        stop: list[str],
        metrics: GenerationMetrics,
        should_stop: Callable[[], bool] | None,
    ) -> Iterator[str]:
        self._fill_start(metrics, tokens)
        started = time.perf_counter()
        written = ""
        try:
            for piece in reply.pieces[:max_tokens]:
                if self.seconds_per_piece:
                    time.sleep(self.seconds_per_piece)
                cut = _cut_at_stop(written + piece, stop)
                piece = cut[len(written) :] if cut is not None else piece
                now = time.perf_counter()
                if metrics.ttft_s is None:
                    metrics.ttft_s = now - started
                metrics.generated_tokens += 1
                if metrics.generated_tokens > 1 and now - started > metrics.ttft_s:
                    metrics.gen_tokens_per_s = (metrics.generated_tokens - 1) / (now - started - metrics.ttft_s)
                written += piece
                if piece:
                    yield piece
                if cut is not None:
                    break
                if should_stop is not None and should_stop():
                    metrics.stopped_by_user = True
                    break
            else:
                if reply.error is not None:
                    raise reply.error
        finally:
            metrics.total_s = time.perf_counter() - started
            metrics.prompt_tokens_per_s = metrics.prompt_tokens / max(metrics.ttft_s or 0.0, 1e-3)
            if metrics.gen_tokens_per_s is None and metrics.generated_tokens:
                metrics.gen_tokens_per_s = metrics.generated_tokens / max(metrics.total_s, 1e-3)

    def _fill_start(self, metrics: GenerationMetrics, tokens: list[int]) -> None:
        reused = 0
        for ours, before in zip(tokens, self._last_prompt, strict=False):
            if ours != before:
                break
            reused += 1
        self._last_prompt = tokens
        metrics.prompt_tokens = len(tokens)
        metrics.prompt_tokens_reused = min(reused, len(tokens) - 1)
        metrics.model_size_mb = 0.0
        metrics.gpu_layers = 0
        metrics.gpu_offload_supported = False
        metrics.rss_mb = metrics.peak_rss_mb = 1.0
        if not self._load_reported:
            metrics.load_s = self.load_s  # the load belongs to the first call, as with the real engine
            self._load_reported = True

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], *, decoding: Decoding, max_tokens: int
    ) -> tuple[dict[str, Any], GenerationMetrics]:
        prompt, _ = self.render(messages)
        tokens = self._check_fits(prompt, max_tokens)
        self.calls.append(FakeCall("json", prompt, max_tokens, decoding))
        reply = self._next_reply()
        metrics = GenerationMetrics()
        self._fill_start(metrics, tokens)
        if reply.error is not None:
            raise reply.error
        if reply.data is not None:
            metrics.generated_tokens = len(self.llm_tokens(json.dumps(reply.data)))
            return reply.data, metrics
        try:
            data = json.loads(reply.text)
        except json.JSONDecodeError:
            raise ModelError(
                f"the model's JSON answer was cut off after {max_tokens} tokens; raise the token limit."
            ) from None
        if not isinstance(data, dict):
            raise ModelError("the model's JSON answer is not an object.")
        return data, metrics

    def close(self) -> None:
        self.closed = True

    def _check_fits(self, prompt: str, max_tokens: int) -> list[int]:
        tokens = self.tokenize(prompt)
        check_fits(len(tokens), max_tokens, self.n_ctx)
        return tokens


def _cut_at_stop(text: str, stop: list[str]) -> str | None:
    """The text before the first stop string, or None when there is none (the stream goes on)."""
    positions = [text.find(item) for item in stop if item and item in text]
    return text[: min(positions)] if positions else None
