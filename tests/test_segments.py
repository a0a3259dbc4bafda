"""Tests for cutting real postings into segments and classifying them (segments, posting_*, segment_kinds)."""

from __future__ import annotations

import pytest

from app.analysis.posting_clauses import split_clauses, split_sentences
from app.analysis.posting_headings import heading_kind, leading_heading, line_heading
from app.analysis.posting_repair import repair_glue
from app.analysis.segment_kinds import classify_segment, item_must
from app.analysis.segments import segment

# --- repairing glued text ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("glued", "lines"),
    [
        # A lower-case word glued to a capitalised one: two list items.
        (
            "Own the onboarding of new customersWork hands-on with data teams",
            ["Own the onboarding of new customers", "Work hands-on with data teams"],
        ),
        # A full stop glued to the next sentence.
        ("Run live demos.Broad range of troubleshooting", ["Run live demos.", "Broad range of troubleshooting"]),
        # A capitalised word glued to an item opener ("Experience", "Strong").
        ("Working knowledge of PythonExperience with REST", ["Working knowledge of Python", "Experience with REST"]),
        # Headings glued to what follows them.
        ("What you'll bring3+ years in support", ["What you'll bring", "3+ years in support"]),
        ("BenefitsMedical insurance", ["Benefits", "Medical insurance"]),
        # Russian: semicolons and full stops glued to the next item.
        ("Опыт работы с Docker;Знание SQL", ["Опыт работы с Docker;", "Знание SQL"]),
        ("разрабатывать сервисы;проектировать API", ["разрабатывать сервисы;", "проектировать API"]),
        ("Понимание REST.Будет плюсом", ["Понимание REST.", "Будет плюсом"]),
        ("Что нужно делатьразрабатывать сервисы", ["Что нужно делать", "разрабатывать сервисы"]),
        # Inline bullets.
        ("Обязанности: * Ведение базы;* Холодные звонки", ["Обязанности:", "- Ведение базы;", "- Холодные звонки"]),
        (
            "Duties include:  -- Manage grants. -- Review budgets",
            ["Duties include:", "- Manage grants.", "- Review budgets"],
        ),
    ],
)
def test_repair_glue_breaks_lines(glued: str, lines: list[str]) -> None:
    assert [line.strip() for line in repair_glue(glued).split("\n") if line.strip()] == lines


@pytest.mark.parametrize(
    "text",
    [
        "JavaScript, TypeScript and PowerPoint",
        "Experience with PostgreSQL, GitHub and LinkedIn",
        "NLP libraries (spaCy, NLTK)",
        "ASP.Net and Node.js",
        "pgAdmin, iPhone, macOS, eBay",
        "Знание 1С:Бухгалтерия",
        "Java-Script is not a thing",
    ],
)
def test_repair_glue_keeps_names_whole(text: str) -> None:
    assert repair_glue(text) == text


# --- headings ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Requirements", "must"),
        ("Minimum Qual Requirements", "must"),
        ("What we need", "must"),
        ("You bring", "must"),
        ("Is this you?", "must"),
        ("ON DAY ONE WE WILL EXPECT YOU TO HAVE", "must"),
        ("KNOWLEDGE, SKILLS AND ABILITIES (KSAs)", "must"),
        ("Кого мы ищем?", "must"),
        ("Что мы ждем от вас", "must"),
        ("Каким мы хотим видеть потенциального коллегу", "must"),
        ("Preferred Skills", "nice"),
        ("IT WOULD BE GREAT IF YOU ALSO HAVE", "nice"),
        ("Desirable Qualifications", "nice"),
        ("Будет плюсом", "nice"),
        ("Навыки", "nice"),
        ("Responsibilities include, but are not limited to the following", "duty"),
        ("IN THIS ROLE YOU WILL GET TO", "duty"),
        ("What will you do?", "duty"),
        ("Чем предстоит заниматься", "duty"),
        ("What's in it for you?", "offer"),
        ("Why St. Agnes", "offer"),
        ("WHAT WE OFFER", "offer"),
        ("Мы предлагаем", "offer"),
        ("Условия", "offer"),
        ("Who are we?", "company"),
        ("About us", "company"),
        ("Life at Acme", "company"),
        ("ROLE PURPOSE", "duty"),
        ("Why You'll Love It Here", "offer"),
        ("Ready to Apply?", "apply"),
        ("О компании", "company"),
        ("Equal Opportunity Employer", "legal"),
        ("HOW TO APPLY", "apply"),
        ("Job Description", "other"),
        ("SPECIAL NOTES", "other"),
        ("Lead a team of associates", None),
        ("Python", None),
    ],
)
def test_heading_kind_by_words(heading: str, kind: str | None) -> None:
    assert heading_kind(heading) == kind


