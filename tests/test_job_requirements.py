"""Tests for app.analysis.job_requirements: reading a job's own requirement blocks."""

from __future__ import annotations

import pytest

from app.analysis.job_requirements import (
    KINDS,
    ROLE_PREFIX,
    Requirement,
    classify,
    extract_requirements,
    job_duties,
    job_title,
)
from app.analysis.posting_headings import split_inline_headings
from app.analysis.scoring import analyze

TITLE = "Data Engineer"


def items_of(text: str, language: str | None = None) -> list[tuple[str, bool]]:
    """(text, must) of every requirement except the role, in order."""
    return [(r.text, r.must) for r in extract_requirements(text, language) if r.kind != "role"]


def find(requirements: list[Requirement], fragment: str) -> Requirement:
    """The one non-role requirement whose text contains the fragment."""
    matches = [r for r in requirements if r.kind != "role" and fragment.lower() in r.text.lower()]
    assert len(matches) == 1, f"{fragment!r} in {[r.text for r in requirements]}"
    return matches[0]


# --- blocks: must, nice, ignored ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "must"),
    [
        ("Requirements", True),
        ("Requirements:", True),
        ("## Requirements", True),
        ("**Requirements**", True),
        ("REQUIREMENTS", True),
        ("Minimum Qualifications:", True),
        ("What you'll need", True),
        ("Nice to have", False),
        ("NICE TO HAVE", False),
        ("Preferred Qualifications:", False),
        ("Bonus points", False),
        ("Требования:", True),
        ("Что ждём от кандидата:", True),
        ("Будет плюсом:", False),
        ("Желательно:", False),
    ],
)
def test_block_heading_sets_must_or_nice(heading: str, must: bool) -> None:
    text = f"{TITLE}\n{heading}\n- Python\n- SQL"
    # Exactly the two bullets: the heading itself ("Preferred", "Qualifications") is never an item.
    assert items_of(text) == [("Python", must), ("SQL", must)]


@pytest.mark.parametrize(
    "heading",
    ["Responsibilities", "What we offer", "About us", "Обязанности:", "Условия:", "Мы предлагаем:"],
)
def test_ignored_block_gives_no_requirements(heading: str) -> None:
    body = "- Write clean code\n- Ship features with Django\n- Пишем код на Python"
    assert items_of(f"{TITLE}\nRequirements\n- Python\n{heading}\n{body}") == [("Python", True)]
    assert items_of(f"{TITLE}\n{heading}\n{body}\nRequirements\n- SQL") == [("SQL", True)]
    assert items_of(f"{TITLE}\n{heading}\n{body}") == []


@pytest.mark.parametrize(
    ("item", "must"),
    [
        ("Go (preferred)", False),
        ("Rust is a plus", False),
        ("Experience with Kafka is a plus", False),
        ("Ideally some Scala", False),
        ("желательно знание Go", False),
        ("Python", True),
        ("Опыт работы с Docker", True),
    ],
)
def test_optional_item_inside_must_block_becomes_nice(item: str, must: bool) -> None:
    assert items_of(f"{TITLE}\nRequirements\n- {item}") == [(item, must)]


def test_requirements_keep_job_order_across_blocks() -> None:
    text = f"{TITLE}\nRequirements\n- Python\nNice to have\n- Go\nResponsibilities\n- Code\nRequirements\n- SQL"
    assert items_of(text) == [("Python", True), ("Go", False), ("SQL", True)]


def test_duplicates_are_removed_case_insensitively_first_wins() -> None:
    text = f"{TITLE}\nRequirements\n- Python\n- PYTHON\n- Docker\n- python\nNice to have\n- Python\n- docker"
    assert items_of(text) == [("Python", True), ("Docker", True)]


def test_role_is_not_duplicated_by_a_role_line() -> None:
    requirements = extract_requirements("Data Scientist\nRole: Data Scientist\nRequirements\n- Python")
    assert [(r.text, r.kind) for r in requirements] == [("Role: Data Scientist", "role"), ("Python", "skill")]


# --- inline lists --------------------------------------------------------------------------------------------------


