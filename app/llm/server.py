"""The server backend: the model calls of `Engine`, made to OpenAI-compatible servers over HTTP.

Any OpenAI-compatible server will do: llama-cpp-python's own
(`python -m llama_cpp.server`, what scripts/deploy/ starts), llama.cpp's
`llama-server`, vLLM, Ollama or LM Studio, one or several, or nginx in front
of many. No llama_cpp here: the prompt is rendered by app.llm.chat_formats (for
the model app.llm.served_model names) and counted by the server's tokenize
endpoint; app.llm.server_pool says which server to try next.

Why /v1/completions and not /v1/chat/completions: the advice prompt ends with
the opening sentence of the answer, written by us from the findings, for the
model to continue; a chat endpoint would close that turn and start a new one.
Sending the rendered text keeps Llama-2's and Mistral's formats exactly as the
local engine writes them, on every server, and the same bytes mean the same
greedy answer and the same KV-cache prefix reuse on llama.cpp servers.

Failures: a server that cannot be reached, answers 5xx or breaks off a
stream is put to rest for `cooldown_s` and the call goes on with the next one
(with a single URL, such as nginx's, the same URL is tried again: nginx picks
another worker). A stream that broke after some tokens is resumed from where
it stopped: the text so far joins the prompt. Client errors (4xx) are not
retried: they are ours or the settings', and the message says which.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
import httpx_sse

from app.errors import ContextOverflowError, ModelError, ServerError
from app.llm.base import Decoding, GenerationMetrics, Message, Streaming, StreamOptions, check_fits, sampling_arguments
from app.llm.served_model import served_model
from app.llm.server_pool import ServerPool, server_root, start_hint

if TYPE_CHECKING:
    from typing_extensions import Unpack

CONNECT_TIMEOUT_S = 5.0


# --- the engine -------------------------------------------------------------------------------


class _Retry(Exception):
    """This server failed in a way the next one may not: try on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Progress:
    """What a stream produced so far, kept across a resume on another server."""

    text: str = ""
    tokens: int = 0
    first_token_at: float | None = None
    last_token_at: float | None = None
    finished: bool = False
    timings: dict[str, Any] | None = None
    usage: dict[str, Any] | None = None
    served_by: str | None = None
    notes: list[str] = field(default_factory=list)


