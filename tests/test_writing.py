"""Tests for app.llm.writing: the plan written up section by section, checked, failed sections replaced.

The replacement logic runs against a scripted stand-in engine (exact texts in, known checks out);
the advice of the real embedded model is checked end to end at the bottom.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.analysis.documents import read_document
from app.analysis.plan import PLAN_SECTIONS
from app.analysis.plan_builder import build_plan
from app.analysis.scoring import analyze
from app.llm.advice_checks import echoed_instructions, invented_numbers, left_out_actions
from app.llm.engine import Decoding, GenerationMetrics, release_engine
from app.llm.prompting import all_instructions, plan_prompt_text
from app.llm.writing import AdviceWriter, split_sections
from app.pipeline import build_advice_prompt, load_engine, run_analysis
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CV = ROOT / "app" / "examples" / "example_cv.txt"
EXAMPLE_JOB = ROOT / "app" / "examples" / "example_job.txt"
FIXTURES = ROOT / "tests" / "fixtures"


class ScriptedEngine:
    """Just enough of Engine for AdviceWriter: each stream() call returns the next scripted text."""

    n_ctx = 4096

    def __init__(self, outputs: list[str]) -> None:
        self.outputs = list(outputs)
        self.prompts: list[str] = []

    def render(self, messages: list[dict[str, str]]) -> tuple[str, list[str]]:
        return "\n".join(message["content"] for message in messages) + "\nANSWER:", ["</s>"]

    def tokenize(self, text: str) -> list[int]:
        return list(range(len(text.split())))

    def llm_tokens(self, text: str) -> list[int]:
        return list(range(len(text.split())))

    def stream(self, prompt: str, *, metrics: GenerationMetrics, **_: Any) -> Iterator[str]:
        self.prompts.append(prompt)
        text = self.outputs.pop(0)
        metrics.prompt_tokens = len(prompt.split())
        metrics.generated_tokens = len(text.split())
        metrics.ttft_s = 0.01
        yield text


def example_writer(outputs: list[str], mode: str = "sections") -> tuple[AdviceWriter, ScriptedEngine]:
    cv, job = EXAMPLE_CV.read_text(encoding="utf-8"), EXAMPLE_JOB.read_text(encoding="utf-8")
    analysis = analyze(cv, job)
    engine = ScriptedEngine(outputs)
    writer = AdviceWriter(
        engine,  # type: ignore[arg-type]
        build_plan(analysis, cv),
        analysis,
        cv,
        job,
        decoding=Decoding(),
        max_tokens=512,
        mode=mode,
    )
    return writer, engine


GOOD = {
    "match": " You meet most of the must-haves; PostgreSQL is the gap to close.",
    "experience": " Where it is true, call yourself Full-Stack in the Frontend Developer line, give your web "
    "development years with dates, and add the result to the line on REST APIs and Playwright tests and to "
    "the line on Express endpoints in Node.js, with the true figure in place of [number].",
    "education": " Keep your BSc in Computer Engineering from Politecnico easy to find.",
    "hard_skills": " Learn PostgreSQL with a course and a small project. Docker, GraphQL and WCAG are nice to "
    "have. Keep React and TypeScript, and Node.js with Express, easy to find.",
    "soft_skills": " Show your collaboration with designers and product managers through examples.",
    "missing_sections": " Your CV has every core section: work experience, education and skills.",
    "next_steps": " Start learning PostgreSQL. Rewrite the Frontend Developer line with Full-Stack where true. "
    "Add the true results to your experience lines.",
}


def test_sections_that_pass_are_kept_and_one_that_fails_is_replaced_by_the_plan() -> None:
    bad = " The job asks for a degree in computer science (score 4.8)."
    outputs = [GOOD[name] if name != "education" else bad for name in PLAN_SECTIONS]
    writer, engine = example_writer(outputs)

    sections = list(writer.write())

    assert [section.section for section in sections] == list(PLAN_SECTIONS)
    by_name = {section.section: section for section in sections}
    education = by_name["education"]
    assert education.source == "plan"
    assert education.text == writer.plan.section_text("education")
    assert {problem.check for problem in education.problems} >= {"invented_number", "contradicts_verdict"}
    assert education.model_text.endswith("(score 4.8).")  # kept for the report, never shown as advice
    assert "**3. Education:** _(from the plan)_" in education.markdown()
    passed = [section for section in sections if section.source == "model"]
    assert len(passed) == 6, [(s.section, s.problems) for s in sections if s.source == "plan"]
    assert by_name["hard_skills"].text == GOOD["hard_skills"].strip()  # a passing section reads as written
    # One short prompt per section, each holding only its own plan.
    assert len(engine.prompts) == 7
    assert "Learn PostgreSQL" in engine.prompts[3] and "Learn PostgreSQL" not in engine.prompts[2]
    assert writer.metrics.model_calls == 7


def test_the_issues_examples_never_reach_the_user() -> None:
    quoted = {
        "experience": " how to present it better (Score 100)",
        "education": " 2. Experience: what fits, or what is missing…",
        "hard_skills": " the job asks for a degree in computer science (score 4.8)",
    }
    writer, _ = example_writer([quoted.get(name, GOOD[name]) for name in PLAN_SECTIONS])

    sections = {section.section: section for section in writer.write()}

    for name, text in quoted.items():
        assert sections[name].source == "plan", name
        assert text.strip() not in sections[name].text


def test_a_section_with_nothing_but_our_opening_is_not_counted_as_the_models() -> None:
    writer, _ = example_writer(["", *[GOOD[name] for name in PLAN_SECTIONS[1:]]])

    match = next(iter(writer.write()))

    assert match.source == "plan" and match.problems[0].check == "empty"


def test_whole_mode_splits_the_answer_at_the_headings_and_checks_each_part() -> None:
    body = "\n".join(
        f"{writer_heading}{GOOD[name]}"
        for name, writer_heading in zip(
            PLAN_SECTIONS[1:],
            ["2. Experience:", "3. Education:", "4. Hard skills:", "5. Soft skills:", "6. Missing sections:"],
            strict=False,
        )
    )
    writer, engine = example_writer([GOOD["match"] + "\n" + body], mode="whole")

    sections = {section.section: section for section in writer.write()}

    assert len(engine.prompts) == 1
    assert sections["hard_skills"].source == "model"
    assert sections["next_steps"].source == "plan"  # the model never wrote it
    assert sections["next_steps"].problems[0].check == "empty"


def test_max_tokens_is_shared_among_the_sections_and_never_exceeded() -> None:
    writer, engine = example_writer([GOOD[name] for name in PLAN_SECTIONS])
    writer.max_tokens = 4  # fewer than the seven sections

    shares = [writer.section_tokens(name) for name in PLAN_SECTIONS]
    sections = list(writer.write())

    assert shares == [1, 1, 1, 1, 0, 0, 0]
    assert len(engine.prompts) == 4  # no call for a section with no tokens left
    assert [section.problems[0].check for section in sections[4:]] == ["not_written"] * 3
    writer.max_tokens = 512
    assert sum(writer.section_tokens(name) for name in PLAN_SECTIONS) == 512


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1. Match: fine.\n2. Experience: good.\n**Education:** ok", {"match", "experience", "education"}),
        ("## 4. Hard skills\nLearn it.\n7) Next steps: go.", {"hard_skills", "next_steps"}),
        ("No headings at all.", set()),
    ],
)
def test_split_sections(text: str, expected: set[str]) -> None:
    assert set(split_sections(text, "en")) == expected


def test_split_sections_in_russian() -> None:
    parts = split_sections("1. Соответствие: да.\n4. Профессиональные навыки: изучите SQL.", "ru")
    assert parts == {"match": "да.", "hard_skills": "изучите SQL."}


# --- the real embedded model ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_model() -> Iterator[None]:
    yield
    release_engine()


def test_the_example_pairs_first_prompt_is_at_most_600_tokens(real_model: None) -> None:
    cv, job = read_document(EXAMPLE_CV), read_document(EXAMPLE_JOB)
    settings = Settings(threads=2)
    engine = load_engine(settings)
    analysis = analyze(cv.text, job.text)

    by_section = build_advice_prompt(engine, analysis, cv.text, job.text, settings)
    whole = build_advice_prompt(
        engine, analysis, cv.text, job.text, settings.model_copy(update={"advice_mode": "whole"})
    )

    # What the model evaluates before its first word of advice (was 1,669 with the CV, job and findings).
    assert len(engine.tokenize(by_section.text)) <= 600
    assert len(engine.tokenize(by_section.text)) < len(engine.tokenize(whole.text))
    assert cv.text.strip() not in whole.text and "About us" not in whole.text


@pytest.mark.parametrize(
    ("cv_path", "job_path"),
    [
        (EXAMPLE_CV, EXAMPLE_JOB),
        (FIXTURES / "pastry_chef_cv.txt", FIXTURES / "ml_engineer_job.txt"),
    ],
    ids=["example", "not-a-fit"],
)
def test_real_model_final_advice_is_grounded(real_model: None, cv_path: Path, job_path: Path) -> None:
    cv, job = read_document(cv_path), read_document(job_path)
    report = run_analysis(cv, job, Settings(threads=2, max_tokens=105))  # 15 new tokens a section
    analysis, plan = report.analysis, report.plan
    assert plan is not None
    advice = report.advice

    # Whatever the model wrote, what the user reads:
    assert [section.section for section in report.advice_sections] == list(PLAN_SECTIONS)
    grounded = plan_prompt_text(plan)
    assert invented_numbers(advice, cv.text, job.text, grounded, score=analysis.score) == []
    assert echoed_instructions(advice, all_instructions(), grounded) == []
    missing = [action for action in plan.actions if action.kind == "learn" and action.priority == 1]
    assert len(missing) == len([m for m in analysis.missing_must_haves if m.requirement.kind != "location"])
    assert left_out_actions(advice, missing) == []
    sources = report.advice_sources()
    assert sources["model"] + sources["plan"] == 7
    assert report.metrics["model_calls"] == 7