@pytest.mark.parametrize(
    ("line", "blank_before", "next_line", "expected"),
    [
        (
            "ON DAY ONE WE WILL EXPECT YOU TO HAVE:",
            False,
            "2+ years",
            ("ON DAY ONE WE WILL EXPECT YOU TO HAVE", "must"),
        ),
        ("Is this you?", True, "- You have", ("Is this you?", "must")),
        ("What we need", True, "- Accuracy", ("What we need", "must")),
        ("You bring", True, "Current RN license", ("You bring", "must")),
        ("**Requirements**", False, "- Python", ("Requirements", "must")),
        ("Tech Stack:", True, "React", ("Tech Stack", "other")),
        ("Hiring Process:", True, "Two calls", ("Hiring Process", "unknown")),
        # A short line is a heading by its words only when it starts like one.
        ("Strong Python skills", False, "Docker", None),
        ("Lead a team of 25-40 associates on the night shift", False, "Plan labor", None),
        ("Skills: Python, SQL", False, None, None),  # a heading with its content: leading_heading reads it
        ("- Requirements", False, None, None),
        ("JOB>>>", False, None, ("JOB>>>", "other")),
    ],
)
def test_line_heading_by_shape_and_words(
    line: str, blank_before: bool, next_line: str | None, expected: tuple[str, str] | None
) -> None:
    assert line_heading(line, blank_before=blank_before, next_line=next_line) == expected


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("Preferred Skills: The ideal candidate", ("Preferred Skills", "nice", "The ideal candidate")),
        ("Basic Requirements: Degree: Mathematics", ("Basic Requirements", "must", "Degree: Mathematics")),
        ("SPECIAL NOTE Maximum tenure is 6 years", ("SPECIAL NOTE", "other", "Maximum tenure is 6 years")),
        (
            "PART-TIME OR UNPAID EXPERIENCE: Credit will be given",
            ("PART-TIME OR UNPAID EXPERIENCE", "unknown", "Credit will be given"),
        ),
        ("Work Schedule: Full Time", ("Work Schedule", "offer", "Full Time")),
        # Content, not headings.
        ("Degree: Mathematics, statistics", None),
        ("knowledge and experience with: FMS3", None),
        ("2. GS-9: You must have completed", None),
    ],
)
def test_leading_heading(clause: str, expected: tuple[str, str, str] | None) -> None:
    assert leading_heading(clause) == expected


POLITE_RUSSIAN = "наличие опыта в продажах, однако если его нет, команда профессионалов поможет Вам его наработать"

# --- splitting run-on text -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Python. Docker.", ["Python.", "Docker."]),
        ("Based on the U.S. Office of Personnel Management.", ["Based on the U.S. Office of Personnel Management."]),
        ("A Ph.D. degree, e.g. Physics. Next one.", ["A Ph.D. degree, e.g. Physics.", "Next one."]),
        ("Офис у м. Беляево. Дружный коллектив.", ["Офис у м. Беляево.", "Дружный коллектив."]),
        (
            "A degree (such as an LL. B or J.D.) from a college. Next.",
            ["A degree (such as an LL. B or J.D.) from a college.", "Next."],
        ),
        ("experience; or 2. An associate degree", ["experience; or 2. An associate degree"]),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