class ServerEngine:
    """The engine's interface (render, tokenize, stream...) over one or more OpenAI-compatible servers."""

    backend = "server"

    def __init__(
        self,
        urls: list[str],
        model_name: str,
        *,
        chat_format: str | None = None,
        n_ctx: int = 4096,
        read_timeout_s: float = 600.0,
        pool: ServerPool | None = None,
        preferred: str | None = None,
        api_key: str | None = None,
    ) -> None:
        self.pool = pool or ServerPool(urls)
        self.preferred = preferred
        self.model, self._render = served_model(model_name, chat_format)
        self.chat_format = self.model.chat_format or "chat_template.default"  # llama-cpp-python's name for it
        self._n_ctx = n_ctx
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        # read: the longest wait for the next byte; a queued request waits for the ones before it.
        self.client = httpx.Client(
            timeout=httpx.Timeout(read_timeout_s, connect=CONNECT_TIMEOUT_S), headers=headers, trust_env=False
        )
        self._token_cache: dict[str, list[int]] = {}
        self._cache_lock = threading.Lock()
        self._bos: dict[str, list[int]] = {}
        self.tokenizer_dialect: dict[str, str] = {}

    # --- prompt --------------------------------------------------------

    def render(self, messages: list[Message]) -> tuple[str, list[str]]:
        rendered = self._render(messages)
        return rendered.prompt, list(rendered.stop)

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    def tokenize(self, text: str) -> list[int]:
        """The prompt's tokens as the server counts them (beginning-of-sequence token included)."""
        with self._cache_lock:
            cached = self._token_cache.get(text)
        if cached is not None:
            return cached
        tokens = self._call("tokenize", lambda url: self._tokenize_at(url, text))
        with self._cache_lock:
            if len(self._token_cache) > 64:
                self._token_cache.clear()
            self._token_cache[text] = tokens
        return tokens

    def llm_tokens(self, text: str) -> list[int]:
        """Tokens of a piece of text inside a prompt (no beginning-of-sequence token)."""
        bos = self.tokenize("")
        tokens = self.tokenize(text)
        return tokens[len(bos) :] if tokens[: len(bos)] == bos else tokens

    def _tokenize_at(self, url: str, text: str) -> list[int]:
        root = server_root(url)
        dialect = self.tokenizer_dialect.get(url)
        attempts = [dialect] if dialect else ["llama-cpp-python", "llama.cpp"]
        for name in attempts:
            if name == "llama-cpp-python":
                # llama-cpp-python's server: tokenize(text, add_bos=True, special=True), as Engine.tokenize does.
                response = self._post(url, f"{root}/extras/tokenize", {"input": text, "model": self.model.name})
            else:
                # llama.cpp's llama-server ("content") and vLLM ("prompt") share the path.
                body = {"content": text, "prompt": text, "add_special": True, "add_special_tokens": True}
                response = self._post(url, f"{root}/tokenize", {**body, "model": self.model.name})
            if response.status_code == 404:
                continue
            self._check(url, response)
            self.tokenizer_dialect[url] = name
            tokens = response.json().get("tokens")
            if not isinstance(tokens, list):
                raise ServerError(f"{url}: the tokenize endpoint answered without tokens; is it a llama.cpp server?")
            return [int(token) for token in tokens]
        raise ServerError(
            f"{url} has no tokenize endpoint (neither llama-cpp-python's /extras/tokenize nor /tokenize), so the "
            "prompt cannot be fitted to the context; serve the model with llama-cpp-python, llama.cpp or vLLM."
        )

    # --- generation ----------------------------------------------------

    def stream(
        self, prompt: str, *, decoding: Decoding, max_tokens: int, **options: Unpack[StreamOptions]
    ) -> Iterator[str]:
        """Yield the completion piece by piece from the first server that answers; fill `metrics` as it goes.

        `on_queued` is never called: the servers queue requests themselves, and we cannot see the queue.
        """
        call = Streaming.of(options)
        metrics = call.metrics
        tokens = self.tokenize(prompt)
        check_fits(len(tokens), max_tokens, self.n_ctx, ctx_flag="--ctx (and the servers' --n_ctx)")
        metrics.backend = "server"
        metrics.prompt_tokens = len(tokens)
        metrics.prompt_tokens_reused = None
        metrics.model_size_mb = self.model.size_mb
        metrics.load_s = None
        metrics.rss_mb = metrics.peak_rss_mb = None  # the server's memory, not ours: unknown here
        progress = _Progress()
        started = time.perf_counter()
        body = {
            "model": self.model.name,
            "stream": True,
            "stop": call.stop,
            **sampling_arguments(decoding),
            # vLLM's name for llama.cpp's repeat_penalty.
            "repetition_penalty": decoding.repeat_penalty,
            "stream_options": {"include_usage": True},
        }
        if call.ignore_eos:
            body["ignore_eos"] = True  # llama.cpp's and vLLM's name
        tried: list[str] = []
        for url in self._attempts():
            if progress.finished or progress.tokens >= max_tokens:
                break
            tried.append(url)
            request = {**body, "prompt": prompt + progress.text, "max_tokens": max_tokens - progress.tokens}
            try:
                for piece in self._stream_at(url, request, progress, started, metrics):
                    yield piece
                    if call.should_stop is not None and call.should_stop():
                        metrics.stopped_by_user = True
                        progress.finished = True
                        break
            except _Retry as failure:
                self.pool.rest(url)
                progress.notes.append(failure.reason)
                continue
            self.pool.recovered(url)
            if not progress.finished:  # the stream ended cleanly but without a finish reason
                progress.notes.append(
                    f"{url} ended the answer without a finish reason (llama-cpp-python's server does so when "
                    "another request arrives: start it with --interrupt_requests False)"
                )
                self.pool.rest(url)
                continue
            break
        metrics.total_s = time.perf_counter() - started
        if not progress.finished and progress.tokens < max_tokens:
            raise ServerError(self._unavailable(tried, progress.notes))
        self._finish_metrics(metrics, progress)

    def _attempts(self, *, take_turn: bool = True) -> Iterator[str]:
        """Each server in order, then once more round (a single nginx URL gets three tries)."""
        order = self.pool.order(self.preferred, take_turn=take_turn)
        rounds = 3 if len(order) == 1 else 2
        for round_number in range(rounds):
            yield from order
            if round_number + 1 < rounds:
                time.sleep(0.5 * (round_number + 1))  # a restarting server, nginx's fail_timeout
                order = self.pool.order(self.preferred, take_turn=False)

    def _stream_at(
        self, url: str, request: dict[str, Any], progress: _Progress, started: float, metrics: GenerationMetrics
    ) -> Iterator[str]:
        try:
            with httpx_sse.connect_sse(self.client, "POST", f"{url}/completions", json=request) as source:
                response = source.response
                if response.status_code != 200:
                    response.read()
                    self._check(url, response)
                worker = response.headers.get("x-upstream-addr")
                for event in source.iter_sse():
                    if event.data.strip() == "[DONE]":
                        return
                    chunk = _json(event.data, url)
                    if "error" in chunk:
                        raise _Retry(f"{url} reported an error mid-answer: {chunk['error']}")
                    progress.served_by = url
                    metrics.server = url
                    metrics.server_worker = worker.split(",")[-1].strip() if worker else None
                    if isinstance(chunk.get("timings"), dict):
                        progress.timings = chunk["timings"]
                    if isinstance(chunk.get("usage"), dict):
                        progress.usage = chunk["usage"]
                    choices = chunk.get("choices") or []
                    if not choices:
                        continue
                    choice = choices[0]
                    piece = choice.get("text") or ""
                    now = time.perf_counter()
                    if choice.get("finish_reason") is None or piece:
                        progress.tokens += 1
                        if progress.first_token_at is None:
                            progress.first_token_at = now
                            metrics.ttft_s = now - started
                        progress.last_token_at = now
                    if choice.get("finish_reason") is not None:
                        progress.finished = True
                    metrics.generated_tokens = progress.tokens
                    if progress.tokens > 1 and progress.first_token_at is not None and now > progress.first_token_at:
                        metrics.gen_tokens_per_s = (progress.tokens - 1) / (now - progress.first_token_at)
                    if piece:
                        progress.text += piece
                        yield piece
        except httpx.TimeoutException:
            raise _Retry(f"{url} did not answer within the timeout") from None
        except httpx.TransportError as error:
            reason = "cannot be reached" if progress.served_by != url else "broke off the answer"
            raise _Retry(f"{url} {reason} ({type(error).__name__}: {error})") from None
        except httpx_sse.SSEError as error:
            raise _Retry(f"{url} did not answer with a stream ({error})") from None

    def _finish_metrics(self, metrics: GenerationMetrics, progress: _Progress) -> None:
        metrics.generated_tokens = progress.tokens
        if progress.usage and isinstance(progress.usage.get("completion_tokens"), int) and not progress.notes:
            metrics.generated_tokens = progress.usage["completion_tokens"]
        timings = progress.timings
        metrics.server_timings = timings
        if timings:
            # llama.cpp's llama-server reports its own figures; they exclude the network and the queue.
            metrics.server_prompt_tokens_per_s = _number(timings.get("prompt_per_second"))
            metrics.server_gen_tokens_per_s = _number(timings.get("predicted_per_second"))
            cached = timings.get("cache_n")
            if isinstance(cached, int):
                metrics.prompt_tokens_reused = cached
        if progress.notes:
            metrics.server_retries = list(progress.notes)

    def _unavailable(self, tried: list[str], notes: list[str]) -> str:
        urls = list(dict.fromkeys(tried)) or self.pool.urls
        reasons = "; ".join(dict.fromkeys(notes)) or "no answer"
        return f"no server answers at {', '.join(urls)} ({reasons}): {start_hint(urls[0])}."

    # --- plumbing ------------------------------------------------------

    def _call(self, what: str, work: Callable[[str], list[int]]) -> list[int]:
        notes: list[str] = []
        tried: list[str] = []
        for url in self._attempts(take_turn=False):
            tried.append(url)
            try:
                result = work(url)
            except _Retry as failure:
                self.pool.rest(url)
                notes.append(failure.reason)
                continue
            self.pool.recovered(url)
            return result
        raise ServerError(self._unavailable(tried, notes))

    def _post(self, url: str, address: str, body: dict[str, Any]) -> httpx.Response:
        try:
            return self.client.post(address, json=body)
        except httpx.TimeoutException:
            raise _Retry(f"{url} did not answer within the timeout") from None
        except httpx.TransportError as error:
            raise _Retry(f"{url} cannot be reached ({type(error).__name__})") from None

    def _check(self, url: str, response: httpx.Response) -> None:
        """Turn an error status into a retry (5xx: the server's trouble) or a one-line error (4xx: ours)."""
        status = response.status_code
        if status < 400:
            return
        detail = _error_detail(response)
        if status >= 500:
            raise _Retry(f"{url} answered {status} {detail}".rstrip())
        if status in (401, 403):
            raise ServerError(f"{url} refused the request ({status}): set its API key in CV_ENHANCER_API_KEY.")
        if status == 404:
            raise ServerError(
                f"{url} answered 404 for {response.request.url.path}: is it an OpenAI-compatible base URL "
                "(http://HOST:PORT/v1)?"
            )
        if "context" in detail.lower() or "token" in detail.lower():
            raise ContextOverflowError(
                f"{url} refused the prompt ({detail}); its context window may be smaller than --ctx "
                f"{self.n_ctx}: start the servers with a larger --n_ctx, or lower --ctx or --max-tokens."
            )
        raise ModelError(f"{url} refused the request ({status} {detail}); check the settings.")

    def pinned(self, url: str) -> ServerEngine:
        """This engine with `url` tried first (the study keeps a pair's configs on one server's warm KV cache)."""
        view = copy.copy(self)  # shares the HTTP client, the pool's health and the token cache
        view.preferred = url
        return view

    def close(self) -> None:
        self.client.close()


