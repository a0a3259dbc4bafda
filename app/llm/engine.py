"""The only module that talks to llama-cpp-python.

`Engine` owns one loaded `llama_cpp.Llama`: it renders chat messages with the
model's chat format, streams a completion under a lock (a Llama is not
thread-safe), and measures every call (time to first token, prompt and
generation speed from llama.cpp's own perf counters, KV-cache prefix reuse,
memory). `engine_lease` keeps one model loaded and shares it while the load
settings stay the same; other settings wait for every user of the loaded
model, then free it and load theirs.
"""

from __future__ import annotations

import contextlib
import gc
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import llama_cpp
from llama_cpp import llama_chat_format

from app.errors import ContextOverflowError, GenerationStopped, ModelError, ModelLoadError, SettingsError
from app.hub.catalog import ResolvedModel
from app.llm.base import (
    Decoding,
    GenerationMetrics,
    Message,
    Streaming,
    StreamOptions,
    check_fits,
    sampling_arguments,
    take_turn,
)
from app.llm.chat_formats import FOLD_SYSTEM_FORMATS, fold_system_prompt
from app.llm.memory import check_memory_for, peak_rss_mb, rss_mb

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "GPU_REBUILD_COMMAND",
    "NO_GPU_OFFLOAD",
    "Decoding",
    "Engine",
    "GenerationMetrics",
    "LoadSettings",
    "Message",
    "fold_system_prompt",
    "get_engine",
    "gpu_offload_supported",
    "llama_cpp_version",
    "release_engine",
    "sampling_arguments",
]

# How to get a build that can offload layers to a GPU: every message that says so quotes this.
GPU_REBUILD_COMMAND = 'CMAKE_ARGS="-DGGML_CUDA=on" pip install --force-reinstall --no-cache-dir llama-cpp-python'
NO_GPU_OFFLOAD = (
    f"this llama-cpp-python build has no GPU offload; rebuild it with `{GPU_REBUILD_COMMAND}` (Metal: -DGGML_METAL=on)"
)

# llama-cpp-python registers its chat formats as completion handlers only; the
# prompt formatters behind the names we support are these.
_FORMATTERS: dict[str, Callable[..., llama_chat_format.ChatFormatterResponse]] = {
    "llama-2": llama_chat_format.format_llama2,
    "llama-3": llama_chat_format.format_llama3,
    "mistral-instruct": llama_chat_format.format_mistral_instruct,
    "chatml": llama_chat_format.format_chatml,
    "zephyr": llama_chat_format.format_zephyr,
    "gemma": llama_chat_format.format_gemma,
    "alpaca": llama_chat_format.format_alpaca,
}
SUPPORTED_CHAT_FORMATS: tuple[str, ...] = tuple(_FORMATTERS)


@dataclass(frozen=True)
class LoadSettings:
    """What it takes to load a model; two equal LoadSettings share one loaded model."""

    model_path: str
    n_ctx: int
    n_threads: int
    n_threads_batch: int
    n_batch: int
    n_gpu_layers: int
    chat_format: str | None


def gpu_offload_supported() -> bool:
    """Whether this llama-cpp-python build can put layers on a GPU (CUDA, Metal, Vulkan...)."""
    return bool(llama_cpp.llama_supports_gpu_offload())


def llama_cpp_version() -> str:
    return str(llama_cpp.__version__)