def test_skills_line_is_split_into_items() -> None:
    assert items_of("Skills: Python, SQL, Excel") == [("Python", True), ("SQL", True), ("Excel", True)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Python. Docker. Kubernetes", ["Python", "Docker", "Kubernetes"]),
        ("SQL; Excel; Tableau", ["SQL", "Excel", "Tableau"]),
        ("Python, SQL, Excel", ["Python", "SQL", "Excel"]),
        (
            "Strong experience with scikit-learn, TensorFlow, or PyTorch",
            ["Strong experience with scikit-learn, TensorFlow, or PyTorch"],
        ),
        (
            "Experience with NLP libraries (spaCy, NLTK, Hugging Face)",
            ["Experience with NLP libraries (spaCy, NLTK, Hugging Face)"],
        ),
        (
            "Strong knowledge of databases, caching, and message queues",
            ["Strong knowledge of databases, caching, and message queues"],
        ),
    ],
)
def test_block_line_split_into_items(line: str, expected: list[str]) -> None:
    assert items_of(f"{TITLE}\nRequirements\n- {line}") == [(item, True) for item in expected]


# --- hh.ru exports: embedded headings, run-on Russian lists --------------------------------------------------------

HH_DESCRIPTION = "Описание: Компания ищет системного аналитика в команду разработки."
HH_REQUIREMENTS = "опыт работы от 3-х лет знание UML хорошее знание SQL"
HH_CONDITIONS = "офис в центре, ДМС"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            f"{HH_DESCRIPTION} Требования:  {HH_REQUIREMENTS} Условия:  {HH_CONDITIONS}",
            f"{HH_DESCRIPTION}\nТребования:  {HH_REQUIREMENTS}\nУсловия:  {HH_CONDITIONS}",
        ),
        (  # colon lost with the line break: two spaces mark the heading
            f"{HH_DESCRIPTION} Требования  {HH_REQUIREMENTS} Условия  {HH_CONDITIONS}",
            f"{HH_DESCRIPTION}\nТребования: {HH_REQUIREMENTS}\nУсловия: {HH_CONDITIONS}",
        ),
        ("Short line. Требования: Python", "Short line.\nТребования: Python"),
        (
            "We build payment infrastructure for shops Requirements: Python",
            "We build payment infrastructure for shops\nRequirements: Python",
        ),
        ("Requirements  Python, SQL", "Requirements: Python, SQL"),
        # Not split: a short lead-in, a heading word inside a sentence, one heading at a line start.
        ("Мы ищем Требования: Python", "Мы ищем Требования: Python"),
        ("Knowledge of Requirements engineering and testing", "Knowledge of Requirements engineering and testing"),
        ("Preferred Qualifications:\n- Go", "Preferred Qualifications:\n- Go"),
        (
            "Minimum Qualifications: Python, SQL, Java and lots more here Preferred Qualifications: Go, Rust",
            "Minimum Qualifications: Python, SQL, Java and lots more here\nPreferred Qualifications: Go, Rust",
        ),
    ],
)
def test_split_inline_headings(line: str, expected: str) -> None:
    assert split_inline_headings(line) == expected


def test_embedded_preferred_qualifications_block_is_nice() -> None:
    text = f"{TITLE}\nMinimum Qualifications: Python, SQL, Java Preferred Qualifications: Go, Rust, Scala"
    assert items_of(text) == [
        ("Python", True),
        ("SQL", True),
        ("Java", True),
        ("Go", False),
        ("Rust", False),
        ("Scala", False),
    ]


@pytest.mark.parametrize("separator", [":  ", "  "])
def test_hh_run_on_requirements_are_split_into_items(separator: str) -> None:
    text = (
        f"Системный аналитик\n{HH_DESCRIPTION} Требования{separator}{HH_REQUIREMENTS} Условия{separator}{HH_CONDITIONS}"
    )
    requirements = extract_requirements(text)
    assert [(r.text, r.kind, r.must) for r in requirements] == [
        ("Role: Системный аналитик", "role", True),
        ("опыт работы от 3-х лет", "years", True),
        ("знание UML", "skill", True),
        ("хорошее знание SQL", "skill", True),
    ]
    assert requirements[1].years == 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "опыт работы от 3-х лет знание UML хорошее знание SQL умение работать в команде владение английским языком",
            [
                "опыт работы от 3-х лет",
                "знание UML",
                "хорошее знание SQL",
                "умение работать в команде",
                "владение английским языком",
            ],
        ),
        (
            "опыт работы от 2 лет Знание Python или опыт работы с Go понимание REST",
            ["опыт работы от 2 лет", "Знание Python или опыт работы с Go", "понимание REST"],
        ),
        ("Знание Python или опыт работы с Go", ["Знание Python или опыт работы с Go"]),
    ],
)
def test_russian_run_on_list_splits_at_item_words(value: str, expected: list[str]) -> None:
    assert items_of(f"Аналитик\nТребования: {value}") == [(item, True) for item in expected]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "Активные продажи Холодные звонки Ведение клиентской базы",
            ["Активные продажи", "Холодные звонки", "Ведение клиентской базы"],
        ),
        (
            "Активные продажи Холодные звонки Ведение клиентской базы Настройка ПК Работа с CRM",
            ["Активные продажи", "Холодные звонки", "Ведение клиентской базы", "Настройка ПК", "Работа с CRM"],
        ),
    ],
)
@pytest.mark.parametrize("heading", ["Навыки", "Ключевые навыки"])
def test_hh_skill_tags_split_at_capitals_as_nice(heading: str, value: str, expected: list[str]) -> None:
    assert items_of(f"Менеджер по продажам\n{heading}: {value}") == [(item, False) for item in expected]


