"""The server backend's client against scripted OpenAI-compatible servers: failover, resting, resume, errors, metrics.

The real path (llama_cpp.server workers behind nginx, the real model) is
tests/test_serving.py; here a tiny scripted server plays each failure.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from app.errors import ContextOverflowError, ServerError, SettingsError
from app.llm.base import Decoding, GenerationMetrics
from app.llm.server import ServerEngine
from app.llm.server_pool import ServerPool
from app.report import metric_rows
from app.settings import Settings, make_settings
from tests.fake_openai import FakeOpenAIServer, Script
from tests.helpers import ROOT

GREEDY = Decoding()


def dead_url() -> str:
    """A loopback URL where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def engine_for(*urls: str, cooldown_s: float = 30.0) -> ServerEngine:
    return ServerEngine(
        list(urls),
        "smollm2-135m-instruct",
        n_ctx=256,
        read_timeout_s=5,
        pool=ServerPool(list(urls), cooldown_s=cooldown_s),
    )


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as fake:
        yield fake


@pytest.fixture
def second() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(Script(pieces=["Second", " server", "."])) as fake:
        yield fake


def generate(engine: ServerEngine, prompt: str = "Tell me.", max_tokens: int = 16) -> tuple[str, GenerationMetrics]:
    metrics = GenerationMetrics()
    text = "".join(engine.stream(prompt, decoding=GREEDY, max_tokens=max_tokens, stop=["<|im_end|>"], metrics=metrics))
    return text, metrics


def test_streams_pieces_and_labels_client_side_metrics(server: FakeOpenAIServer) -> None:
    text, metrics = generate(engine_for(server.url))
    assert text == "Hello there, friend."
    request = server.requests[0]
    assert request["prompt"] == "Tell me." and request["stream"] is True and request["stop"] == ["<|im_end|>"]
    assert request["temperature"] == 0.0 and request["top_k"] == 1  # greedy, as the local engine decodes
    assert metrics.backend == "server" and metrics.server == server.url
    assert metrics.generated_tokens == 5 and metrics.prompt_tokens == len("Tell me.")
    assert metrics.ttft_s is not None and metrics.gen_tokens_per_s is not None
    # The server's RAM is not ours: unknown, never this process's RSS.
    assert metrics.rss_mb is None and metrics.peak_rss_mb is None
    assert metrics.server_gen_tokens_per_s is None  # this server sends no timings
    assert metrics.server_worker is None  # no balancer in front of it to name a worker
    rows = dict(metric_rows(metrics.to_dict()))
    assert rows["Served by"] == server.url
    assert rows["Server RAM"].startswith("unknown")
    assert "Time to first token (client)" in rows and rows["Generation speed (server)"] == "—"


def test_server_timings_are_reported_apart_from_the_clients() -> None:
    timings = {"prompt_n": 8, "prompt_per_second": 812.5, "predicted_n": 5, "predicted_per_second": 41.0, "cache_n": 3}
    with FakeOpenAIServer(Script(timings=timings)) as fake:
        _, metrics = generate(engine_for(fake.url))
    assert metrics.server_prompt_tokens_per_s == 812.5 and metrics.server_gen_tokens_per_s == 41.0
    assert metrics.prompt_tokens_reused == 3 and metrics.server_timings == timings
    assert metrics.gen_tokens_per_s != 41.0  # the client's own figure stays the client's


def test_the_worker_behind_a_balancer_is_named() -> None:
    with FakeOpenAIServer(Script(upstream="127.0.0.1:9001, 127.0.0.1:9002")) as balancer:
        _, metrics = generate(engine_for(balancer.url))
    assert metrics.server == balancer.url and metrics.server_worker == "127.0.0.1:9002"  # the one that answered
    rows = dict(metric_rows(metrics.to_dict()))
    assert rows["Worker (behind the balancer)"] == "127.0.0.1:9002"


def test_connection_refused_goes_to_the_next_server_and_rests_the_dead_one(second: FakeOpenAIServer) -> None:
    dead = dead_url()
    engine = engine_for(dead, second.url)
    text, metrics = generate(engine)
    assert text == "Second server."
    assert metrics.server == second.url
    assert engine.pool.resting(dead)
    # While it rests, the dead server is tried last: the next call goes straight to the live one.
    assert engine.pool.order() == [second.url, dead]


def test_a_server_answering_errors_is_skipped_for_a_while(second: FakeOpenAIServer) -> None:
    with FakeOpenAIServer(Script(status=503)) as failing:
        engine = engine_for(failing.url, second.url)
        for _ in range(4):  # calls take turns between the servers, but not while one rests
            assert generate(engine)[0] == "Second server."
        assert engine.pool.resting(failing.url)
        assert len(failing.requests) == 1  # asked once, then left alone while resting
        assert len(second.requests) == 4


