"""The server backend renders prompts without llama_cpp: every format must match llama-cpp-python's, byte for byte."""

from __future__ import annotations

import pytest

from app.errors import ModelNotFoundError, SettingsError
from app.hub.catalog import resolve_model
from app.llm import engine as engine_module
from app.llm.chat_formats import FORMATS, fold_system_prompt, render_named
from app.llm.engine import SUPPORTED_CHAT_FORMATS, Engine
from app.llm.served_model import served_model
from app.pipeline import load_settings_for
from app.settings import Settings

CHATS = {
    "system and user": [
        {"role": "system", "content": "You are a careers adviser.\nBe honest."},
        {"role": "user", "content": "CV:\n<<<\nJane Roe — пекарь, 5 лет\n>>>\nIs it a fit?"},
    ],
    "user only": [{"role": "user", "content": "Name one colour of the sky."}],
    "a whole dialogue": [
        {"role": "system", "content": "Terse."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello."},
        {"role": "user", "content": "Bye"},
    ],
}


@pytest.mark.parametrize("chat_format", SUPPORTED_CHAT_FORMATS)
@pytest.mark.parametrize("chat", CHATS.values(), ids=CHATS.keys())
def test_named_formats_match_llama_cpp_python(chat_format: str, chat: list[dict[str, str]]) -> None:
    formatter = engine_module._FORMATTERS[chat_format]  # what the local Engine renders with
    theirs = formatter(messages=chat)
    ours = render_named(chat_format, chat)
    assert ours.prompt == theirs.prompt
    their_stop = theirs.stop if isinstance(theirs.stop, list) else [theirs.stop] if theirs.stop else []
    assert ours.stop == their_stop


def test_every_format_the_engine_supports_is_rendered_here() -> None:
    assert set(FORMATS) == set(SUPPORTED_CHAT_FORMATS)


@pytest.mark.parametrize("chat_format", ["llama-2", "mistral-instruct"])
def test_server_backend_renders_the_study_models_as_the_local_engine(chat_format: str) -> None:
    """Llama-2 and Mistral (the study's models): the same prompt and stop strings on both backends."""
    model = resolve_model("smollm2-135m-instruct", chat_format=chat_format)
    engine = Engine(model, load_settings_for(model, Settings(ctx=1024, threads=1, max_tokens=16)))
    try:
        _, render = served_model("smollm2-135m-instruct", chat_format)
        for chat in CHATS.values():
            local_prompt, local_stop = engine.render(chat)
            rendered = render(chat)
            assert (rendered.prompt, rendered.stop) == (local_prompt, local_stop)
    finally:
        engine.close()


def test_gguf_template_renders_as_the_local_engine() -> None:
    """The embedded model has no named format: its GGUF's Jinja template, read without llama.cpp."""
    model = resolve_model("smollm2-135m-instruct")
    engine = Engine(model, load_settings_for(model, Settings(ctx=1024, threads=1, max_tokens=16)))
    try:
        facts, render = served_model("smollm2-135m-instruct", None)
        assert facts.chat_format is None and facts.path == str(model.path)
        for chat in CHATS.values():
            rendered = render(chat)
            assert (rendered.prompt, rendered.stop) == engine.render(chat)
            assert rendered.prompt.endswith("<|im_start|>assistant\n")
    finally:
        engine.close()


def test_mistral_folds_the_system_prompt_into_the_first_turn() -> None:
    _, render = served_model("mistral-7b-instruct-v0.2", None)  # no file needed: the catalog names the format
    prompt = render(CHATS["system and user"]).prompt
    assert prompt.startswith("[INST] You are a careers adviser.\nBe honest.\n\nCV:")
    assert fold_system_prompt(CHATS["user only"]) == CHATS["user only"]


def test_unknown_format_and_unknown_template_are_one_line_errors() -> None:
    with pytest.raises(SettingsError, match="unknown chat format 'vicuna'; use one of llama-2"):
        served_model("smollm2-135m-instruct", "vicuna")
    with pytest.raises(ModelNotFoundError, match="pass --chat-format"):
        served_model("/srv/models/elsewhere.Q4_K_M.gguf", None)
    facts, _ = served_model("/srv/models/elsewhere.Q4_K_M.gguf", "chatml")
    assert (facts.name, facts.quantization, facts.path) == ("elsewhere.Q4_K_M", "Q4_K_M", "")