@pytest.mark.parametrize(
    ("line", "clauses"),
    [
        # NYC open data: line breaks collapsed to runs of spaces, inline numbered items.
        (
            "Responsibilities include:    1.  Perform repairs.  2.  Survey conditions.",
            ["Responsibilities include:", "1.  Perform repairs.", "2.  Survey conditions."],
        ),
        # A run of spaces inside a sentence is not a break.
        ("excellent oral and written communication  skills", ["excellent oral and written communication  skills"]),
        # Semicolons cut clauses, but not inside brackets.
        ("Python; SQL (Postgres; MySQL)", ["Python;", "SQL (Postgres; MySQL)"]),
        # "... or 2. ..." and "OR B. ..." alternatives.
        ("management; or 2. An associate degree", ["management;", "or", "2. An associate degree"]),
        # A list whose line breaks were lost: capitalised item openers after a lower-case word.
        (
            "Strong management and leadership skills Experience planning projects with diverse stakeholders",
            ["Strong management and leadership skills", "Experience planning projects with diverse stakeholders"],
        ),
        # ... but not names.
        (
            "Excellent knowledge of Microsoft Excel and Oracle CRM On Demand for reporting",
            ["Excellent knowledge of Microsoft Excel and Oracle CRM On Demand for reporting"],
        ),
        # hh.ru: Russian phrases joined by single spaces, the polite "Вам" is not a phrase start.
        (
            "Поиск и привлечение новых клиентов Работа с существующей базой клиентов Прием и обработка входящих заявок",
            [
                "Поиск и привлечение новых клиентов",
                "Работа с существующей базой клиентов",
                "Прием и обработка входящих заявок",
            ],
        ),
        (POLITE_RUSSIAN, [POLITE_RUSSIAN]),
    ],
)
def test_split_clauses(line: str, clauses: list[str]) -> None:
    assert split_clauses(line) == clauses