def test_explicit_language_overrides_detection() -> None:
    text = "Менеджер\nНавыки: Активные продажи Холодные звонки Ведение клиентской базы"
    assert items_of(text, language="en") == [("Активные продажи Холодные звонки Ведение клиентской базы", False)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Требуемый опыт работы: 3–6 лет", [("years", True, 3.0)]),
        ("Требуемый опыт работы: 1–3 года", [("years", True, 1.0)]),
        ("Experience required: 5+ years", [("years", True, 5.0)]),
        ("Требуемый опыт работы: не требуется", []),
        ("Location: Berlin (remote)", [("location", False, None)]),
        ("Локация: Москва", [("location", False, None)]),
        ("Город: Казань", [("location", False, None)]),
        ("Location: Location is not specified", []),
        ("Локация: не указана", []),
    ],
)
def test_key_value_lines(line: str, expected: list[tuple[str, bool, float | None]]) -> None:
    requirements = [r for r in extract_requirements(f"Аналитик\n{line}") if r.kind != "role"]
    assert [(r.kind, r.must, r.years) for r in requirements] == expected


def test_location_line_text_and_never_must() -> None:
    text = "Backend Developer\nLocation: Berlin (remote)\nRequirements\n- Python"
    requirements = extract_requirements(text)
    assert [(r.text, r.kind, r.must) for r in requirements] == [
        ("Role: Backend Developer", "role", True),
        ("Location: Berlin (remote)", "location", False),
        ("Python", "skill", True),
    ]


# --- classify ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "years"),
    [
        ("5+ years of experience with Python", 5),
        ("at least 3 years of backend work", 3),
        ("Minimum of 4 years in QA", 4),
        ("3-5 years in QA", 3),
        ("two years of experience", 2),
        ("Опыт работы от 3 лет", 3),
        ("более 6 лет опыта", 6),
        ("опыт работы от 3-х лет", 3),
        ("не менее 2 лет в продажах", 2),
        ("Опыт 2–4 года", 2),
        ("Опыт работы от 1,5 лет", 1.5),
        ("1.5 years of experience", 1.5),
    ],
)
def test_classify_years(item: str, years: float) -> None:
    assert classify(item, True) == Requirement(item, "years", True, years=years)


@pytest.mark.parametrize(
    ("item", "level", "equivalent"),
    [
        ("Bachelor's degree in CS", 2, False),
        ("BS in Computer Science", 2, False),
        ("University degree", 2, False),
        ("Master's degree in Statistics", 3, False),
        ("MS or PhD in CS", 3, False),
        ("Master's degree or PhD", 3, False),
        ("PhD degree in Chemistry", 4, False),
        ("Высшее образование", 2, False),
        ("Высшее техническое образование", 2, False),
        ("Среднее специальное образование", 1, False),
        ("Bachelor's degree or equivalent experience", 2, True),
        ("BSN and RN licence", 2, False),
    ],
)
def test_classify_degree(item: str, level: int, equivalent: bool) -> None:
    assert classify(item, True) == Requirement(item, "degree", True, degree_level=level, equivalent_accepted=equivalent)


