"""The model writes the advice plan up, and every section it writes is checked before anyone reads it.

Two ways to write, measured on the embedded model (see the README): section by
section (the default: one short prompt per section, holding only that
section's plan, so a small model stays on task and the first token comes
after the shortest prompt), or the whole advice from one prompt. Either way
the advice is split into the plan's seven sections and each section is
checked (app.llm.advice_checks.check_section). A section that fails any check
is replaced by the plan's own text for it, and marked: the user never reads a
failed section as fact.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from app.analysis.plan import PLAN_SECTIONS, SECTION_HEADINGS, Plan, PlanAction
from app.analysis.scoring import Analysis
from app.errors import ContextOverflowError
from app.formatting import defuse_markdown, escape_markdown
from app.llm.advice_checks import CheckContext, Problem, check_section
from app.llm.base import Decoding, GenerationMetrics, Message, ModelEngine
from app.llm.prompting import (
    all_instructions,
    answer_start,
    plan_prompt_text,
    section_messages,
    whole_messages,
)

ADVICE_MODES: tuple[str, ...] = ("sections", "whole")
# Tokens kept free besides the new ones: the chat template's closing tokens.
_CONTEXT_MARGIN = 16


@dataclass
class AdviceSection:
    """One section of the advice as the user reads it, and where it came from."""

    section: str
    heading: str
    text: str
    source: str  # "model": written by the model and passed every check; "plan": the plan's own text
    problems: list[Problem] = field(default_factory=list)  # why the model's text was replaced
    model_text: str = ""  # what the model wrote, kept for the report even when replaced

    def markdown(self) -> str:
        """The section as safe Markdown: the model's emphasis kept, its links and images shown as text; the
        plan's text (which quotes the CV) shown literally."""
        if self.source == "model":
            return f"**{self.heading}** {defuse_markdown(self.text)}"
        return f"**{self.heading}** _(from the plan)_ {escape_markdown(self.text)}"

    def plain(self) -> str:
        return f"{self.heading} {self.text}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "heading": self.heading,
            "text": self.text,
            "source": self.source,
            "problems": [problem.to_dict() for problem in self.problems],
            "model_text": self.model_text,
        }


def advice_text(sections: list[AdviceSection]) -> str:
    return "\n\n".join(section.plain() for section in sections)


def plan_sections(plan: Plan, reason: str) -> list[AdviceSection]:
    """Every section as the plan words it, each marked with why the model's text is not there."""
    return [
        AdviceSection(name, plan.heading(name), plan.section_text(name), "plan", [Problem("not_written", reason)])
        for name in PLAN_SECTIONS
    ]