# --- shared engines -----------------------------------------------------------------------------

_shared_lock = threading.Lock()
_pools: dict[tuple[str, ...], ServerPool] = {}
_engines: dict[tuple[Any, ...], ServerEngine] = {}


def get_server_engine(
    urls: list[str],
    model_name: str,
    *,
    chat_format: str | None = None,
    n_ctx: int = 4096,
    read_timeout_s: float = 600.0,
    api_key: str | None = None,
) -> ServerEngine:
    """One engine per set of servers and model, shared by every caller of this process (the app's sessions).

    Servers' health is shared too: a server that failed for one analysis is
    rested for all of them.
    """
    key = (tuple(urls), model_name, chat_format, n_ctx, read_timeout_s, api_key)
    with _shared_lock:
        engine = _engines.get(key)
        if engine is None:
            pool = _pools.setdefault(tuple(urls), ServerPool(urls))
            engine = ServerEngine(
                urls,
                model_name,
                chat_format=chat_format,
                n_ctx=n_ctx,
                read_timeout_s=read_timeout_s,
                pool=pool,
                api_key=api_key,
            )
            _engines[key] = engine
        return engine


def _json(data: str, url: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except json.JSONDecodeError:
        raise _Retry(f"{url} sent a stream event that is not JSON") from None
    if not isinstance(value, dict):
        raise _Retry(f"{url} sent a stream event that is not a JSON object")
    return value


def _error_detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, httpx.ResponseNotRead):
        return response.text[:200].strip() if response.is_closed else ""
    if isinstance(body, dict):
        error = body.get("error") or body.get("detail") or body
        if isinstance(error, dict):
            error = error.get("message") or error
        return str(error)[:300]
    return str(body)[:300]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None