# --- classifying segments ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "section", "kind"),
    [
        # Requirements under a requirements heading, with or without cue words.
        ("3+ years of SQL", "must", "requirement"),
        ("Python", "must", "requirement"),
        ("Исполнительность", "nice", "requirement"),
        ("Generates and manages datasets using SQL", "nice", "requirement"),
        ("You know ADP Workforce Now inside out", "must", "requirement"),
        # Requirements found by their own words outside any requirements heading.
        ("Candidates selected must be available to work weekends.", "other", "requirement"),
        ("OPEN TO PERMANENT PROCUREMENT ANALYSTS ONLY.", "other", "requirement"),
        ("You will have experience with Python and Django.", None, "requirement"),
        ("Опыт работы от 3 лет", None, "requirement"),
        # Pay and benefits: never requirements, whatever the heading.
        ("The base salary range for this role is $95,000 - $125,000 per year.", "must", "offer"),
        ("401(k) with company match", "must", "offer"),
        ("Medical, dental and vision insurance from day one", "nice", "offer"),
        ("Pay range $38.50 - $52.75 per hour based on experience", None, "offer"),
        ("ДМС после испытательного срока", "must", "offer"),
        ("Официальное оформление по ТК РФ", "must", "offer"),
        ("Заработная плата от 110 000 до 135 000 рублей", None, "offer"),
        # ... but money that is not pay is fine.
        ("Supervising a construction project with a value of $1,000,000 or more", "must", "requirement"),
        ("Уверенное знание 1С:Зарплата и управление персоналом", "must", "requirement"),
        # Equal opportunity, accommodation, E-Verify.
        ("Acme is an equal opportunity employer.", "must", "legal"),
        ("We do not discriminate on the basis of race, religion, color, national origin.", None, "legal"),
        ("If you need a reasonable accommodation, email us.", "must", "legal"),
        ("This employer participates in E-Verify.", None, "legal"),
        ("Knowledge of safety, personnel management, and EEO regulations.", "must", "requirement"),
        # Application instructions.
        ("To apply, send your resume to jobs@example.com", "must", "apply"),
        ('Click "Apply" and upload your resume.', None, "apply"),
        ("All applicants must submit a resume NOT TO EXCEED two pages.", "must", "apply"),
        ("Откликайтесь на вакансию и прикладывайте резюме", "must", "apply"),
        ("Please limit your resume to 2 pages.", "must", "apply"),
        ("Do not copy and paste the duties from this announcement into your resume.", "must", "apply"),
        ("Your resume must describe one year of experience in data modeling.", "must", "requirement"),
        # ... but "apply" as a skill is a requirement.
        ("Ability to analyze, interpret, and apply data science rules", "must", "requirement"),
        ("Your resume must also demonstrate one year of specialized experience", "must", "requirement"),
        # Company text and recruiting agencies.
        ("Harbor Staffing has placed finance professionals since 1998.", None, "company"),
        ("Our client, a manufacturer of medical devices, is looking for a Payroll Specialist.", None, "company"),
        ("NorthPoint Logistics has been moving freight for over 40 years.", None, "company"),
        ("Группа компаний работает на рынке с 2003 года.", None, "company"),
        # Duties.
        ("Develop and maintain web applications", None, "duty"),
        ("Performs minor phases of a larger assignment", "duty", "duty"),
        ("разрабатывать и поддерживать сервисы", None, "duty"),
        ("Obtain all required external approvals", "duty", "duty"),
        # Notes on how experience is credited.
        ("Credit will be given for appropriate unpaid work.", "must", "other"),
        ("Education may be substituted for experience on a year-for-year basis.", "must", "other"),
        ("This is a GG-14 position in the Defense Civilian Intelligence Personnel System.", "must", "other"),
        ("This position has an Individual Occupation Requirement (IOR).", "must", "other"),
        ("This position requires one year of specialized experience.", "must", "requirement"),
        ("In addition to meeting the IOR above, you must meet the experience as described below:", "must", "other"),
        ("Qualification claims will be subject to verification.", "must", "other"),
    ],
)
def test_classify_segment(text: str, section: str | None, kind: str) -> None:
    assert classify_segment(text, section)[0] == kind  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "section", "must"),
    [
        ("Python", "must", True),
        ("Python", "nice", False),
        ("Python", None, True),
        ("Experience with Snowflake is a plus", "must", False),
        ("Ideally some Scala", "must", False),
        ("CPP certification is a plus", "must", False),
        ("Registration as a Professional Engineer is highly desirable.", "must", False),
        ("Oracle CRM preferred but not required", "must", False),
        ("желательно знание Go", "must", False),
        ("Знание amoCRM (желательно)", "must", False),
        ("Наличие группы допуска не ниже 3 (желательно, проводится обучение)", "must", False),
        ("Опыт в сфере обслуживания приветствуется, но не обязателен", "must", False),
        ("Знание 1С будет Вашим преимуществом", "must", False),
        # A bracket that names one preferred option leaves the requirement a must.
        ("Basic understanding of backend development (Node.js preferred)", "must", True),
        ("Experience with cloud platforms (AWS preferred)", "must", True),
        # Required wording under a "Preferred" heading is a must.
        ("Experience in capacity monitoring required.", "nice", True),
        ("Опыт работы в оптовых продажах ОБЯЗАТЕЛЕН", "nice", True),
    ],
)
def test_item_must(text: str, section: str | None, must: bool) -> None:
    assert item_must(text, section) is must


# --- whole postings ------------------------------------------------------------------------------------------------


def kinds(text: str) -> list[tuple[str, str]]:
    return [(found.kind, found.text) for found in segment(text)]