def test_rested_server_is_tried_again_after_the_cooldown(second: FakeOpenAIServer) -> None:
    with FakeOpenAIServer(Script(status=500)) as failing:
        engine = engine_for(failing.url, second.url, cooldown_s=0.0)
        for prompt in "abcd":
            assert generate(engine, prompt=prompt)[0] == "Second server."
        assert len(failing.requests) == 2  # its turn came twice, and it was asked both times


def test_a_stream_broken_mid_answer_resumes_on_the_next_server(second: FakeOpenAIServer) -> None:
    with FakeOpenAIServer(Script(break_after=2)) as breaking:
        engine = engine_for(breaking.url, second.url)
        text, metrics = generate(engine, prompt="Tell me.", max_tokens=10)
    # What the first server wrote stands; the second continues from it, with the tokens left.
    assert text == "Hello there" + "Second server."
    resumed = second.requests[0]
    assert resumed["prompt"] == "Tell me.Hello there"
    assert resumed["max_tokens"] == 10 - 2
    assert metrics.server == second.url and metrics.generated_tokens == 5
    assert any("broke off" in note for note in metrics.server_retries or [])


def test_a_stream_that_ends_without_finishing_is_not_taken_as_complete(second: FakeOpenAIServer) -> None:
    """llama-cpp-python's server cuts a stream short when another request arrives (interrupt_requests)."""
    with FakeOpenAIServer(Script(finish=False)) as cutting:
        engine = engine_for(cutting.url, second.url)
        text, metrics = generate(engine)
    assert text == "Hello there, friend." + "Second server."
    assert any("--interrupt_requests False" in note for note in metrics.server_retries or [])


def test_no_server_answers_says_what_to_do() -> None:
    dead = dead_url()
    engine = engine_for(dead)
    with pytest.raises(ServerError) as raised:
        generate(engine)
    message = str(raised.value)
    assert message.startswith(f"no server answers at {dead}")
    assert "start one with `python scripts/deploy/serve_local.py" in message and "\n" not in message


def test_wrong_base_url_and_missing_key_are_one_line_errors(server: FakeOpenAIServer) -> None:
    with FakeOpenAIServer(Script(status=404)) as missing, pytest.raises(ServerError, match=r"HOST:PORT/v1"):
        generate(engine_for(missing.url))
    with FakeOpenAIServer(Script(status=401)) as locked, pytest.raises(ServerError, match="CV_ENHANCER_API_KEY"):
        generate(engine_for(locked.url))


def test_prompt_longer_than_the_context_is_refused_before_any_request(server: FakeOpenAIServer) -> None:
    with pytest.raises(ContextOverflowError, match="raise --ctx"):
        generate(engine_for(server.url), prompt="x" * 250, max_tokens=16)
    assert server.requests == []


def test_tokens_come_from_the_server_and_are_cached(server: FakeOpenAIServer) -> None:
    engine = engine_for(server.url)
    assert engine.tokenize("abc") == [97, 98, 99]
    assert engine.llm_tokens("abc") == [97, 98, 99]  # this server adds no beginning-of-sequence token
    calls = server.paths.count("/extras/tokenize")
    engine.tokenize("abc")
    assert server.paths.count("/extras/tokenize") == calls


def test_stop_keeps_what_was_written(server: FakeOpenAIServer) -> None:
    engine = engine_for(server.url)
    metrics = GenerationMetrics()
    pieces = list(engine.stream("Go", decoding=GREEDY, max_tokens=16, metrics=metrics, should_stop=lambda: True))
    assert pieces == ["Hello"] and metrics.stopped_by_user


def test_settings_validate_the_backend_and_urls() -> None:
    settings = make_settings(backend="server", server_urls=["http://127.0.0.1:8080", "http://10.0.0.2:8000/v1/"])
    assert settings.server_urls == ["http://127.0.0.1:8080/v1", "http://10.0.0.2:8000/v1"]
    assert Settings().backend == "local"
    with pytest.raises(SettingsError, match="needs a server URL"):
        make_settings(backend="server")
    with pytest.raises(SettingsError, match="not an http"):
        make_settings(backend="server", server_urls=["127.0.0.1:8080"])


def test_the_server_backend_never_imports_llama_cpp() -> None:
    """A client of model servers needs no compiled llama.cpp: app.llm.server and app.serve stay clear of it."""
    code = "import sys, app.llm.server, app.llm.chat_formats, app.serve.cluster; print('llama_cpp' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
