"""Tests for app.analysis.plan: the advice plan derived from the findings alone (pure, no model)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.analysis.plan import PLAN_SECTIONS, Plan
from app.analysis.plan_builder import build_plan
from app.analysis.scoring import analyze

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parent.parent / "app" / "examples"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def plan_for(cv_path: Path, job_path: Path) -> Plan:
    cv = read(cv_path)
    return build_plan(analyze(cv, read(job_path)), cv)


@pytest.fixture(scope="module")
def example() -> Plan:
    return plan_for(EXAMPLES / "example_cv.txt", EXAMPLES / "example_job.txt")


@pytest.fixture(scope="module")
def chef() -> Plan:
    return plan_for(FIXTURES / "pastry_chef_cv.txt", FIXTURES / "ml_engineer_job.txt")


def test_every_section_has_an_action_and_they_come_in_the_prompts_order(example: Plan) -> None:
    sections = [action.section for action in example.actions]

    assert set(sections) == set(PLAN_SECTIONS)
    assert sections == sorted(sections, key=PLAN_SECTIONS.index)
    for section in PLAN_SECTIONS:
        priorities = [action.priority for action in example.for_section(section)]
        assert priorities == sorted(priorities), section


def test_the_match_section_states_the_verdict_and_score(example: Plan) -> None:
    first = example.for_section("match")[0]
    phrase = {"strong_fit": "a strong fit", "partial_fit": "a partial fit"}[example.verdict]

    assert first.kind == "verdict" and first.priority == 1
    assert first.action.startswith(f"Your CV is {phrase} for this job (score {example.score}/100)")


def test_a_missing_must_have_is_to_be_learnt_then_shown_never_added(example: Plan) -> None:
    learn = [action for action in example.actions if action.kind == "learn" and action.priority == 1]

    assert [action.requirement for action in learn] == ["Experience with PostgreSQL or another relational database"]
    action = learn[0]
    assert action.section == "hard_skills"
    assert action.action.startswith("Learn PostgreSQL or another relational database")
    assert re.search(r"project|course|certificate", action.action)
    assert not re.search(r"\badd (?:it|postgresql)\b", action.action, re.IGNORECASE)
    assert "PostgreSQL" in action.terms


def test_a_partial_match_quotes_the_cv_line_and_names_the_jobs_term(example: Plan) -> None:
    role = next(action for action in example.actions if action.requirement == "Role: Full-Stack Developer")

    assert role.kind == "make_explicit" and role.section == "experience" and role.priority == 2
    assert role.evidence == "Frontend Developer"
    assert '("Frontend Developer")' in role.action
    assert "(Full-Stack)" in role.action  # the job's own word for what is missing
    assert "Where it is true" in role.action


def test_experience_lines_without_a_result_get_a_placeholder_not_a_number(example: Plan) -> None:
    outcomes = [action for action in example.actions if action.kind == "add_outcome"]

    assert outcomes and all(action.section == "experience" for action in outcomes)
    for action in outcomes:
        assert action.evidence and action.evidence in read(EXAMPLES / "example_cv.txt")
        assert not re.search(r"\d", action.evidence)  # a line that already has a figure needs none
        assert "[number]" in action.action
        assert not re.search(r"\d", action.action)


def test_next_steps_are_three_most_important_first(example: Plan) -> None:
    steps = example.for_section("next_steps")

    assert [action.priority for action in steps] == [1, 2, 3]
    assert "PostgreSQL" in steps[0].action


def test_not_a_fit_says_so_with_the_largest_gaps_and_a_learning_path(chef: Plan) -> None:
    match = chef.for_section("match")

    assert match[0].action.startswith(f"Your CV is not a fit for this job (score {chef.score}/100)")
    gaps = match[1]
    assert gaps.kind == "not_a_fit" and gaps.priority == 1
    assert 2 <= len(gaps.terms) <= 3
    assert "A rough learning path:" in gaps.action
    for term in gaps.terms:
        assert term in gaps.action


def test_missing_sections_are_filled_from_facts_already_in_the_cv() -> None:
    plan = plan_for(FIXTURES / "missing_sections_cv.txt", FIXTURES / "strong_job.txt")
    fills = {action.requirement: action for action in plan.for_section("missing_sections")}

    assert set(fills) == {"education", "skills", "soft skills"}
    skills = fills["skills"].action
    assert skills.startswith("Add a Skills section that lists the skills your CV already shows: ")
    cv = read(FIXTURES / "missing_sections_cv.txt").lower()
    listed = skills.split(": ", 1)[1].rstrip(".").split(", ")
    assert listed and all(term.lower() in cv for term in listed)


def test_russian_findings_give_a_russian_plan() -> None:
    plan = plan_for(FIXTURES / "ru_cv.txt", FIXTURES / "ru_job.txt")

    assert plan.language == "ru"
    assert plan.heading("hard_skills") == "4. Профессиональные навыки:"
    for action in plan.actions:
        letters = re.findall(r"[a-zа-яё]", action.action, re.IGNORECASE)
        cyrillic = re.findall(r"[а-яё]", action.action, re.IGNORECASE)
        assert len(cyrillic) > len(letters) / 2, action.action


def test_the_plan_is_deterministic_and_serialises_to_the_report_fields(example: Plan) -> None:
    again = plan_for(EXAMPLES / "example_cv.txt", EXAMPLES / "example_job.txt")

    assert again == example
    rows = example.to_list()
    assert all(set(row) == {"section", "kind", "action", "requirement", "evidence", "priority"} for row in rows)
    assert example.to_markdown().count("- [ ] ") == len(example.actions)


def test_section_text_is_the_actions_as_plain_sentences(example: Plan) -> None:
    text = example.section_text("hard_skills")

    assert text == " ".join(action.action for action in example.for_section("hard_skills"))
    assert "[ ]" not in text and not text.startswith("-")
