"""An optional LLM judge: a local model scores each answer of a run on the six criteria.

The judge sees the CV, the job, the fixed findings and the advice, with the
criteria's definitions (prompts/judge_<language>.txt + criteria_<language>.txt),
and must answer JSON that matches JUDGE_SCHEMA: llama.cpp samples only tokens
the schema's grammar allows, so even a small model returns six integers 0-5.
Judge scores go to their own file (runs/NAME.judge.jsonl, one row per answer
and judge model, resumable) and their own table: they are never mixed with
the human ratings.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from app.analysis.scoring import Analysis, analyze
from app.errors import CVEnhancerError, ModelError
from app.llm.base import Decoding, GenerationMetrics, JsonEngine, Message
from app.llm.prompting import load_template, render_findings
from app.study.experiments import JUDGE_SUFFIX
from app.study.jsonlog import appender, done_ids, read_jsonl
from app.study.ratings import CRITERIA, load_criteria

JUDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {name: {"type": "integer", "enum": [0, 1, 2, 3, 4, 5]} for name in CRITERIA},
    "required": list(CRITERIA),
    "additionalProperties": False,
}
# Six "key": n pairs in JSON (about 40 tokens), with room for the whitespace the grammar allows.
JUDGE_MAX_TOKENS = 128
# The judge decodes greedily: the same answer gets the same scores every time.
JUDGE_DECODING = Decoding(greedy=True, repeat_penalty=1.0)
_TRUNCATED = "\n[…]"


def judge_path_for(run_path: Path) -> Path:
    """runs/NAME.jsonl -> runs/NAME.judge.jsonl"""
    run_path = Path(run_path)
    return run_path.with_name(run_path.name.removesuffix(".jsonl") + JUDGE_SUFFIX)


def criteria_text(language: str) -> str:
    return "\n".join(f"- {c.label} ({c.key}): {c.definition}" for c in load_criteria(language))


def judge_messages(
    advice: str, cv_text: str, job_text: str, language: str, analysis: Analysis | None = None
) -> list[Message]:
    """The judge's chat. `analysis`: the findings of the full CV and job (computed when not given)."""
    analysis = analysis if analysis is not None else analyze(cv_text, job_text)
    prompt = load_template("judge", language).format(
        criteria=criteria_text(language),
        cv=cv_text.strip(),
        job=job_text.strip(),
        findings=render_findings(analysis),
        advice=advice.strip(),
        keys=", ".join(CRITERIA),
    )
    system, _, user = prompt.partition("\n---\n")
    return [{"role": "system", "content": system.strip()}, {"role": "user", "content": user.strip()}]


def fitted_messages(
    engine: JsonEngine, advice: str, cv_text: str, job_text: str, language: str, max_tokens: int
) -> list[Message]:
    """The judge's messages, with the CV and job shortened (never the advice) until they fit the context.

    The findings are those of the full texts, analysed once: shortening only trims what the judge reads.
    """
    budget = engine.n_ctx - max_tokens - 16
    analysis = analyze(cv_text, job_text)
    cv, job = cv_text, job_text
    for _ in range(40):
        messages = judge_messages(advice, cv, job, language, analysis)
        if len(engine.tokenize(engine.render(messages)[0])) <= budget:
            return messages
        if len(cv) >= len(job):
            cv = cv[: int(len(cv.removesuffix(_TRUNCATED)) * 0.8)] + _TRUNCATED
        else:
            job = job[: int(len(job.removesuffix(_TRUNCATED)) * 0.8)] + _TRUNCATED
    raise ModelError("the answer to judge does not fit the judge model's context window; raise --ctx.")


def judge_answer(
    engine: JsonEngine, advice: str, cv_text: str, job_text: str, language: str, *, max_tokens: int = JUDGE_MAX_TOKENS
) -> tuple[dict[str, int], GenerationMetrics]:
    """Six integer scores 0-5 for one answer, by the judge model."""
    messages = fitted_messages(engine, advice, cv_text, job_text, language, max_tokens)
    answer, metrics = engine.complete_json(messages, JUDGE_SCHEMA, decoding=JUDGE_DECODING, max_tokens=max_tokens)
    scores: dict[str, int] = {}
    for name in CRITERIA:
        value = answer.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
            raise ModelError(f"the judge's answer has no 0-5 integer for {name} ({answer!r}).")
        scores[name] = value
    return scores, metrics


def read_judged(path: Path) -> list[dict[str, Any]]:
    """The rows of a judge file ([] when there is none yet)."""
    return read_jsonl(
        path, kind="judge file", row_name="judge row", required=("id", "judge_model", "scores"), missing_ok=True
    )


def run_judge(
    engine: JsonEngine,
    judge_model: str,
    rows: list[dict[str, Any]],
    texts: dict[str, tuple[str, str]],
    out: Path,
    *,
    progress: Callable[[Iterable[Any], int], Iterator[Any]] | None = None,
    on_error: Callable[[str], None] | None = None,
) -> tuple[int, int]:
    """Judge every row not yet judged by this model; append one flushed line each. Returns (judged, skipped)."""
    out = Path(out)
    done = done_ids(read_judged(out), counts=lambda item: item["judge_model"] == judge_model)
    todo = [row for row in rows if row["id"] not in done]
    work: Iterable[dict[str, Any]] = todo if progress is None else progress(todo, len(todo))
    judged = 0
    with appender(out) as write:
        for row in work:
            cv_text, job_text = texts[row["pair_id"]]
            language = row["report"].get("language") or "en"
            try:
                scores, metrics = judge_answer(engine, row["report"].get("advice", ""), cv_text, job_text, language)
            except CVEnhancerError as error:
                if on_error is not None:
                    on_error(f"{row['id']}: {error}")
                continue
            item = {
                "id": row["id"],
                "judge_model": judge_model,
                "scores": scores,
                "metrics": {"prompt_tokens": metrics.prompt_tokens, "total_s": round(metrics.total_s, 3)},
                "judged_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            }
            write(item)
            judged += 1
    return judged, len(rows) - len(todo)
