"""Tests for app.llm.engine with the real embedded model (SmolLM2-135M through llama-cpp-python).

Generations are kept to a few tokens. The shared engine is obtained through
app.pipeline.load_engine (get_engine keeps it loaded while the settings stay
the same) and released when the session ends. Tests that need a clean KV
cache or another chat format build their own Engine and close it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.errors import ContextOverflowError, ModelLoadError, SettingsError
from app.hub.catalog import resolve_model
from app.llm.engine import (
    Decoding,
    Engine,
    GenerationMetrics,
    fold_system_prompt,
    get_engine,
    gpu_offload_supported,
    release_engine,
)
from app.pipeline import load_engine, load_settings_for
from app.settings import Settings
from tests.helpers import METRIC_NAMES

SETTINGS = Settings(ctx=2048, threads=2, max_tokens=16)
CHAT = [
    {"role": "system", "content": "You are a terse assistant. Answer in one short sentence."},
    {"role": "user", "content": "Name one colour of the sky."},
]
GREEDY = Decoding(greedy=True, seed=7)
# A long shared opening for the KV-cache reuse test (about 150 tokens).
LONG_PREFIX = " ".join(f"Item {n}: a bakery sells bread, croissants and cakes every morning." for n in range(12))


@pytest.fixture(scope="session")
def engine_session() -> Iterator[None]:
    """Free the shared model once the whole session is done."""
    yield
    release_engine()


@pytest.fixture
def engine(engine_session: None) -> Engine:
    # get_engine returns the loaded engine when the settings match, so this loads once;
    # a test that switched the shared engine (get_engine with other settings) costs one 0.1 s reload.
    return load_engine(SETTINGS)


@pytest.fixture
def fresh_engine(engine_session: None) -> Iterator[Engine]:
    """An engine of its own (not the shared one): empty KV cache, load time not yet reported."""
    model = resolve_model(SETTINGS.model)
    own = Engine(model, load_settings_for(model, SETTINGS))
    yield own
    own.close()


def _prompt(engine: Engine, messages: list[dict[str, str]] = CHAT) -> tuple[str, list[str]]:
    return engine.render(messages)


# --- rendering -----------------------------------------------------------------


def test_render_uses_the_gguf_chatml_template_with_its_stop_string(engine: Engine) -> None:
    prompt, stop = engine.render(CHAT)

    assert prompt.startswith("<|im_start|>system\n")
    assert "<|im_start|>system\nYou are a terse assistant." in prompt
    assert "<|im_start|>user\nName one colour of the sky.<|im_end|>" in prompt
    assert prompt.index("<|im_start|>system") < prompt.index("<|im_start|>user")
    # The generation prompt: the model answers as the assistant.
    assert prompt.rstrip().endswith("<|im_start|>assistant")
    assert "<|im_end|>" in stop
    assert all(isinstance(item, str) and item for item in stop)


def test_engine_reports_the_catalog_model(engine: Engine) -> None:
    assert engine.model.name == "smollm2-135m-instruct"
    assert engine.model.path.suffix == ".gguf"
    assert engine.model.quantization == "Q4_1"
    assert engine.n_ctx == SETTINGS.ctx
    assert engine.chat_format  # the GGUF's own template has a name too


# --- decoding -------------------------------------------------------------------


def test_greedy_generation_is_identical_twice(engine: Engine) -> None:
    prompt, stop = _prompt(engine)
    first, _ = engine.complete(prompt, decoding=GREEDY, max_tokens=12, stop=stop)
    second, _ = engine.complete(prompt, decoding=GREEDY, max_tokens=12, stop=stop)

    assert first.strip()
    assert first == second


def test_greedy_ignores_the_seed(engine: Engine) -> None:
    prompt, stop = _prompt(engine)
    first, _ = engine.complete(prompt, decoding=Decoding(greedy=True, seed=1), max_tokens=8, stop=stop)
    second, _ = engine.complete(prompt, decoding=Decoding(greedy=True, seed=999), max_tokens=8, stop=stop)

    assert first == second


def test_sampling_with_the_same_seed_is_identical_and_other_seeds_vary(engine: Engine) -> None:
    prompt, stop = _prompt(engine)

    def sample(seed: int) -> str:
        decoding = Decoding(greedy=False, temperature=1.2, top_p=1.0, seed=seed)
        return engine.complete(prompt, decoding=decoding, max_tokens=12, stop=stop)[0]

    assert sample(11) == sample(11)
    # With temperature 1.2 over 12 tokens, four seeds giving one same text would be a broken seed.
    assert len({sample(seed) for seed in (11, 12, 13, 14)}) >= 2


# --- metrics --------------------------------------------------------------------


def test_metrics_are_filled_for_a_call(fresh_engine: Engine) -> None:
    prompt, stop = _prompt(fresh_engine)
    text, metrics = fresh_engine.complete(prompt, decoding=GREEDY, max_tokens=12, stop=stop)

    assert text
    assert metrics.prompt_tokens == len(fresh_engine.tokenize(prompt)) > 0
    assert 1 <= metrics.generated_tokens <= 12
    assert metrics.ttft_s is not None and metrics.ttft_s > 0
    assert metrics.gen_tokens_per_s is not None and metrics.gen_tokens_per_s > 0
    assert metrics.prompt_tokens_per_s is not None and metrics.prompt_tokens_per_s > 0
    assert metrics.total_s >= metrics.ttft_s
    assert metrics.rss_mb > 50
    assert metrics.peak_rss_mb > 50
    assert metrics.peak_rss_mb >= metrics.rss_mb - 1  # a peak is never below the current figure
    assert 90 <= metrics.model_size_mb <= 100
    assert metrics.gpu_layers == 0
    assert isinstance(metrics.gpu_offload_supported, bool)
    assert metrics.stopped_by_user is False
    # The load time belongs to the first call only.
    assert metrics.load_s > 0
    _, again = fresh_engine.complete(prompt, decoding=GREEDY, max_tokens=4, stop=stop)
    assert again.load_s == 0


def test_metrics_to_dict_rounds_floats_and_keeps_every_field() -> None:
    metrics = GenerationMetrics(ttft_s=0.123456789, prompt_tokens=3, gpu_offload_supported=True)
    data = metrics.to_dict()

    assert data["ttft_s"] == 0.1235
    assert data["prompt_tokens"] == 3
    assert data["gpu_offload_supported"] is True
    # The local metrics, plus the server backend's (issue 13) and the section writer's (issue 11) fields.
    remote_and_writer = {"backend", "server", "server_worker", "server_timings", "server_retries"}
    remote_and_writer |= {"server_gen_tokens_per_s", "server_prompt_tokens_per_s", "model_calls", "first_prompt_tokens"}
    assert set(data) == {*METRIC_NAMES, "stopped_by_user", *remote_and_writer}


# --- KV-cache prefix reuse ---------------------------------------------------------


def test_kv_cache_prefix_is_reused_by_a_second_prompt(fresh_engine: Engine) -> None:
    first_prompt, stop = fresh_engine.render(
        [{"role": "system", "content": LONG_PREFIX}, {"role": "user", "content": "How many items are there?"}]
    )
    second_prompt, _ = fresh_engine.render(
        [{"role": "system", "content": LONG_PREFIX}, {"role": "user", "content": "What does the bakery sell?"}]
    )
    prefix_tokens = len(fresh_engine.tokenize(first_prompt[: first_prompt.index("<|im_start|>user")]))
    assert prefix_tokens > 100

    _, first = fresh_engine.complete(first_prompt, decoding=GREEDY, max_tokens=4, stop=stop)
    _, second = fresh_engine.complete(second_prompt, decoding=GREEDY, max_tokens=4, stop=stop)

    assert first.prompt_tokens_reused == 0  # nothing in a fresh engine's cache
    assert second.prompt_tokens_reused >= prefix_tokens - 1
    assert second.prompt_tokens_reused < second.prompt_tokens


def test_kv_cache_replays_the_last_token_of_an_identical_prompt(fresh_engine: Engine) -> None:
    prompt, stop = _prompt(fresh_engine)
    _, first = fresh_engine.complete(prompt, decoding=GREEDY, max_tokens=2, stop=stop)
    _, again = fresh_engine.complete(prompt, decoding=GREEDY, max_tokens=2, stop=stop)

    assert first.prompt_tokens_reused == 0
    assert again.prompt_tokens_reused == again.prompt_tokens - 1


def test_release_engine_gives_a_fresh_engine_with_an_empty_cache(engine_session: None) -> None:
    engine = load_engine(SETTINGS)
    prompt, stop = _prompt(engine)
    engine.complete(prompt, decoding=GREEDY, max_tokens=2, stop=stop)

    release_engine()
    fresh = load_engine(SETTINGS)
    _, metrics = fresh.complete(prompt, decoding=GREEDY, max_tokens=2, stop=stop)

    assert fresh is not engine
    assert metrics.prompt_tokens_reused == 0


# --- stopping and limits ------------------------------------------------------------


def test_should_stop_ends_the_generation_early(engine: Engine) -> None:
    prompt, stop = _prompt(engine)
    calls = 0

    def should_stop() -> bool:
        nonlocal calls
        calls += 1
        return calls >= 2

    metrics = GenerationMetrics()
    pieces = list(
        engine.stream(prompt, decoding=GREEDY, max_tokens=24, stop=stop, metrics=metrics, should_stop=should_stop)
    )

    assert metrics.stopped_by_user is True
    assert calls == 2
    assert metrics.generated_tokens == 2
    assert len(pieces) <= 2


def test_a_generation_that_is_not_stopped_says_so(engine: Engine) -> None:
    prompt, stop = _prompt(engine)
    metrics = GenerationMetrics()
    list(engine.stream(prompt, decoding=GREEDY, max_tokens=4, stop=stop, metrics=metrics, should_stop=lambda: False))

    assert metrics.stopped_by_user is False
    assert 1 <= metrics.generated_tokens <= 4


def test_prompt_plus_max_tokens_over_the_context_raises(engine: Engine) -> None:
    prompt, stop = _prompt(engine)
    prompt_tokens = len(engine.tokenize(prompt))

    with pytest.raises(ContextOverflowError) as caught:
        engine.complete(prompt, decoding=GREEDY, max_tokens=engine.n_ctx - prompt_tokens + 1, stop=stop)

    message = str(caught.value)
    assert "\n" not in message
    assert str(engine.n_ctx) in message
    assert "--ctx" in message and "--max-tokens" in message


def test_a_prompt_longer_than_the_context_raises(engine: Engine) -> None:
    huge = "bread " * (engine.n_ctx + 100)
    with pytest.raises(ContextOverflowError):
        engine.complete(huge, decoding=GREEDY, max_tokens=1)


# --- the shared engine -----------------------------------------------------------------


def test_get_engine_reuses_the_engine_for_equal_settings_and_reloads_for_another_ctx(engine_session: None) -> None:
    model = resolve_model(SETTINGS.model)
    load = load_settings_for(model, SETTINGS)

    first = get_engine(model, load)
    assert get_engine(model, replace(load)) is first  # equal, not identical, settings
    assert load_engine(SETTINGS) is first

    other = get_engine(model, replace(load, n_ctx=1024))
    assert other is not first
    assert other.n_ctx == 1024
    assert get_engine(model, replace(load, n_ctx=1024)) is other


# --- chat formats ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        pytest.param(
            [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}],
            [{"role": "user", "content": "S\n\nU"}],
            id="system-into-user",
        ),
        pytest.param(
            [
                {"role": "system", "content": "S"},
                {"role": "user", "content": "U1"},
                {"role": "assistant", "content": "A1"},
                {"role": "user", "content": "U2"},
            ],
            [
                {"role": "user", "content": "S\n\nU1"},
                {"role": "assistant", "content": "A1"},
                {"role": "user", "content": "U2"},
            ],
            id="only-first-user-turn",
        ),
        pytest.param(
            [
                {"role": "system", "content": "S1"},
                {"role": "system", "content": "S2"},
                {"role": "user", "content": "U"},
            ],
            [{"role": "user", "content": "S1\n\nS2\n\nU"}],
            id="two-system-messages-in-order",
        ),
        pytest.param(
            [{"role": "user", "content": "U"}, {"role": "assistant", "content": "A"}],
            [{"role": "user", "content": "U"}, {"role": "assistant", "content": "A"}],
            id="no-system-unchanged",
        ),
        pytest.param(
            [{"role": "system", "content": "S"}],
            [{"role": "user", "content": "S"}],
            id="system-alone-becomes-user",
        ),
        pytest.param(
            [{"role": "system", "content": "S"}, {"role": "assistant", "content": "A"}],
            [{"role": "user", "content": "S"}, {"role": "assistant", "content": "A"}],
            id="no-user-turn-system-goes-first",
        ),
        pytest.param([], [], id="empty"),
    ],
)
def test_fold_system_prompt(messages: list[dict[str, str]], expected: list[dict[str, str]]) -> None:
    original = [dict(message) for message in messages]

    assert fold_system_prompt(messages) == expected
    assert messages == original  # the input is not modified


def _own_engine(chat_format: str | None) -> Engine:
    model = resolve_model(SETTINGS.model, chat_format=chat_format)
    return Engine(model, load_settings_for(model, SETTINGS))


def test_mistral_instruct_format_keeps_the_system_prompt_in_the_first_user_turn(engine_session: None) -> None:
    own = _own_engine("mistral-instruct")
    try:
        prompt, stop = own.render(CHAT)
        assert own.chat_format == "mistral-instruct"
        assert "[INST]" in prompt and "[/INST]" in prompt
        assert "<|im_start|>" not in prompt
        first_turn = prompt[prompt.index("[INST]") : prompt.index("[/INST]")]
        assert "You are a terse assistant." in first_turn
        assert first_turn.index("You are a terse assistant.") < first_turn.index("Name one colour of the sky.")
        assert prompt.count("You are a terse assistant.") == 1
        assert stop  # the format has its own stop string
    finally:
        own.close()


def test_an_unknown_chat_format_raises_settings_error(engine_session: None) -> None:
    with pytest.raises(SettingsError) as caught:
        _own_engine("no-such-format")

    message = str(caught.value)
    assert "no-such-format" in message
    assert "chatml" in message  # names the supported ones
    assert "\n" not in message


# --- load failures --------------------------------------------------------------------------


def test_a_garbage_gguf_raises_model_load_error_in_one_line(tmp_path: Path, engine_session: None) -> None:
    garbage = tmp_path / "x.gguf"
    garbage.write_bytes(b"this is not a GGUF file\x00\x01\x02" * 64)

    with pytest.raises(ModelLoadError) as caught:
        load_engine(Settings(model=str(garbage), ctx=2048, threads=2))

    message = str(caught.value)
    assert message
    assert "\n" not in message
    assert "x.gguf" in message


def test_gpu_layers_on_a_cpu_only_build_raises_settings_error(engine_session: None) -> None:
    if gpu_offload_supported():
        pytest.skip("this llama-cpp-python build can offload to a GPU")
    model = resolve_model(SETTINGS.model)
    load = replace(load_settings_for(model, SETTINGS), n_gpu_layers=1)

    with pytest.raises(SettingsError) as caught:
        Engine(model, load)

    message = str(caught.value)
    assert "CMAKE_ARGS" in message
    assert "--gpu-layers 0" in message
    assert "\n" not in message


def test_gpu_layers_through_load_engine_raises_settings_error(engine_session: None) -> None:
    if gpu_offload_supported():
        pytest.skip("this llama-cpp-python build can offload to a GPU")
    with pytest.raises(SettingsError, match="CMAKE_ARGS"):
        load_engine(Settings(ctx=2048, threads=2, gpu_layers=1))


def test_a_second_caller_is_told_it_is_queued_then_runs(engine: Engine) -> None:
    """Two app sessions share one model: the one that must wait hears so, then gets its answer."""
    import threading

    prompt, stop = _prompt(engine)
    queued = threading.Event()
    result: list[str] = []

    def second_session() -> None:
        text = engine.stream(prompt, decoding=Decoding(), max_tokens=4, stop=stop, on_queued=queued.set)
        result.append("".join(text))

    with engine.lock:  # the first session is generating
        worker = threading.Thread(target=second_session)
        worker.start()
        assert queued.wait(timeout=30), "the waiting caller was never told it is queued"
        assert not result  # it waits while the model is busy
    worker.join(timeout=120)
    assert result and result[0]  # and runs once the model is free
