"""Chat prompts rendered in pure Python, for a model that runs on a server.

The server backend sends the *rendered* prompt to `/v1/completions`, so the
server sees byte for byte the prompt the local engine would evaluate (our
opening sentence of the answer included), whatever server it is. This module
renders it without llama_cpp: the named formats we support are written out
here exactly as llama-cpp-python's formatters write them (tests/test_chat_formats.py
checks every one against llama-cpp-python), and a GGUF's own Jinja template is
rendered the way llama-cpp-python's Jinja2ChatFormatter renders it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.errors import SettingsError
from app.llm.base import Message

# Formats whose template drops system messages: the system prompt must travel
# in the first user turn instead (both backends fold it the same way).
FOLD_SYSTEM_FORMATS = frozenset({"mistral-instruct", "gemma"})


@dataclass(frozen=True)
class Rendered:
    prompt: str
    stop: list[str]


def fold_system_prompt(messages: list[Message]) -> list[Message]:
    """Put the system prompt at the head of the first user turn (for formats that drop system messages)."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest = [dict(m) for m in messages if m["role"] != "system"]
    if system and rest and rest[0]["role"] == "user":
        rest[0]["content"] = f"{system}\n\n{rest[0]['content']}"
    elif system:
        rest.insert(0, {"role": "user", "content": system})
    return rest


def _system(messages: list[Message]) -> str:
    return next((m["content"] for m in messages if m["role"] == "system"), "")


def _llama2(messages: list[Message]) -> Rendered:
    system = _system(messages)
    turns = [(m["role"], m["content"]) for m in messages if m["role"] in ("user", "assistant")]
    roles = {"user": "<s>[INST]", "assistant": "[/INST]"}
    seps = (" ", "</s>")
    prompt = f"[INST] <<SYS>>\n{system}\n<</SYS>>" if system else ""
    prompt += seps[0]
    for index, (role, content) in enumerate(turns):
        if system and index == 0:
            prompt += content + seps[index % 2]
        elif content:
            prompt += roles[role] + content + " " + seps[index % 2]
        else:
            prompt += roles[role] + " "
    return Rendered(prompt + "[/INST]", [])


def _mistral_instruct(messages: list[Message]) -> Rendered:
    prompt = ""
    for message in messages:
        if message["role"] == "user":
            prompt += "[INST] " + message["content"]
        elif message["role"] == "assistant":
            prompt += " [/INST]" + message["content"] + "</s>"
    return Rendered(prompt + " [/INST]", ["</s>"])


def _headed(
    system_header: str | None, roles: dict[str, str], sep: str, *, newline: bool
) -> Callable[[list[Message]], Rendered]:
    """The ChatML family (chatml, zephyr) and the no-colon family (llama-3, gemma)."""

    def render(messages: list[Message]) -> Rendered:
        turns = [(roles[m["role"]], m["content"]) for m in messages if m["role"] in roles]
        turns.append((roles["assistant"], ""))
        if newline:  # chatml style: header line, content, separator, newline
            assert system_header is not None
            prompt = system_header.format(system_message=_system(messages)) + sep + "\n"
            for role, content in turns:
                prompt += role + "\n" + content + sep + "\n" if content else role + "\n"
        else:  # no-colon style: role header, content, separator
            prompt = ""
            for role, content in turns:
                prompt += role + content + sep if content else role
        return Rendered(prompt, [sep])

    return render


def _alpaca(messages: list[Message]) -> Rendered:
    roles = {"user": "### Instruction", "assistant": "### Response"}
    seps = ("\n\n", "</s>")
    prompt = _system(messages) + seps[0]
    turns = [(roles[m["role"]], m["content"]) for m in messages if m["role"] in roles]
    for index, (role, content) in enumerate(turns):
        prompt += role + ": " + content + seps[index % 2] if content else role + ":"
    return Rendered(prompt, [])


FORMATS: dict[str, Callable[[list[Message]], Rendered]] = {
    "llama-2": _llama2,
    "llama-3": _headed(
        None,
        {
            "system": "<|start_header_id|>system<|end_header_id|>\n\n",
            "user": "<|start_header_id|>user<|end_header_id|>\n\n",
            "assistant": "<|start_header_id|>assistant<|end_header_id|>\n\n",
        },
        "<|eot_id|>",
        newline=False,
    ),
    "mistral-instruct": _mistral_instruct,
    "chatml": _headed(
        "<|im_start|>system\n{system_message}",
        {"user": "<|im_start|>user", "assistant": "<|im_start|>assistant"},
        "<|im_end|>",
        newline=True,
    ),
    "zephyr": _headed(
        "<|system|>\n{system_message}", {"user": "<|user|>\n", "assistant": "<|assistant|>\n"}, "</s>", newline=True
    ),
    "gemma": _headed(
        None,
        {"user": "<start_of_turn>user\n", "assistant": "<start_of_turn>model\n"},
        "<end_of_turn>\n",
        newline=False,
    ),
    "alpaca": _alpaca,
}


def render_named(chat_format: str, messages: list[Message]) -> Rendered:
    renderer = FORMATS.get(chat_format)
    if renderer is None:
        raise SettingsError(
            f"unknown chat format {chat_format!r}; use one of {', '.join(FORMATS)}, "
            "or leave it out to use the GGUF's own template."
        )
    return renderer(messages)


class JinjaTemplate:
    """A GGUF's `tokenizer.chat_template`, rendered as llama-cpp-python's Jinja2ChatFormatter renders it."""

    def __init__(self, template: str, *, bos_token: str, eos_token: str) -> None:
        environment = ImmutableSandboxedEnvironment(
            loader=jinja2.BaseLoader(), trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols]
        )
        environment.filters["tojson"] = _tojson
        self._template = environment.from_string(template)
        self.bos_token, self.eos_token = bos_token, eos_token

    def __call__(self, messages: list[Message]) -> Rendered:
        def raise_exception(message: str) -> None:
            raise SettingsError(f"the model's chat template refused the prompt: {message}")

        prompt = self._template.render(
            messages=messages,
            eos_token=self.eos_token,
            bos_token=self.bos_token,
            raise_exception=raise_exception,
            add_generation_prompt=True,
            functions=None,
            function_call=None,
            tools=None,
            tool_choice=None,
            strftime_now=lambda fmt: datetime.now().strftime(fmt),
        )
        return Rendered(prompt, [self.eos_token] if self.eos_token else [])


def _tojson(value: Any, ensure_ascii: bool = False, indent: int | None = None, **kwargs: Any) -> str:
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, **kwargs)