def test_numbered_alternatives_are_one_segment() -> None:
    text = (
        "Clerk\n\nMinimum Qual Requirements\n"
        '1. Three years of experience as a mechanic; or 2. A combination of education and experience equivalent to "1" '
        "above. Education may be substituted for experience at the rate of 30 credits for 6 months. However, all "
        'candidates must have two years of experience as described in "1" above.'
    )
    requirements = [found for found in segment(text) if found.kind == "requirement"]
    assert [len(found.alternatives) for found in requirements] == [2, 0]
    assert requirements[0].alternatives == (
        "Three years of experience as a mechanic",
        'A combination of education and experience equivalent to "1" above.',
    )
    assert requirements[1].text.startswith("However, all candidates must have two years")


def test_one_of_the_following_opens_alternatives_with_sub_items() -> None:
    text = (
        "Analyst\n\nQualifications\nYou may qualify if you meet one of the following: 1. GS-7: You must have a "
        "bachelor's degree: a) GPA 2.95 or higher. 2. GS-9: You must have a master's degree: a) GPA 3.0 or higher. "
        "KSAs: 1. Knowledge of statistics. 2. Ability to plan work."
    )
    found = segment(text)
    lead_in = [s for s in found if s.text.startswith("You may qualify")]
    assert [s.kind for s in lead_in] == ["other"]
    groups = [s for s in found if s.alternatives]
    assert len(groups) == 1 and len(groups[0].alternatives) == 2
    assert "GPA 2.95" in groups[0].alternatives[0] and "GPA 3.0" in groups[0].alternatives[1]
    # Numbered items not joined by "or" stay separate requirements.
    assert [s.text for s in found if s.heading == "KSAs" and s.kind == "requirement"] == [
        "Knowledge of statistics.",
        "Ability to plan work.",
    ]


def test_or_alternative_under_the_next_heading_still_joins() -> None:
    text = (
        "Painter\n\nMinimum Qual Requirements\n1. Five years of experience as a painter\n\n"
        "Preferred Skills\nor 2. Three years as a painter and two years as an apprentice."
    )
    (requirement,) = [s for s in segment(text) if s.kind == "requirement"]
    assert len(requirement.alternatives) == 2 and requirement.must


def test_run_on_usajobs_qualifications_are_split_and_classified() -> None:
    text = (
        "Data Scientist\n\nQualifications\nAll applicants must submit a resume NOT TO EXCEED two pages. Basic "
        "Requirements: Degree: Mathematics, statistics or computer science. Specialized experience is defined as: "
        "Generating datasets using SQL and R. Experience refers to paid and unpaid experience, including volunteer "
        "work. Physical Requirements: The work is primarily sedentary and does not require special physical effort. "
        "For more information, please visit https://www.opm.gov."
    )
    assert [(kind, text) for kind, text in kinds(text) if kind == "requirement"] == [
        ("requirement", "Degree: Mathematics, statistics or computer science."),
        ("requirement", "Generating datasets using SQL and R."),
    ]


def test_lettered_alternatives_with_a_note_between() -> None:
    text = (
        "Data Scientist\n\nQualifications\nApplicants must have ONE of the following: (a.) A degree in statistics. "
        "NOTE: Transcripts are required to substantiate claimed education. OR (b.) A combination of education and "
        "experience: 30 semester hours in statistics."
    )
    found = segment(text)
    (group,) = [s for s in found if s.alternatives]
    assert group.kind == "requirement" and group.must
    assert group.alternatives[0].startswith("A degree in statistics")
    assert group.alternatives[-1].startswith("A combination of education and experience")
    assert [s.kind for s in found if "Transcripts" in s.text] == ["apply"]


def test_a_label_after_a_colon_starts_a_clause() -> None:
    text = (
        "Analyst\n\nQualifications\nYou must also possess one of the following for the job series: Degree: "
        "Mathematics or statistics. OR Combination of education and experience: 30 semester hours."
    )
    found = segment(text)
    assert [s.kind for s in found if s.text.startswith("You must also possess")] == ["other"]
    (group,) = [s for s in found if s.alternatives]
    assert group.alternatives == (
        "Degree: Mathematics or statistics.",
        "Combination of education and experience: 30 semester hours.",
    )