class Engine:
    """One loaded GGUF model and the calls made to it."""

    backend = "local"

    def __init__(self, model: ResolvedModel, load: LoadSettings) -> None:
        self.model = model
        self.load_settings = load
        self.lock = threading.Lock()
        if load.n_gpu_layers != 0 and not gpu_offload_supported():
            raise SettingsError(f"{NO_GPU_OFFLOAD}; or use --gpu-layers 0.")
        check_memory_for(model.path, load.n_ctx, load.n_batch, load.n_gpu_layers)
        started = time.perf_counter()
        try:
            # llama.cpp prints its load log to stderr from C; keep the user's terminal clean.
            self.llm = llama_cpp.Llama(
                model_path=load.model_path,
                n_ctx=load.n_ctx,
                n_threads=load.n_threads,
                n_threads_batch=load.n_threads_batch,
                n_batch=load.n_batch,
                n_gpu_layers=load.n_gpu_layers,
                chat_format=load.chat_format,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as error:
            raise ModelLoadError(
                f"llama.cpp could not load {model.path} ({error}); check that the file is a complete GGUF "
                "(re-download it) and that there is enough free memory."
            ) from None
        self.load_s = time.perf_counter() - started
        self._loads_reported = False
        self.chat_format = load.chat_format or self.llm.chat_format
        self._formatter = self._make_formatter()

    # --- prompt --------------------------------------------------------

    def _make_formatter(self) -> Callable[..., llama_chat_format.ChatFormatterResponse]:
        if self.load_settings.chat_format:
            formatter = _FORMATTERS.get(self.load_settings.chat_format)
            if formatter is None:
                raise SettingsError(
                    f"unknown chat format {self.load_settings.chat_format!r}; use one of "
                    f"{', '.join(SUPPORTED_CHAT_FORMATS)}, or leave it out to use the GGUF's own template."
                )
            return formatter
        template = self.llm.metadata.get("tokenizer.chat_template")
        if template:
            eos_id, bos_id = self.llm.token_eos(), self.llm.token_bos()
            return llama_chat_format.Jinja2ChatFormatter(
                template=template,
                eos_token=self.llm._model.token_get_text(eos_id) if eos_id != -1 else "",
                bos_token=self.llm._model.token_get_text(bos_id) if bos_id != -1 else "",
                stop_token_ids=[eos_id],
            )
        # No template in the file and none named: llama-cpp-python's own fallback.
        fallback: Callable[..., llama_chat_format.ChatFormatterResponse] = llama_chat_format.format_llama2
        return fallback

    def render(self, messages: list[Message]) -> tuple[str, list[str]]:
        """The prompt text for a chat and the stop strings of its format."""
        if self.load_settings.chat_format in FOLD_SYSTEM_FORMATS:
            messages = fold_system_prompt(messages)
        response = self._formatter(messages=messages)
        stop = response.stop if isinstance(response.stop, list) else [response.stop] if response.stop else []
        return response.prompt, stop

    def tokenize(self, text: str) -> list[int]:
        # Same call as llama-cpp-python's create_completion, so counts agree.
        return self.llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)

    def llm_tokens(self, text: str) -> list[int]:
        """Tokens of a piece of text inside a prompt (no beginning-of-sequence token)."""
        return self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)

    @property
    def n_ctx(self) -> int:
        return self.llm.n_ctx()

    # --- generation ----------------------------------------------------

    def stream(
        self, prompt: str, *, decoding: Decoding, max_tokens: int, **options: Unpack[StreamOptions]
    ) -> Iterator[str]:
        """Yield the completion piece by piece; fill the options' `metrics` as it goes.

        Holds the engine's lock for the whole generation. When `should_stop`
        returns true the generation ends early, metrics.stopped_by_user is set
        and what was produced so far stands. When another caller holds the
        model, `on_queued` is called once before waiting for it. `ignore_eos`
        (benchmarks) bans the end-of-text token so exactly max_tokens come out.
        """
        call = Streaming.of(options)
        metrics = call.metrics
        tokens = self.tokenize(prompt)
        check_fits(len(tokens), max_tokens, self.n_ctx)
        take_turn(self.lock, call.on_queued, call.should_stop)
        try:
            # The KV cache still holds the previous call's tokens; llama-cpp-python
            # keeps the longest common prefix and evaluates only the rest.
            reused = llama_cpp.Llama.longest_token_prefix(self.llm._input_ids.tolist(), tokens)
            if reused == len(tokens):
                reused -= 1  # the last prompt token is replayed to refresh the logits
            metrics.prompt_tokens = len(tokens)
            metrics.prompt_tokens_reused = max(0, reused)
            metrics.model_size_mb = self.model.size_mb
            metrics.gpu_layers = self.load_settings.n_gpu_layers
            metrics.gpu_offload_supported = gpu_offload_supported()
            if not self._loads_reported:
                metrics.load_s = self.load_s  # the load belongs to the first call that needed it
                self._loads_reported = True
            llama_cpp.llama_perf_context_reset(self.llm.ctx)
            started = time.perf_counter()
            completion = self.llm.create_completion(
                tokens,
                max_tokens=max_tokens,
                stop=call.stop,
                stream=True,
                logit_bias={self.llm.token_eos(): float("-inf")} if call.ignore_eos else None,
                **sampling_arguments(decoding),
            )
            chunks = 0
            try:
                # stream=True: an iterator of chunks (the stubs allow a whole response too).
                for chunk in cast(Iterator[dict[str, Any]], completion):
                    now = time.perf_counter()
                    if chunk["choices"][0].get("finish_reason") is None:
                        chunks += 1  # one streamed chunk per sampled token; the last one only closes the stream
                    if metrics.ttft_s is None:
                        metrics.ttft_s = now - started
                    # Live figures for a progress display; llama.cpp's own counters replace them at the end.
                    metrics.generated_tokens = chunks
                    since_first = now - started - metrics.ttft_s
                    if chunks > 1 and since_first > 0:
                        metrics.gen_tokens_per_s = (chunks - 1) / since_first
                    piece = chunk["choices"][0]["text"]
                    if piece:
                        yield piece
                    if call.should_stop is not None and call.should_stop():
                        metrics.stopped_by_user = True
                        break
            finally:
                with contextlib.suppress(Exception):
                    completion.close()  # type: ignore[union-attr]
                metrics.total_s = time.perf_counter() - started
                self._fill_perf(metrics)
                metrics.generated_tokens = chunks
        finally:
            self.lock.release()

    def _fill_perf(self, metrics: GenerationMetrics) -> None:
        perf = llama_cpp.llama_perf_context(self.llm.ctx)
        if perf.t_p_eval_ms > 0 and perf.n_p_eval > 0:
            metrics.prompt_tokens_per_s = perf.n_p_eval / (perf.t_p_eval_ms / 1000)
        if perf.t_eval_ms > 0 and perf.n_eval > 0:
            metrics.gen_tokens_per_s = perf.n_eval / (perf.t_eval_ms / 1000)
        metrics.rss_mb = rss_mb()
        metrics.peak_rss_mb = peak_rss_mb()

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], *, decoding: Decoding, max_tokens: int
    ) -> tuple[dict[str, Any], GenerationMetrics]:
        """Answer a chat with JSON that must match `schema` (grammar-constrained sampling).

        llama.cpp only samples tokens the JSON-schema grammar allows, so even a
        tiny model returns parseable JSON of the right shape (an LLM judge, say).
        """
        prompt, stop = self.render(messages)
        grammar = llama_cpp.LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        tokens = self.tokenize(prompt)
        if len(tokens) + max_tokens > self.n_ctx:
            raise ContextOverflowError(
                f"the prompt needs {len(tokens)} tokens plus {max_tokens} new ones, more than the context "
                f"window of {self.n_ctx}; raise --ctx or lower --max-tokens."
            )
        metrics = GenerationMetrics(prompt_tokens=len(tokens))
        with self.lock:
            llama_cpp.llama_perf_context_reset(self.llm.ctx)
            started = time.perf_counter()
            result = self.llm.create_completion(
                tokens, max_tokens=max_tokens, stop=stop, grammar=grammar, **sampling_arguments(decoding)
            )
            metrics.total_s = time.perf_counter() - started
            self._fill_perf(metrics)
        text = result["choices"][0]["text"]  # type: ignore[index]
        metrics.generated_tokens = int(result["usage"]["completion_tokens"])  # type: ignore[index]
        try:
            return json.loads(text), metrics
        except json.JSONDecodeError:
            raise ModelError(
                f"the model's JSON answer was cut off after {max_tokens} tokens; raise the token limit."
            ) from None

    def complete(
        self, prompt: str, *, decoding: Decoding, max_tokens: int, stop: list[str] | None = None
    ) -> tuple[str, GenerationMetrics]:
        """The whole completion at once (for scripts and tests)."""
        metrics = GenerationMetrics()
        text = "".join(self.stream(prompt, decoding=decoding, max_tokens=max_tokens, stop=stop, metrics=metrics))
        return text, metrics

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.llm.close()