@pytest.mark.parametrize(
    ("item", "kind"),
    [
        ("Active CPA licence", "certification"),
        ("Registered Nurse (RN) license", "certification"),
        ("Сертификат 1С:Профессионал", "certification"),
        ("AWS Certified Solutions Architect", "certification"),
        ("Fluent English", "language"),
        ("English C1", "language"),
        ("Английский язык на уровне B2", "language"),
        ("Spanish language skills", "language"),
        ("Python", "skill"),
        ("Strong SQL skills", "skill"),
        ("Experience with Kubernetes", "skill"),
        ("Знание 1С:Бухгалтерия", "skill"),
        ("Опыт работы с 1С 8.3", "skill"),
        ("Python 3", "skill"),
        ("Java 8+", "skill"),
    ],
)
@pytest.mark.parametrize("must", [True, False])
def test_classify_kind_keeps_must(item: str, kind: str, must: bool) -> None:
    assert classify(item, must) == Requirement(item, kind, must)


@pytest.mark.parametrize("item", ["Remote work possible", "Hybrid, 2 days in office", "Location: Berlin"])
def test_classify_location_is_never_must(item: str) -> None:
    assert classify(item, True) == Requirement(item, "location", False)


def test_classify_role() -> None:
    assert classify("Role: Data Scientist", True) == Requirement("Role: Data Scientist", "role", True)
    assert ROLE_PREFIX == "Role: "


# --- job_title -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Должность: Системный аналитик\nОписание: ...", "Системный аналитик"),
        ("Вакансия: Ведущий бухгалтер", "бухгалтер"),
        ("Intro line\nPosition: Lead Data Engineer (Remote)", "Data Engineer"),
        ("Senior Python Backend Engineer\nWe are hiring.", "Python Backend Engineer"),
        ("SOFTWARE ENGINEER III - GOOGLE CLOUD\nAbout the team", "SOFTWARE ENGINEER"),
        ("Sr. DevOps Engineer", "DevOps Engineer"),
        ("Data Scientist Position", "Data Scientist"),
        ("Backend Developer at Acme", "Backend Developer"),
        ("Data Engineer | Acme", "Data Engineer"),
        ("Главный бухгалтер\nО компании", "бухгалтер"),
        ("We are looking for a great engineer to join us.\nRequirements", None),
        ("A very long first line with more than eight words in it", None),
        ("", None),
        ("  \n\n ", None),
        ("Requirements\n- Python\n- SQL", None),
        ("## Requirements\n- Python", None),
    ],
)
def test_job_title(text: str, title: str | None) -> None:
    assert job_title(text) == title


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Senior Python Backend Engineer\nRequirements\n- Python", "Role: Python Backend Engineer"),
        ("Intro\nДолжность: Системный аналитик\nТребования:\n- знание SQL", "Role: Системный аналитик"),
    ],
)
def test_role_comes_first_as_must(text: str, role: str) -> None:
    requirements = extract_requirements(text)
    assert requirements[0] == Requirement(role, "role", True)
    assert [r.kind for r in requirements[1:]] == ["skill"]


def test_heading_first_line_is_not_a_role() -> None:
    assert [r.kind for r in extract_requirements("Nice to have\n- Go\n- Rust")] == ["skill", "skill"]


# --- fallbacks -----------------------------------------------------------------------------------------------------


def test_job_without_headings_uses_its_bullets_as_must() -> None:
    text = "We build tools for shops across the region and beyond today.\n- Python\n- Docker and Kubernetes\n- 3+ years"
    requirements = extract_requirements(text)
    assert [(r.text, r.kind, r.must) for r in requirements] == [
        ("Python", "skill", True),
        ("Docker and Kubernetes", "skill", True),
        ("3+ years", "years", True),
    ]


def test_prose_job_uses_sentences_that_ask_for_something() -> None:
    text = (
        "We build tools for shops. You will have experience with Python and Django. The office is nice. "
        "A degree in CS is needed. Valid driving licence required! We pay well."
    )
    requirements = extract_requirements(text)
    assert [(r.text, r.kind, r.must) for r in requirements] == [
        ("You will have experience with Python and Django", "skill", True),
        ("A degree in CS is needed", "degree", True),
        ("Valid driving licence required!", "certification", True),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "What we offer:\n- Competitive salary\n- Remote work",
        "Acme is hiring.\nWhat we offer:\n- Competitive salary\n- Remote work",
        "Мы предлагаем:\n- Белая зарплата\n- ДМС",
        "",
        "   \n",
    ],
)
def test_no_requirements_at_all(text: str) -> None:
    assert extract_requirements(text) == []