class AdviceWriter:
    """Writes one plan up with one engine; `write` yields each checked section as soon as it is final."""

    def __init__(
        self,
        engine: ModelEngine,
        plan: Plan,
        analysis: Analysis,
        cv_text: str,
        job_text: str,
        *,
        decoding: Decoding,
        max_tokens: int,
        mode: str = "sections",
    ) -> None:
        if mode not in ADVICE_MODES:
            raise ValueError(f"unknown advice mode {mode!r}")
        self.engine = engine
        self.plan = plan
        self.analysis = analysis
        self.decoding = decoding
        self.max_tokens = max_tokens
        self.mode = mode
        self.metrics = GenerationMetrics()
        self.warnings: list[str] = []
        self.context = CheckContext(
            analysis=analysis,
            cv_text=cv_text,
            job_text=job_text,
            known_text=plan_prompt_text(plan),
            instructions=all_instructions(),
        )

    # --- prompts ---------------------------------------------------------------------------

    def section_tokens(self, section: str) -> int:
        """The section's share of max_tokens (the first sections take the remainder): the whole stays within it."""
        share, remainder = divmod(self.max_tokens, len(PLAN_SECTIONS))
        return share + (1 if PLAN_SECTIONS.index(section) < remainder else 0)

    def opening(self, section: str) -> str:
        """What we write at the start of the section's answer: the heading (the match sentence for match)."""
        return answer_start(self.analysis) if section == "match" else self.plan.heading(section)

    def fitted_actions(
        self,
        build: Callable[[list[PlanAction]], list[Message]],
        actions: list[PlanAction],
        opening: str,
        new_tokens: int,
    ) -> tuple[list[PlanAction], str, list[str]]:
        """The actions that fit the context window with the prompt, most important first; the prompt; its stops.

        Token counts per action are taken once and the lowest-priority actions
        dropped in one pass, so a long plan costs a handful of tokenisations.
        """
        budget = self.engine.n_ctx - new_tokens - _CONTEXT_MARGIN - len(self.engine.llm_tokens(opening))

        def size(chosen: list[PlanAction]) -> int:
            return len(self.engine.tokenize(self.engine.render(build(chosen))[0]))

        chosen = list(actions)
        total = size(chosen)
        if total > budget:
            by_priority = sorted(chosen, key=lambda action: action.priority)
            costs = {id(action): len(self.engine.llm_tokens(action.action)) + 2 for action in chosen}
            while by_priority and total > budget:
                dropped = by_priority.pop()
                total -= costs[id(dropped)]
            chosen = [action for action in actions if action in by_priority]
            while chosen and size(chosen) > budget:
                chosen = chosen[:-1]
            if not chosen and actions:
                raise ContextOverflowError(
                    f"the advice plan does not fit the model's context window ({self.engine.n_ctx} tokens with "
                    f"{new_tokens} new ones); raise --ctx or lower --max-tokens."
                )
            self.warnings.append(
                f"To fit the model's context window, {len(actions) - len(chosen)} lower-priority plan actions were "
                "left out of the model's prompt; the plan in the report lists them all."
            )
        text, stop = self.engine.render(build(chosen))
        return chosen, text + opening, stop

    def first_prompt(self) -> tuple[str, list[str], str]:
        """The text of the first model call (ending with our opening), its stop strings, and that opening."""
        if self.mode == "sections":
            name = PLAN_SECTIONS[0]
            opening = self.opening(name)
            _, prompt, stop = self.fitted_actions(
                lambda chosen: section_messages(self.plan, name, chosen),
                self.plan.for_section(name),
                opening,
                self.section_tokens(name),
            )
            return prompt, [*stop, *_HEADING_STOPS], opening
        opening = answer_start(self.analysis)
        _, prompt, stop = self.fitted_actions(
            lambda chosen: whole_messages(self.plan, chosen), list(self.plan.actions), opening, self.max_tokens
        )
        return prompt, stop, opening

    # --- writing ---------------------------------------------------------------------------

    def write(
        self,
        *,
        on_token: Callable[[str], None] | None = None,
        on_metrics: Callable[[GenerationMetrics], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        on_queued: Callable[[], None] | None = None,
    ) -> Generator[AdviceSection, None, None]:
        """Each section, checked (and replaced by the plan's text where it failed), in order."""
        started = time.perf_counter()
        stream = dict(on_token=on_token, on_metrics=on_metrics, should_stop=should_stop, on_queued=on_queued)
        if self.mode == "sections":
            for name in PLAN_SECTIONS:
                if self.metrics.stopped_by_user:
                    break
                yield self._write_section(name, started, **stream)
        else:
            yield from self._write_whole(started, **stream)

    def _write_section(self, name: str, started: float, **stream: Any) -> AdviceSection:
        actions = self.plan.for_section(name)
        opening = self.opening(name)
        new_tokens = self.section_tokens(name)
        if new_tokens == 0:  # max_tokens below one token a section: the plan speaks for the rest
            return self._replaced(name, [Problem("not_written", "no new tokens left for it (max_tokens)")], "")
        chosen, prompt, stop = self.fitted_actions(
            lambda chosen: section_messages(self.plan, name, chosen), actions, opening, new_tokens
        )
        stops = [*stop, *_HEADING_STOPS]
        written = self._generate(prompt, stops, new_tokens, started, opening=opening, **stream)
        text = _strip_heading(opening, self.plan.heading(name)) + written
        if len(_WORDS.findall(written)) < 3:  # our opening alone is not the model's writing
            return self._replaced(name, [Problem("empty", "the model wrote nothing for this section")], text)
        return self._checked(name, text.strip(), chosen)

    def _write_whole(self, started: float, **stream: Any) -> Iterator[AdviceSection]:
        opening = answer_start(self.analysis)
        chosen, prompt, stop = self.fitted_actions(
            lambda chosen: whole_messages(self.plan, chosen), list(self.plan.actions), opening, self.max_tokens
        )
        written = self._generate(prompt, stop, self.max_tokens, started, opening=opening, **stream)
        parts = split_sections(opening + written, self.plan.language)
        for name in PLAN_SECTIONS:
            required = [action for action in chosen if action.section == name]
            yield self._checked(name, parts.get(name, "").strip(), required)

    def _generate(
        self,
        prompt: str,
        stop: list[str],
        max_tokens: int,
        started: float,
        *,
        opening: str,
        on_token: Callable[[str], None] | None,
        on_metrics: Callable[[GenerationMetrics], None] | None,
        should_stop: Callable[[], bool] | None,
        on_queued: Callable[[], None] | None,
    ) -> str:
        call = GenerationMetrics()
        pieces: list[str] = []
        if on_token is not None:
            on_token(("\n\n" if self.metrics.model_calls else "") + opening)
        for piece in self.engine.stream(
            prompt,
            decoding=self.decoding,
            max_tokens=max_tokens,
            stop=stop,
            metrics=call,
            should_stop=should_stop,
            on_queued=on_queued,
        ):
            pieces.append(piece)
            if on_token is not None:
                on_token(piece)
            if on_metrics is not None:
                on_metrics(self._merged(call, started))
        self.metrics = self._merged(call, started, final=True)
        return "".join(pieces)

    def _merged(self, call: GenerationMetrics, started: float, *, final: bool = False) -> GenerationMetrics:
        """Every call so far with this one: token counts summed, the first call's time to first token and load.

        The rest (backend, server, memory, speeds of the prompt) is the latest call's.
        """
        done = self.metrics
        first = done.model_calls == 0
        merged = replace(call)
        merged.load_s = call.load_s if first else done.load_s
        merged.prompt_tokens = done.prompt_tokens + call.prompt_tokens
        merged.prompt_tokens_reused = _sum_known(done.prompt_tokens_reused, call.prompt_tokens_reused)
        merged.generated_tokens = done.generated_tokens + call.generated_tokens
        merged.first_prompt_tokens = (
            call.prompt_tokens - (call.prompt_tokens_reused or 0) if first else done.first_prompt_tokens
        )
        merged.ttft_s = call.ttft_s if first else done.ttft_s
        merged.gen_tokens_per_s = _weighted(done, call)
        merged.total_s = time.perf_counter() - started
        if done.peak_rss_mb is not None and call.peak_rss_mb is not None:
            merged.peak_rss_mb = max(done.peak_rss_mb, call.peak_rss_mb)
        merged.stopped_by_user = done.stopped_by_user or call.stopped_by_user
        merged.server_retries = [*(done.server_retries or []), *(call.server_retries or [])] or None
        merged.model_calls = done.model_calls + (1 if final else 0)
        return merged

    def _checked(self, name: str, text: str, required: list[PlanAction]) -> AdviceSection:
        if self.metrics.stopped_by_user:
            return self._replaced(name, [Problem("stopped", "generation was stopped before this section ended")], text)
        problems = check_section(text, required, self.context)
        if problems:
            return self._replaced(name, problems, text)
        return AdviceSection(name, self.plan.heading(name), text, "model", [], text)

    def _replaced(self, name: str, problems: list[Problem], model_text: str) -> AdviceSection:
        return AdviceSection(name, self.plan.heading(name), self.plan.section_text(name), "plan", problems, model_text)


def _sum_known(first: int | None, second: int | None) -> int | None:
    """A sum of counts where None means unknown (a server that does not say): unknown stays unknown."""
    return None if first is None or second is None else first + second


def _weighted(done: GenerationMetrics, call: GenerationMetrics) -> float | None:
    """Generation speed over every call: tokens over the time spent generating them."""
    parts = [(m.generated_tokens, m.gen_tokens_per_s) for m in (done, call) if m.gen_tokens_per_s]
    seconds = sum(tokens / speed for tokens, speed in parts if speed)
    tokens = sum(tokens for tokens, _ in parts)
    return tokens / seconds if seconds else None


_WORDS = re.compile(r"[^\W\d_]+")
# The model starting the next numbered part ends its section.
_HEADING_STOPS = [f"\n{number}." for number in range(1, len(PLAN_SECTIONS) + 1)]


def _strip_heading(opening: str, heading: str) -> str:
    return opening[len(heading) :].lstrip() + " " if opening.startswith(heading) else ""


def split_sections(text: str, language: str) -> dict[str, str]:
    """The advice cut at its headings ("2. Experience:", "**Experience**", "Опыт работы:"), by section."""
    headings = SECTION_HEADINGS.get(language, SECTION_HEADINGS["en"])
    found: list[tuple[int, int, str]] = []
    for number, name in enumerate(PLAN_SECTIONS, start=1):
        pattern = re.compile(rf"(?im)^[\s#>*_-]*(?:{number}\s*[.)]\s*)?[*_]*{re.escape(headings[name])}[*_]*\s*:?[*_]*")
        match = pattern.search(text)
        if match:
            found.append((match.start(), match.end(), name))
    found.sort()
    parts: dict[str, str] = {}
    for index, (_, end, name) in enumerate(found):
        stop = found[index + 1][0] if index + 1 < len(found) else len(text)
        parts.setdefault(name, text[end:stop].strip())
    return parts
