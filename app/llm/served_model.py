"""The model the servers run: its name, file, quantization and chat format, and the renderer of its prompts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.errors import ModelNotFoundError
from app.hub.catalog import embedded_model_path, load_catalog, lookup, model_path, quantization_from_filename
from app.llm.base import Message
from app.llm.chat_formats import FOLD_SYSTEM_FORMATS, JinjaTemplate, Rendered, fold_system_prompt, render_named
from app.llm.gguf_info import read_chat_template


@dataclass(frozen=True)
class ServedModel:
    """What we know of the model the servers run: enough to render and label its prompts."""

    name: str  # the catalog name (or file stem) sent as the request's "model"
    path: str  # the GGUF file when it is known here, else ""
    quantization: str | None
    chat_format: str | None
    size_mb: float | None


def served_model(name_or_path: str, chat_format: str | None) -> tuple[ServedModel, Callable[[list[Message]], Rendered]]:
    """The model a server runs and the renderer of its chat format, without needing its file where possible.

    A catalog model with a named chat format (Llama-2, Mistral) needs no file
    here; one that uses its GGUF's own template (the embedded SmolLM2) has
    its file read for the template.
    """
    entry = lookup(name_or_path, load_catalog())
    file: Path | None
    quantization: str | None
    if entry is not None:
        name, quantization = entry.cli_name, entry.quantization
        chat_format = chat_format or entry.chat_format or None
        file = embedded_model_path() if entry.embedded else model_path(entry)
        size_mb = entry.size_gb * 1e9 / (1024 * 1024) if entry.size_gb else None
    else:
        file = Path(name_or_path).expanduser()
        name, quantization = file.stem, quantization_from_filename(file.name)
        size_mb = file.stat().st_size / (1024 * 1024) if file.is_file() else None
    if chat_format:
        render_named(chat_format, [{"role": "user", "content": "x"}])  # an unknown name fails here, in one line

        def render_format(messages: list[Message]) -> Rendered:
            if chat_format in FOLD_SYSTEM_FORMATS:
                messages = fold_system_prompt(messages)
            return render_named(chat_format, messages)

        renderer: Callable[[list[Message]], Rendered] = render_format
    elif file is not None and file.is_file():
        template = read_chat_template(file)
        if template is None:
            # No template in the file and none named: llama-cpp-python's own fallback, as Engine does.
            return served_model(name_or_path, "llama-2")
        else:
            renderer = JinjaTemplate(template.template, bos_token=template.bos_token, eos_token=template.eos_token)
    else:
        raise ModelNotFoundError(
            f"the chat format of {name_or_path!r} is unknown here (its file is not on this machine): pass "
            "--chat-format (llama-2, mistral-instruct, chatml...), or --model with a catalog name."
        )
    path = str(file) if file is not None and file.is_file() else ""
    return ServedModel(name, path, quantization, chat_format, size_mb), renderer
