"""Tests for app.llm.advice_checks: every check of written advice, table-driven with bad advice we wrote (pure)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from app.analysis.plan import PLAN_SECTIONS, Plan
from app.analysis.plan_builder import build_plan
from app.analysis.scoring import Analysis, analyze
from app.llm.advice_checks import (
    CheckContext,
    check_section,
    claim_advice,
    echoed_instructions,
    invented_numbers,
    left_out_actions,
    numbers_in,
    repetition_loops,
    ungrounded_words,
    unsupported_terms,
    wrong_language,
)
from app.llm.advice_contradictions import section_contradictions, status_contradictions, verdict_contradictions
from app.llm.prompting import all_instructions, plan_prompt_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


CHEF_CV = read("pastry_chef_cv.txt")
ML_JOB = read("ml_engineer_job.txt")
STRONG_CV = read("strong_cv.txt")
STRONG_JOB = read("strong_job.txt")


@pytest.fixture(scope="module")
def chef_vs_ml() -> Analysis:
    return analyze(CHEF_CV, ML_JOB)


@pytest.fixture(scope="module")
def strong_pair() -> Analysis:
    return analyze(STRONG_CV, STRONG_JOB)


# --- unsupported_terms --------------------------------------------------------------


@pytest.mark.parametrize(
    ("advice", "expected"),
    [
        ("Set up your pipelines with KubeFlux.", ["KubeFlux"]),
        ("Try TensorFlux and JAX before applying.", ["TensorFlux", "JAX"]),
        ("Use XGBoost, then XGBoost again.", ["XGBoost"]),  # each name once
        ("Learn Node.js and C++.", ["Node.js", "C++"]),
    ],
)
def test_unsupported_terms_flags_tool_names_found_in_neither_document(advice: str, expected: list[str]) -> None:
    assert unsupported_terms(advice, CHEF_CV, ML_JOB) == expected


@pytest.mark.parametrize(
    "advice",
    [
        "Learn PyTorch, MLflow and Kubeflow.",  # as the job writes them
        "Learn PYTORCH and TENSORFLOW.",  # other case
        "Learn pytorch and KubeFlow.",  # lower case, other inner capital
        "Read PyTorch's documentation.",  # possessive
        "Your HACCP certificate shows care for hygiene.",  # from the CV
        "Practise SQL every week.",
        "Mention it on LinkedIn and GitHub, and keep the CV ATS-friendly.",  # our own words
        "Nothing tool-like here at all.",
    ],
)
def test_unsupported_terms_accepts_names_from_either_document(advice: str) -> None:
    assert unsupported_terms(advice, CHEF_CV, ML_JOB) == []


def test_unsupported_terms_is_inflection_insensitive_for_ordinary_plurals() -> None:
    # The job says "REST APIs"; the advice says "API" and the other way round.
    assert unsupported_terms("Design a REST API for the shop.", STRONG_CV, STRONG_JOB) == []
    assert unsupported_terms("Your REST APIs matter.", "Built a REST API", "Python developer") == []


def test_unsupported_terms_depends_on_the_documents() -> None:
    advice = "Add your MLflow work."
    assert unsupported_terms(advice, CHEF_CV, "Bakery manager") == ["MLflow"]
    assert unsupported_terms(advice, CHEF_CV, ML_JOB) == []
    assert unsupported_terms(advice, "Tracked runs in mlflow", "Bakery manager") == []


def test_unsupported_terms_treats_a_word_with_only_an_initial_capital_as_ordinary() -> None:
    # Only names with an inner capital, all capitals, digits or +/#/.js look like tools: a plain
    # capitalised word ("Kubeflux", like any word opening a sentence) is not checked.
    assert unsupported_terms("Kubeflux would help.", CHEF_CV, ML_JOB) == []


@pytest.mark.parametrize("advice", ["Write SQLs daily.", "Read about LLMs."])
def test_unsupported_terms_accepts_plural_acronyms_of_job_terms(advice: str) -> None:
    assert unsupported_terms(advice, CHEF_CV, ML_JOB) == []


# --- claim_advice -------------------------------------------------------------------------


def test_claim_advice_flags_adding_a_missing_requirement(chef_vs_ml: Analysis) -> None:
    assert any("pytorch" in match.missing_terms for match in chef_vs_ml.missing_must_haves)

    assert claim_advice("Add PyTorch to your skills section.", chef_vs_ml) == ["Add PyTorch to your skills section."]


@pytest.mark.parametrize(
    "advice",
    [
        "Learn PyTorch through a course, then add it.",
        "Once you have built a project with PyTorch, list it.",
        "Add PyTorch only if you have used it.",
        "Изучите PyTorch на курсе, потом добавьте его в резюме.",
    ],
)
def test_claim_advice_accepts_learning_first(advice: str, chef_vs_ml: Analysis) -> None:
    assert claim_advice(advice, chef_vs_ml) == []


@pytest.mark.parametrize(
    "advice",
    [
        "List Docker under your skills.",
        "Mention MLflow in your summary!",
        "Добавьте PyTorch в навыки.",
        "Include Kubeflow in the skills list?",
    ],
)
def test_claim_advice_flags_other_claim_verbs_and_russian(advice: str, chef_vs_ml: Analysis) -> None:
    assert claim_advice(advice, chef_vs_ml) == [advice]


def test_claim_advice_flags_only_the_offending_sentence(chef_vs_ml: Analysis) -> None:
    advice = (
        "1. Match: your CV is not a fit for this job.\n"
        "Your pastry work shows discipline. Add PyTorch to your skills section. "
        "Learn Python through a course, then add it."
    )
    assert claim_advice(advice, chef_vs_ml) == ["Add PyTorch to your skills section."]


def test_claim_advice_ignores_requirements_the_cv_meets(strong_pair: Analysis) -> None:
    # Docker and Django are met by the strong CV: mentioning them is not a false claim.
    assert claim_advice("Add Docker and Django to your summary.", strong_pair) == []


LANGUAGE_CV = """Anna Berg
Experience
Software engineer at Acme, 2018-2023. Built Python services.
Education
BSc Computer Science, 2014-2018
Skills
Python, SQL
Languages
English C1
"""
LANGUAGE_JOB = """Backend developer
Requirements:
- 3+ years of Python
- Fluent German
- English C1
"""


@pytest.mark.parametrize(
    ("advice", "flagged"),
    [
        ("Add fluent German to your languages section.", True),
        ("Mention German in your summary.", True),
        ("Добавьте German в раздел «Языки».", True),
        ("Take a German course and a recognised test; once you have the level, state it.", False),
        ("Learn German first, then list it with its level.", False),
        ("Add English C1 to the top of your CV.", False),  # English is shown: no false claim
    ],
)
def test_claim_advice_flags_claiming_a_missing_language(advice: str, flagged: bool) -> None:
    analysis = analyze(LANGUAGE_CV, LANGUAGE_JOB)
    assert [m.requirement.kind for m in analysis.missing_must_haves if "german" in m.missing_terms] == ["language"]

    assert claim_advice(advice, analysis) == ([advice] if flagged else [])


def test_claim_advice_ignores_skills_no_requirement_asks_for(chef_vs_ml: Analysis) -> None:
    assert claim_advice("Mention your lamination and chocolate tempering.", chef_vs_ml) == []


# --- the checks of each written section (issue 11) -------------------------------------------
# The example pair of the app: PostgreSQL missing, React and TypeScript met. Tables about the verdict use
# the same findings with the verdict and score set (dataclasses.replace), so they do not hang on the scoring.

EXAMPLES = Path(__file__).resolve().parent.parent / "app" / "examples"
EXAMPLE_CV = (EXAMPLES / "example_cv.txt").read_text(encoding="utf-8")
EXAMPLE_JOB = (EXAMPLES / "example_job.txt").read_text(encoding="utf-8")
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="module")
def example() -> tuple[Analysis, Plan, CheckContext]:
    analysis = analyze(EXAMPLE_CV, EXAMPLE_JOB)
    plan = build_plan(analysis, EXAMPLE_CV)
    return analysis, plan, CheckContext(analysis, EXAMPLE_CV, EXAMPLE_JOB, plan_prompt_text(plan), all_instructions())


def test_the_example_pair_is_what_these_tables_assume(example: tuple[Analysis, Plan, CheckContext]) -> None:
    analysis, _, _ = example
    statuses = {match.requirement.text: match.status for match in analysis.matches}

    assert analysis.score != 67  # the verdict tables below set 67 themselves
    assert statuses["Experience with PostgreSQL or another relational database"] == "missing"
    assert statuses["Strong skills in React and TypeScript"] == "met"


@pytest.mark.parametrize(
    ("advice", "invented"),
    [
        ("the job asks for a degree in computer science (score 4.8)", ["4.8"]),
        ("how to present it better (Score 100)", ["100"]),
        ("Raise your Lighthouse score to 95 before you apply.", ["95"]),
        ("Take 3 courses over 6 months.", ["6"]),  # "3" is in the CV (3 product teams)
        ("{score}% of your CV is about education.", ["{score}"]),  # the score used as another figure
        ("Around 12,500 people read your app.", ["12500"]),
        ("Your booking app serves 80,000 monthly visitors.", []),  # from the CV
        ("You show about 3.8 years against the 4+ years asked.", []),  # the findings and the job
        ("Your CV is a fit for this job (score {score}/100).", []),  # the score, stated as the score
        ("1. Learn PostgreSQL.\n2. Build a project with it.\n- 3) Show it.", []),  # list numbering
        ("No figures here at all.", []),
    ],
)
def test_invented_numbers(advice: str, invented: list[str], example: tuple[Analysis, Plan, CheckContext]) -> None:
    analysis, _, context = example
    advice = advice.format(score=analysis.score)
    found = invented_numbers(advice, EXAMPLE_CV, EXAMPLE_JOB, context.known_text, score=analysis.score)
    assert found == [number.format(score=analysis.score) for number in invented]


def test_invented_numbers_reads_thousands_and_decimals_alike() -> None:
    assert invented_numbers("It grew 1,200 stars and 3,5 points.", "1200 stars", "3.5 points") == []
    assert numbers_in("2. Build it in 2023, for 4.80 and 1,200.") == ["2023", "4.8", "1200"]


@pytest.mark.parametrize(
    ("advice", "problems"),
    [
        ("the job asks for a degree in computer science (score 4.8)", 1),
        ("how to present it better (Score 100)", 1),
        ("You are a 90% match for the role.", 1),
        ("You scored 80 out of 100.", 1),
        ("You are a strong fit for this role.", 1),
        ("Your CV is a perfect match.", 1),
        ("Your CV is not a fit for this job.", 1),  # a partial fit is not "no fit"
        ("Your CV is a partial fit for this job (score 67/100).", 0),
        ("You are not a strong fit yet, but close.", 0),
        ("You scored 67 out of 100.", 0),
    ],
)
def test_verdict_contradictions_on_a_partial_fit(
    advice: str, problems: int, example: tuple[Analysis, Plan, CheckContext]
) -> None:
    analysis = replace(example[0], verdict="partial_fit", score=67)
    assert len(verdict_contradictions(advice, analysis)) == problems


@pytest.mark.parametrize(
    ("advice", "problems"),
    [
        ("You are a good fit for machine learning.", 1),
        ("This is a partial match.", 1),
        ("You are an excellent candidate.", 1),
        ("Your CV does not fit this job.", 0),
        ("You are not a good fit yet.", 0),
    ],
)
def test_verdict_contradictions_on_no_fit(advice: str, problems: int, chef_vs_ml: Analysis) -> None:
    assert chef_vs_ml.verdict == "not_a_fit"
    assert len(verdict_contradictions(advice, chef_vs_ml)) == problems


@pytest.mark.parametrize(
    ("advice", "problems"),
    [
        ("Ваше резюме не подходит к этой вакансии.", 1),
        ("Ваше резюме хорошо подходит к вакансии (оценка {score}/100).", 0),
        ("Оценка: 12.", 1),
    ],
)
def test_verdict_contradictions_in_russian(advice: str, problems: int) -> None:
    analysis = replace(analyze(read("ru_cv.txt"), read("ru_job.txt")), verdict="strong_fit")
    assert len(verdict_contradictions(advice.format(score=analysis.score), analysis)) == problems


@pytest.mark.parametrize(
    ("advice", "flagged"),
    [
        ("You already have PostgreSQL experience.", "PostgreSQL"),
        ("Your CV shows strong PostgreSQL skills.", "PostgreSQL"),
        ("You lack React.", "React"),
        ("React is missing from your CV.", "React"),
        ("Learn PostgreSQL through a course and a small project.", None),
        ("You do not have PostgreSQL yet.", None),
        ("Your CV shows React, but PostgreSQL is missing.", None),
        ("If you have used PostgreSQL, say so.", None),
        ('Make "Full-Stack Developer" explicit: your CV shows part of it ("Frontend Developer").', None),
    ],
)
def test_status_contradictions(advice: str, flagged: str | None, example: tuple[Analysis, Plan, CheckContext]) -> None:
    analysis, _, _ = example
    problems = status_contradictions(advice, analysis)
    if flagged is None:
        assert problems == []
    else:
        assert len(problems) == 1 and flagged in problems[0]


@pytest.mark.parametrize(
    ("advice", "problems"),
    [
        ("You are missing the education section.", 1),  # the example CV has one
        ("Add an Experience section to your CV.", 1),
        ("Your CV has all four core sections: experience, education and skills.", 0),
        ("Add the result to your experience lines.", 0),  # not a section
        ("If you have no skills section, add one.", 0),
    ],
)
def test_section_contradictions_on_a_cv_with_every_section(
    advice: str, problems: int, example: tuple[Analysis, Plan, CheckContext]
) -> None:
    analysis, _, _ = example
    assert analysis.missing_sections == []
    assert len(section_contradictions(advice, analysis)) == problems


def test_section_contradictions_on_a_cv_missing_sections() -> None:
    analysis = analyze(read("missing_sections_cv.txt"), STRONG_JOB)
    assert "education" in analysis.missing_sections

    assert section_contradictions("Your CV has all four core sections.", analysis)
    assert section_contradictions("Add an Education section with your degree.", analysis) == []


@pytest.mark.parametrize(
    ("advice", "echoed"),
    [
        ("2. Experience: what fits, or what is missing…", True),
        ("how to present it better (Score 100)", True),
        ("Write this part only: two to four plain sentences.", True),
        ("Напиши только эту часть: д", True),
        ("Use only the facts in the plan below.", True),
        ("Learn PostgreSQL with a small project and show it on GitHub.", False),
        ("Your booking app in React and TypeScript is your strongest evidence.", False),
        # A section cut off before our next heading: the run crosses the join, the model echoed nothing.
        ("5. Soft skills: The job does not ask for any soft skills; it asks for\n\n6. Missing sections: none.", False),
        ("5. Soft skills: show them.\n\n6. Missing sections: the job asks for missing sections here.", True),
        ("Write this part only:\ntwo to four plain sentences.", True),  # a single line break is no join
    ],
)
def test_echoed_instructions(advice: str, echoed: bool, example: tuple[Analysis, Plan, CheckContext]) -> None:
    _, _, context = example
    assert bool(echoed_instructions(advice, context.instructions, context.known_text)) is echoed


def test_echoed_instructions_spares_words_the_plan_itself_uses(example: tuple[Analysis, Plan, CheckContext]) -> None:
    _, plan, context = example
    assert echoed_instructions(plan.section_text("hard_skills"), context.instructions, context.known_text) == []


@pytest.mark.parametrize(
    ("advice", "language", "wrong"),
    [
        ("This part of the advice is written in English, as it should be.", "ru", True),
        ("Этот раздел совета написан по-русски, как и должен быть.", "en", True),
        ("Изучите PostgreSQL и Docker на курсе, затем сделайте небольшой проект.", "ru", False),
        ("Learn PostgreSQL and show it with a small project.", "en", False),
        ("OK.", "ru", False),  # too short to tell
    ],
)
def test_wrong_language(advice: str, language: str, wrong: bool) -> None:
    assert wrong_language(advice, language) is wrong


@pytest.mark.parametrize(
    ("advice", "loops"),
    [
        ("You should learn SQL now. You should learn SQL now.", True),
        ("the job the job the job the job the job", True),
        ("Learn PostgreSQL. Then build a project with it, and show it on GitHub.", False),
    ],
)
def test_repetition_loops(advice: str, loops: bool) -> None:
    assert bool(repetition_loops(advice)) is loops


def test_repetition_loops_allows_what_the_plan_repeats(chef_plan: Plan) -> None:
    text = chef_plan.section_text("hard_skills")  # "Learn X ... Once you have used it ..." several times
    assert repetition_loops(text) != []
    assert repetition_loops(text, text) == []


@pytest.mark.parametrize(
    ("advice", "grounded"),
    [
        ("The job is a career counselor who helps people find their way to finding their dream jobs in sales.", False),
        ("Всем раздель наружационное перевод и становяется в эколмирстом, бударжины стольцем перебрания.", False),
        ("Learn PostgreSQL through a course, then show it with a small project on GitHub.", True),
        ("Short text.", True),  # too short to judge
    ],
)
def test_ungrounded_words(advice: str, grounded: bool, example: tuple[Analysis, Plan, CheckContext]) -> None:
    _, _, context = example
    novel = ungrounded_words(advice, EXAMPLE_CV, EXAMPLE_JOB, context.known_text, context.instructions)
    assert (novel == []) is grounded


def test_left_out_actions_names_the_action_the_text_skips(example: tuple[Analysis, Plan, CheckContext]) -> None:
    _, plan, _ = example
    actions = [action for action in plan.for_section("hard_skills") if action.kind == "learn"]
    advice = "Learn PostgreSQL with a course. Learn GraphQL and WCAG too."

    left = left_out_actions(advice, actions)

    assert [action.requirement for action in left] == ["Experience with Docker"]
    assert left_out_actions(advice + " Docker as well.", actions) == []


@pytest.fixture(scope="module")
def chef_plan() -> Plan:
    return build_plan(analyze(CHEF_CV, ML_JOB), CHEF_CV)


@pytest.mark.parametrize(
    ("section", "advice", "check"),
    [
        ("education", "the job asks for a degree in computer science (score 4.8)", "invented_number"),
        ("education", "the job asks for a degree in computer science (score 4.8)", "contradicts_verdict"),
        ("experience", "how to present it better (Score 100)", "contradicts_verdict"),
        ("experience", "how to present it better (Score 100)", "echoed_instruction"),
        ("experience", "2. Experience: what fits, or what is missing…", "echoed_instruction"),
        ("hard_skills", "You already have PostgreSQL, so list it.", "contradicts_status"),
        ("hard_skills", "Add PostgreSQL to your skills section.", "claim_advice"),
        ("hard_skills", "Set up KubeFlux pipelines for PostgreSQL, Docker, GraphQL and WCAG.", "unknown_tool"),
        (
            "hard_skills",
            "Изучите PostgreSQL, Docker, GraphQL и WCAG на курсах, затем сделайте проект.",
            "wrong_language",
        ),
        ("soft_skills", "", "empty"),
        ("hard_skills", "Learn PostgreSQL with a course and a small project.", "left_out_action"),
    ],
)
def test_check_section_catches_each_kind_of_bad_advice(
    section: str, advice: str, check: str, example: tuple[Analysis, Plan, CheckContext]
) -> None:
    _, plan, context = example
    problems = check_section(advice, plan.for_section(section), context)
    assert check in {problem.check for problem in problems}


def test_the_plans_own_text_passes_every_check_on_every_shared_pair() -> None:
    # The fallback for a failed section must itself be clean, on real text nobody here wrote.
    pairs = json.loads((SHARED / "pairs.json").read_text(encoding="utf-8"))["pairs"]
    failures = []
    for pair in pairs:
        cv = (SHARED / pair["cv"]).read_text(encoding="utf-8")
        job = (SHARED / pair["job"]).read_text(encoding="utf-8")
        analysis = analyze(cv, job)
        plan = build_plan(analysis, cv)
        context = CheckContext(analysis, cv, job, plan_prompt_text(plan), all_instructions())
        for section in PLAN_SECTIONS:
            problems = check_section(plan.section_text(section), plan.for_section(section), context)
            failures += [(pair["id"], section, problem.check, problem.detail[:80]) for problem in problems]
    assert len(pairs) == 42
    assert failures == []