# --- one shared model ------------------------------------------------------
#
# The app's sessions share one loaded model. A session holds it through a lease
# (engine_lease) for all of its model work: prompt building, tokenizing,
# generation. A session that needs other load settings (another model, context
# size, thread count...) waits until every lease on the loaded model has been
# returned; only then is the old model freed and the new one loaded. Freeing a
# model that another session was still tokenizing with crashed the app with a
# segfault (issue 12). Waiting callers are served first come, first served: a
# caller for the loaded settings queues behind an earlier caller that needs a
# switch, so a busy model cannot starve a session with other settings.


class _Ticket:
    """A caller waiting for the shared model."""

    def __init__(self, load: LoadSettings) -> None:
        self.load = load


class _SharedModel:
    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.engine: Engine | None = None
        self.users = 0  # leases held on `engine`
        self.loading = False  # a switch is under way: nobody uses or switches meanwhile
        self.waiting: list[_Ticket] = []  # callers in arrival order


_shared = _SharedModel()
_WAIT_POLL_S = 0.1  # how often a waiting caller checks whether its user has stopped


@contextlib.contextmanager
def engine_lease(
    model: ResolvedModel,
    load: LoadSettings,
    *,
    on_wait: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[Engine]:
    """Hold the shared engine for these load settings while the `with` block runs.

    The loaded engine is reused when its settings are equal. For other settings
    this waits until every other holder of the loaded engine has finished, then
    frees it and loads the model anew. When the caller must wait, `on_wait` is
    called with a sentence that says why (again only if the reason changes). `should_stop` is polled while
    waiting; when it returns true the wait ends with GenerationStopped.
    """
    engine = _acquire(model, load, on_wait, should_stop)
    try:
        yield engine
    finally:
        with _shared.condition:
            _shared.users -= 1
            _shared.condition.notify_all()


def get_engine(model: ResolvedModel, load: LoadSettings) -> Engine:
    """The loaded engine for these settings, for a script with one user.

    Waits like engine_lease for the engine's other users, but holds no lease
    after it returns: code that may run beside another session (the app, the
    pipeline) uses engine_lease instead.
    """
    with engine_lease(model, load) as engine:
        return engine


def _acquire(
    model: ResolvedModel,
    load: LoadSettings,
    on_wait: Callable[[str], None] | None,
    should_stop: Callable[[], bool] | None,
) -> Engine:
    shared = _shared
    ticket = _Ticket(load)
    told = ""
    with shared.condition:
        shared.waiting.append(ticket)
        try:
            while True:
                earlier = shared.waiting[: shared.waiting.index(ticket)]
                loaded = shared.engine
                if not shared.loading and loaded is not None and loaded.load_settings == load:
                    if all(other.load == load for other in earlier):
                        shared.users += 1
                        return loaded
                elif not shared.loading and shared.users == 0 and not earlier:
                    break  # this caller switches the model
                reason = _wait_reason(loaded, load, shared.loading)
                if reason != told and on_wait is not None:
                    told = reason  # told once, and again only when the reason changes
                    on_wait(reason)
                if should_stop is not None and should_stop():
                    raise GenerationStopped("Stopped while waiting for the model; nothing was generated.")
                shared.condition.wait(_WAIT_POLL_S)
        finally:
            shared.waiting.remove(ticket)
            shared.condition.notify_all()
        shared.loading = True
        old, shared.engine = shared.engine, None
    # Nobody holds the old engine now, and nobody may take it: free it before
    # loading the next (two 7B models may not fit in RAM), outside the lock so
    # that waiting callers can still be told and stopped.
    new: Engine | None = None
    try:
        if old is not None:
            old.close()
            del old
            gc.collect()
        new = Engine(model, load)
    finally:
        with shared.condition:
            shared.loading = False
            shared.engine = new
            shared.users += 1 if new is not None else 0
            shared.condition.notify_all()
    assert new is not None  # Engine() returned: it did not raise
    return new


def _wait_reason(loaded: Engine | None, wanted: LoadSettings, loading: bool) -> str:
    if loading or loaded is None:
        return "Waiting for the model: it is being loaded for another session; this analysis starts right after."
    if loaded.load_settings == wanted:
        return (
            "Waiting for the model: another session needs it with other settings first; "
            "this analysis starts when that one has finished."
        )
    return (
        "Waiting for the model: another session is using it with other settings "
        f"({_describe_difference(loaded.load_settings, wanted)}); it is reloaded with yours when that session has "
        "finished."
    )


_SETTING_NAMES = {
    "model_path": "model",
    "n_ctx": "context size",
    "n_threads": "threads",
    "n_threads_batch": "batch threads",
    "n_batch": "batch size",
    "n_gpu_layers": "GPU layers",
    "chat_format": "chat format",
}


def _describe_difference(loaded: LoadSettings, wanted: LoadSettings) -> str:
    return ", ".join(
        f"{label} {getattr(loaded, field)} there, {getattr(wanted, field)} here"
        for field, label in _SETTING_NAMES.items()
        if getattr(loaded, field) != getattr(wanted, field)
    )


def release_engine() -> None:
    """Free the shared model once nobody uses it (tests, the benchmark's model switch)."""
    with _shared.condition:
        _shared.condition.wait_for(lambda: _shared.users == 0 and not _shared.loading)
        engine, _shared.engine = _shared.engine, None
        if engine is not None:
            engine.close()
            del engine
            gc.collect()