# --- fixture jobs --------------------------------------------------------------------------------------------------


def test_strong_job(fixture_text) -> None:
    requirements = extract_requirements(fixture_text("strong_job"))
    assert requirements[0] == Requirement("Role: Python Backend Engineer", "role", True)
    for skill in ["Python", "Django", "PostgreSQL", "Docker", "Kubernetes", "AWS", "REST"]:
        requirement = find(requirements, skill)
        assert (requirement.kind, requirement.must) == ("skill", True), requirement
    for skill in ["Kafka", "Terraform", "fintech"]:
        requirement = find(requirements, skill)
        assert (requirement.kind, requirement.must) == ("skill", False), requirement
    years = [r for r in requirements if r.kind == "years"]
    assert [(r.years, r.must) for r in years] == [(5, True)]
    degrees = [r for r in requirements if r.kind == "degree"]
    assert [(r.degree_level, r.must, r.equivalent_accepted) for r in degrees] == [(2, True, False)]
    assert find(requirements, "English").must
    texts = " ".join(r.text for r in requirements).lower()
    for offered in ["salary", "health insurance", "holiday", "learning budget", "flexible schedule", "code review"]:
        assert offered not in texts
    assert not [r for r in requirements if r.kind == "location"]
    assert {r.kind for r in requirements} <= set(KINDS)


def test_ru_job(fixture_text) -> None:
    requirements = extract_requirements(fixture_text("ru_job"))
    assert requirements[0] == Requirement("Role: бухгалтер", "role", True)
    years = [r for r in requirements if r.kind == "years"]
    assert [(r.years, r.must) for r in years] == [(5, True)]
    degrees = [r for r in requirements if r.kind == "degree"]
    assert [(r.degree_level, r.must) for r in degrees] == [(2, True)]
    for must_item in ["1С:Бухгалтерия", "МСФО", "налогового законодательства", "Excel"]:
        requirement = find(requirements, must_item)
        assert (requirement.kind, requirement.must) == ("skill", True), requirement
    english = find(requirements, "Английский")
    assert (english.kind, english.must) == ("language", False)
    assert not find(requirements, "аудит").must
    assert not find(requirements, "руководства").must
    texts = " ".join(r.text for r in requirements).lower()
    for duty_or_offer in ["отчётност", "бюджетирован", "оформление", "заработная", "дмс", "график"]:
        assert duty_or_offer not in texts
    # Requirements come in the job's order.
    assert [r.text for r in requirements[1:4]] == [
        "Опыт работы бухгалтером от 5 лет",
        "Высшее экономическое или финансовое образование",
        "Уверенное владение 1С:Бухгалтерия 8.3",
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "nurse_job",
            [
                ("RN) license", "certification", True),
                ("BSN", "degree", True),
                ("2+ years", "years", True),
                ("BLS", "certification", True),
                ("ACLS", "certification", True),
                ("Epic", "skill", True),
                ("CCRN", "certification", False),
                ("Spanish", "language", False),
            ],
        ),
        (
            "accounting_job",
            [
                ("CPA", "certification", True),
                ("Bachelor's degree in Accounting", "degree", True),
                ("4+ years", "years", True),
                ("GAAP", "skill", True),
                ("NetSuite", "skill", True),
            ],
        ),
        (
            "ml_engineer_job",
            [
                ("MSc or PhD", "degree", True),
                ("3+ years", "years", True),
                ("PyTorch or TensorFlow", "skill", True),
                ("MLflow", "skill", True),
                ("Fluent English", "language", True),
                ("Spark", "skill", False),
            ],
        ),
    ],
)
def test_other_fixture_jobs(fixture_text, name: str, expected: list[tuple[str, str, bool]]) -> None:
    requirements = extract_requirements(fixture_text(name))
    for fragment, kind, must in expected:
        requirement = find(requirements, fragment)
        assert (requirement.kind, requirement.must) == (kind, must), requirement


# --- real postings: alternatives, boilerplate, headings -------------------------------------------------------------


