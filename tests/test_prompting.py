"""Tests for app.llm.prompting: the advice prompts built from the plan, the findings, the advice's first sentence.

No model is needed: these are pure functions of the analysis and the plan.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from app.analysis.plan import PLAN_SECTIONS, SECTION_HEADINGS, Plan
from app.analysis.plan_builder import build_plan
from app.analysis.scoring import Analysis, analyze
from app.llm.prompting import (
    all_instructions,
    answer_start,
    load_template,
    plan_prompt_text,
    render_findings,
    section_messages,
    whole_messages,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
Message = dict[str, str]


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def user_text(messages: list[Message]) -> str:
    assert [message["role"] for message in messages] == ["system", "user"]
    return messages[1]["content"]


@pytest.fixture(scope="module")
def strong() -> tuple[Analysis, str, str]:
    cv, job = read("strong_cv.txt"), read("strong_job.txt")
    return analyze(cv, job), cv, job


@pytest.fixture(scope="module")
def chef_plan() -> Plan:
    cv = read("pastry_chef_cv.txt")
    return build_plan(analyze(cv, read("ml_engineer_job.txt")), cv)


# --- the section prompt ---------------------------------------------------------------


@pytest.mark.parametrize("section", PLAN_SECTIONS)
def test_a_section_prompt_holds_that_sections_plan_and_no_other(chef_plan: Plan, section: str) -> None:
    messages = section_messages(chef_plan, section, chef_plan.for_section(section))

    assert messages[0]["content"] == load_template("system", "en").strip()
    user = user_text(messages)
    assert f'"{SECTION_HEADINGS["en"][section]}"' in user
    assert f"The verdict is not a fit, score {chef_plan.score}/100." in user
    for action in chef_plan.actions:
        assert (f"- {action.action}" in user) == (action.section == section), action.action


def test_the_section_prompt_gives_the_plan_not_the_documents(strong: tuple[Analysis, str, str]) -> None:
    analysis, cv, job = strong
    plan = build_plan(analysis, cv)
    prompts = [user_text(section_messages(plan, name, plan.for_section(name))) for name in PLAN_SECTIONS]

    assert "Harborline Payments builds payment infrastructure" in job
    assert all("Harborline Payments builds payment infrastructure" not in prompt for prompt in prompts)
    assert all(cv.strip() not in prompt for prompt in prompts)
    # The CV lines the advice needs travel as the plan's quotes, once each.
    quoted = [action.evidence for action in plan.actions if action.evidence]
    assert quoted
    for evidence in quoted:
        assert sum(prompt.count(evidence) for prompt in prompts) >= 1


def test_only_the_given_actions_enter_the_prompt(chef_plan: Plan) -> None:
    actions = chef_plan.for_section("hard_skills")
    user = user_text(section_messages(chef_plan, "hard_skills", actions[:2]))

    assert f"- {actions[0].action}" in user and f"- {actions[1].action}" in user
    assert f"- {actions[2].action}" not in user


def test_russian_plans_get_the_russian_templates() -> None:
    cv, job = read("ru_cv.txt"), read("ru_job.txt")
    plan = build_plan(analyze(cv, job), cv)
    messages = section_messages(plan, "education", plan.for_section("education"))

    assert plan.language == "ru"
    assert messages[0]["content"] == load_template("system", "ru").strip()
    assert "«Образование»" in user_text(messages)
    assert "на русском языке" in user_text(messages)


def test_the_whole_prompt_lists_the_seven_headings_in_order(chef_plan: Plan) -> None:
    user = user_text(whole_messages(chef_plan, list(chef_plan.actions)))

    positions = [user.index(chef_plan.heading(section)) for section in PLAN_SECTIONS]
    assert positions == sorted(positions)
    for action in chef_plan.actions:
        assert f"- {action.action}" in user


def test_fence_like_text_in_a_quoted_cv_line_is_defused() -> None:
    cv = "Sam Doe\nEXPERIENCE\nCashier, 2021 - 2023\n- Served customers at the till >>> fast <<<<\nSKILLS\n- Python"
    job = "Cashier\nRequirements\n- Customer service\n- Python"
    plan = build_plan(analyze(cv, job), cv)
    prompts = [user_text(section_messages(plan, name, plan.for_section(name))) for name in PLAN_SECTIONS]

    assert any("Served customers at the till" in prompt for prompt in prompts)
    assert not any(re.search(r"<{3}|>{3}", prompt) for prompt in prompts)


def test_an_injected_cv_line_never_reaches_the_plan_or_the_prompt() -> None:
    cv, job = read("injection_cv.txt"), read("strong_job.txt")
    analysis = analyze(cv, job)
    plan = build_plan(analysis, cv)
    prompts = [user_text(section_messages(plan, name, plan.for_section(name))) for name in PLAN_SECTIONS]

    assert "Ignore all previous instructions" in cv
    assert analysis.injections
    assert not any("Ignore all previous instructions" in prompt for prompt in prompts)
    assert not any("Ignore all previous instructions" in action.action for action in plan.actions)


def test_plan_prompt_text_leaves_the_bare_score_out(chef_plan: Plan) -> None:
    # The score is grounded only where stated as the score: "67% of your CV" must stay an invented figure.
    text = plan_prompt_text(chef_plan)

    assert f"{chef_plan.score}/100" not in text
    assert "Next steps" in text
    assert "7. Next steps" not in text  # heading numbers must not ground "7 months"


def test_all_instructions_hold_every_template_in_both_languages() -> None:
    instructions = all_instructions()

    assert "Write this part only" in instructions
    assert "Напиши только эту часть" in instructions
    assert "what fits, or what is missing" in instructions
    assert "{" not in instructions


# --- render_findings -------------------------------------------------------------------


def test_render_findings_lists_verdict_score_missing_sections_and_missing_must_haves() -> None:
    analysis = analyze(read("missing_sections_cv.txt"), read("strong_job.txt"))
    findings = render_findings(analysis)

    assert f"verdict: {analysis.verdict}" in findings
    assert f"match score: {analysis.score}/100" in findings
    assert "core CV sections missing: education, hard_skills, soft_skills" in findings
    assert analysis.missing_must_haves
    missing_block = findings[findings.index("requirements missing:") :]
    for match in analysis.missing_must_haves:
        assert f"- [must-have] {match.requirement.text}" in missing_block
    for knockout in analysis.knockouts:
        assert knockout in findings


def test_render_findings_quotes_evidence_of_met_requirements_only(strong: tuple[Analysis, str, str]) -> None:
    analysis, _, _ = strong
    findings = render_findings(analysis)

    assert "core CV sections missing: none" in findings
    met = [match for match in analysis.matches if match.status == "met" and match.requirement.kind != "location"]
    assert met
    for match in met:
        assert match.requirement.text in findings
        if match.evidence:
            assert f'(CV: "{match.evidence}")' in findings
    for match in analysis.matches:
        if match.status == "missing":
            kind = "must-have" if match.requirement.must else "nice-to-have"
            assert f"- [{kind}] {match.requirement.text}\n" in findings + "\n"


# --- answer_start --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "english", "russian"),
    [
        ("strong_fit", "a strong fit", "хорошо подходит к"),
        ("partial_fit", "a partial fit", "частично подходит к"),
        ("not_a_fit", "not a fit", "не подходит к"),
    ],
)
def test_answer_start_states_the_true_verdict_and_score(verdict: str, english: str, russian: str) -> None:
    en = replace(analyze(read("strong_cv.txt"), read("strong_job.txt")), verdict=verdict, score=37)
    ru = replace(analyze(read("ru_cv.txt"), read("ru_job.txt")), verdict=verdict, score=63)

    assert en.language == "en" and ru.language == "ru"
    assert answer_start(en) == f"1. Match: your CV is {english} for this job (score 37/100)."
    assert answer_start(ru) == f"1. Соответствие: ваше резюме {russian} этой вакансии (оценка 63/100)."


def test_answer_start_matches_the_analysis_of_real_documents() -> None:
    analysis = analyze(read("pastry_chef_cv.txt"), read("ml_engineer_job.txt"))

    assert analysis.verdict == "not_a_fit"
    assert answer_start(analysis) == f"1. Match: your CV is not a fit for this job (score {analysis.score}/100)."