def test_numbered_alternatives_are_one_requirement_never_a_knock_out() -> None:
    text = (
        "Project Manager\n\nMinimum Qual Requirements\n"
        "1. A baccalaureate degree and four years of experience in project management; or "
        '2. A four-year high school diploma and six years of experience as described in "1" above.'
    )
    (requirement,) = [r for r in extract_requirements(text) if r.kind != "role"]
    assert requirement.alternatives == (
        "A baccalaureate degree and four years of experience in project management",
        'A four-year high school diploma and six years of experience as described in "1" above.',
    )
    assert requirement.must and requirement.equivalent_accepted
    assert (requirement.kind, requirement.years) == ("years", 4)  # the least any alternative asks for
    assert requirement.heading == "Minimum Qual Requirements"


def test_degree_or_equivalent_experience_stays_one_requirement() -> None:
    text = f"{TITLE}\nRequirements\n- Bachelor's degree in a technical field or equivalent experience\n- SQL"
    assert items_of(text) == [("Bachelor's degree in a technical field or equivalent experience", True), ("SQL", True)]


@pytest.mark.parametrize(
    "boilerplate",
    [
        "The base salary range for this role is $95,000 - $125,000 per year, plus bonus and equity.",
        "Pay: $25/hour for licensed drivers",
        "401(k) with 4% company match",
        "Medical, dental and vision insurance from day one",
        "Acme is an equal opportunity employer and considers applicants without regard to race or disability.",
        "If you need a reasonable accommodation during the application process, please email us.",
        "To apply, send your resume and a cover letter to jobs@acme.example",
        "Заработная плата от 110 000 до 135 000 рублей на руки",
        "ДМС после испытательного срока, оформление по ТК РФ",
    ],
)
def test_pay_benefits_legal_and_apply_text_is_never_a_requirement(boilerplate: str) -> None:
    # Even inside a requirements block.
    text = f"{TITLE}\nRequirements\n- Python\n- {boilerplate}\n- SQL"
    assert items_of(text) == [("Python", True), ("SQL", True)]


@pytest.mark.parametrize(
    ("heading", "must"),
    [
        ("ON DAY ONE WE WILL EXPECT YOU TO HAVE:", True),
        ("What we need", True),
        ("Is this you?", True),
        ("You bring", True),
        ("IT WOULD BE GREAT IF YOU ALSO HAVE:", False),
        ("Кого мы ищем?", True),
    ],
)
def test_headings_of_real_postings(heading: str, must: bool) -> None:
    text = (
        f"{TITLE}\n\nAbout us\nWe build things.\n\n{heading}\nStrong SQL\nExperience with Airflow\n\n"
        "What we offer\nA nice office"
    )
    assert items_of(text) == [("Strong SQL", must), ("Experience with Airflow", must)]


def test_glued_bullets_are_separate_requirements() -> None:
    text = (
        "Support Engineer\nWhat you'll doOwn onboarding of customersWork with data teams"
        "What you'll bring3+ years in a technical roleStrong SQL and working knowledge of Python"
        "Experience with REST APIs"
        "Nice to haveExperience with SnowflakeBenefitsMedical, dental and vision insurance"
    )
    assert items_of(text) == [
        ("3+ years in a technical role", True),
        ("Strong SQL and working knowledge of Python", True),
        ("Experience with REST APIs", True),
        ("Experience with Snowflake", False),
    ]


def test_pay_sentence_is_not_a_knock_out() -> None:
    job = (
        "Delivery Driver\nRequirements\n- Valid driver's licence\n"
        "- Pay is $22/hour; licensed CDL drivers earn $26/hour\n- Clean driving record"
    )
    analysis = analyze("Jane Roe\nEXPERIENCE\nCourier, 2019 - 2024\nDriver's licence B", job)
    assert not any("$" in match.requirement.text for match in analysis.matches)
    assert not any("$" in knockout for knockout in analysis.knockouts)


def test_job_duties_are_read_apart_from_requirements() -> None:
    text = (
        "Data Engineer\nResponsibilities\n- Build data pipelines in Airflow\n- Review code\n"
        "Requirements\n- 3+ years of Python\nWhat we offer\n- Remote work"
    )
    assert job_duties(text) == ["Build data pipelines in Airflow", "Review code"]
    assert items_of(text) == [("3+ years of Python", True)]


def test_an_item_that_starts_with_navyki_is_not_the_skills_block() -> None:
    text = "Сисадмин\nТребования: Опыт работы с Linux; Навыки работы с оборудованием в серверной стойке; Знание DNS"
    assert items_of(text) == [
        ("Опыт работы с Linux", True),
        ("Навыки работы с оборудованием в серверной стойке", True),
        ("Знание DNS", True),
    ]
