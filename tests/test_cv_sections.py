"""Tests for app.analysis.cv_sections: headings, sections with evidence, fallbacks, line ownership."""

from __future__ import annotations

import pytest

from app.analysis.cv_sections import (
    CORE_SECTIONS,
    SECTION_NAMES,
    SectionHit,
    find_sections,
    heading_section,
    line_sections,
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # English, any case, optional colon
        ("EXPERIENCE", "experience"),
        ("Work Experience", "experience"),
        ("Work history:", "experience"),
        ("  Professional Experience  ", "experience"),
        ("EDUCATION", "education"),
        ("Education and training", "education"),
        ("SKILLS", "hard_skills"),
        ("Technical skills:", "hard_skills"),
        ("Skills & Tools", "hard_skills"),
        ("Summary", "summary"),
        ("ABOUT ME", "summary"),
        ("Projects", "projects"),
        ("LICENSES AND CERTIFICATIONS", "certifications"),
        ("Languages:", "languages"),
        ("Contact information", "contacts"),
        # Markdown and emphasis
        ("## Skills", "hard_skills"),
        ("# Education", "education"),
        ("**Experience**", "experience"),
        # Russian, any case
        ("Опыт работы", "experience"),
        ("ОПЫТ РАБОТЫ", "experience"),
        ("Образование", "education"),
        ("КЛЮЧЕВЫЕ НАВЫКИ", "hard_skills"),
        ("Навыки:", "hard_skills"),
        ("Личные качества", "soft_skills"),
        ("О себе", "summary"),
        ("Языки", "languages"),
        ("Контакты", "contacts"),
        ("Курсы", "certifications"),
        # hh.ru "Key: value" lines
        ("Опыт работы: 7 лет 3 месяца", "experience"),
        ("Образование: Высшее", "education"),
        ("Ключевые навыки: 1С, Excel, МСФО", "hard_skills"),
        # "<something> skills" is hard skills unless it is a soft-skills heading
        ("Clinical skills", "hard_skills"),
        ("CLINICAL SKILLS", "hard_skills"),
        ("Kitchen Skills", "hard_skills"),
        ("Soft skills", "soft_skills"),
        ("SOFT SKILLS", "soft_skills"),
        ("Interpersonal skills", "soft_skills"),
        ("Personal qualities", "soft_skills"),
        # Not headings
        ("I have strong communication skills and enjoy working with people every day.", None),
        ("Used my problem solving skills to cut costs by 20% in the first year", None),
        ("Experience with Docker and Kubernetes", None),
        ("Python, Django, Flask", None),
        ("Achievements", None),
        ("Senior Backend Developer - Tidewell Logistics, Lisbon", None),
        ("", None),
        ("   ", None),
    ],
)
def test_heading_section(line: str, expected: str | None) -> None:
    assert heading_section(line) == expected


@pytest.mark.parametrize(
    "line", ["- Excellent communication skills", "- Python skills", "* Soft skills", "1. Education", "• Languages"]
)
def test_bullet_is_not_a_heading(line: str) -> None:
    assert heading_section(line) is None


def test_bullet_does_not_create_a_skills_section() -> None:
    cv = "EXPERIENCE\nBarista - Bean There\n- Excellent communication skills\n- Trained new staff\n"
    sections = find_sections(cv)
    assert not sections["hard_skills"].present
    assert sections["soft_skills"] == SectionHit(True, "- Excellent communication skills", 3)
    assert line_sections(cv) == ["experience"] * 4


CV_WITH_HEADINGS = """\
Jane Roe
Backend developer

SUMMARY
Backend developer who likes boring, reliable systems.

EXPERIENCE
Backend Developer - Acme, Leeds
2019 - 2024
- Built REST APIs in Python

EDUCATION
BSc Computer Science - University of Leeds

SKILLS
Python, SQL, Docker

SOFT SKILLS
Clear communication

LANGUAGES
English - C1
"""


@pytest.mark.parametrize(
    ("section", "evidence", "line_number"),
    [
        ("summary", "SUMMARY Backend developer who likes boring, reliable systems.", 4),
        ("experience", "EXPERIENCE Backend Developer - Acme, Leeds", 7),
        ("education", "EDUCATION BSc Computer Science - University of Leeds", 12),
        ("hard_skills", "SKILLS Python, SQL, Docker", 15),
        ("soft_skills", "SOFT SKILLS Clear communication", 18),
        ("languages", "LANGUAGES English - C1", 21),
    ],
)
def test_find_sections_heading_evidence(section: str, evidence: str, line_number: int) -> None:
    hit = find_sections(CV_WITH_HEADINGS)[section]
    assert hit == SectionHit(True, evidence, line_number)


@pytest.mark.parametrize("section", ["projects", "certifications"])
def test_find_sections_absent(section: str) -> None:
    assert find_sections(CV_WITH_HEADINGS)[section] == SectionHit(False)


def test_year_range_is_not_a_phone_number() -> None:
    # CV_WITH_HEADINGS has no e-mail, phone or contacts heading; its only digits are "2019 - 2024".
    assert find_sections(CV_WITH_HEADINGS)["contacts"] == SectionHit(False)


def test_find_sections_reports_every_name() -> None:
    assert tuple(find_sections(CV_WITH_HEADINGS)) == SECTION_NAMES
    assert tuple(find_sections("")) == SECTION_NAMES
    assert not any(hit.present for hit in find_sections("").values())


CV_NO_EDUCATION_NO_SKILLS = """\
Tom Smith
Summary
Warehouse operative looking for a new challenge.

Work experience
Picker - BoxCo, Leeds
2021 - 2024
- Picked and packed 400 orders per shift
"""


@pytest.mark.parametrize(
    ("section", "present"),
    [
        ("summary", True),
        ("experience", True),
        ("education", False),
        ("hard_skills", False),
        ("soft_skills", False),
        ("certifications", False),
    ],
)
def test_cv_without_education_and_skills(section: str, present: bool) -> None:
    assert find_sections(CV_NO_EDUCATION_NO_SKILLS)[section].present is present


def test_missing_sections_fixture(fixture_text) -> None:
    sections = find_sections(fixture_text("missing_sections_cv"))
    assert [name for name in CORE_SECTIONS if not sections[name].present] == ["education", "hard_skills", "soft_skills"]
    for name in ("contacts", "summary", "experience"):
        assert sections[name].present, name
    for name in ("projects", "certifications", "languages"):
        assert not sections[name].present, name


def test_empty_heading_is_not_a_section() -> None:
    cv = "SKILLS\nEDUCATION\nBSc Physics - University of York\n"
    sections = find_sections(cv)
    assert not sections["hard_skills"].present
    assert sections["education"] == SectionHit(True, "EDUCATION BSc Physics - University of York", 2)


def test_heading_without_body_at_end_is_not_a_section() -> None:
    assert not find_sections("Jane Roe\nPROJECTS\n")["projects"].present


def test_key_value_line_is_its_own_evidence() -> None:
    cv = "Иванов Иван\nОпыт работы: 7 лет 3 месяца\nОбразование: Высшее\n"
    sections = find_sections(cv)
    assert sections["experience"] == SectionHit(True, "Опыт работы: 7 лет 3 месяца", 2)
    assert sections["education"] == SectionHit(True, "Образование: Высшее", 3)


def test_first_heading_wins() -> None:
    cv = "SKILLS\nPython\n\nTECHNICAL SKILLS\nSQL\n"
    assert find_sections(cv)["hard_skills"] == SectionHit(True, "SKILLS Python", 1)


def test_long_evidence_is_clipped() -> None:
    cv = "SKILLS\n" + "Python, " * 40 + "\n"
    evidence = find_sections(cv)["hard_skills"].evidence
    assert evidence is not None
    assert len(evidence) <= 160
    assert evidence.startswith("SKILLS Python, Python,")
    assert evidence.endswith("…")


@pytest.mark.parametrize(
    ("cv", "section", "evidence", "line_number"),
    [
        ("Jane Roe\nLeeds | jane.roe@mail.example\n", "contacts", "Leeds | jane.roe@mail.example", 2),
        ("Jane Roe\nPhone: +44 7700 900 614\n", "contacts", "Phone: +44 7700 900 614", 2),
        ("Barista - Bean There\nMar 2019 - Present\n", "experience", "Mar 2019 - Present", 2),
        ("Barista - Bean There\n2016 – 2018\n", "experience", "2016 – 2018", 2),
        ("Бариста\nМарт 2019 — настоящее время\n", "experience", "Март 2019 — настоящее время", 2),
        ("Бариста\nСентябрь 2017 — Февраль 2019\n", "experience", "Сентябрь 2017 — Февраль 2019", 2),
        ("Бариста\nМарт 2019 — по настоящее время\n", "experience", "Март 2019 — по настоящее время", 2),
        ("Jane Roe\nBSc Chemistry, 2015\n", "education", "BSc Chemistry, 2015", 2),
        ("Иванова\nВысшее экономическое\n", "education", "Высшее экономическое", 2),
        ("Jane Roe\nFriendly barista and a real team player.\n", "soft_skills",
         "Friendly barista and a real team player.", 2),
        ("Иванова\nКоммуникабельна и стрессоустойчива\n", "soft_skills", "Коммуникабельна и стрессоустойчива", 2),
    ],
)  # fmt: skip
def test_fallbacks_without_heading(cv: str, section: str, evidence: str, line_number: int) -> None:
    assert find_sections(cv)[section] == SectionHit(True, evidence, line_number)


@pytest.mark.parametrize(
    ("line", "is_contact"),
    [
        ("(614) 555-0142", True),
        ("+7 912 000-48-51", True),
        ("+44 7700 900 614", True),
        ("tel. 8 800 555 35 35", True),
        ("2019 - 2024", False),
        ("2016-2019", False),
        ("Jan 2019 - Dec 2024", False),
        ("2019 – 2021, 2021 – 2024", False),
    ],
)
def test_phone_fallback_is_not_fooled_by_dates(line: str, is_contact: bool) -> None:
    assert find_sections(f"Jane Roe\n{line}\n")["contacts"].present is is_contact


def test_fallbacks_do_not_invent_sections() -> None:
    sections = find_sections("Jane Roe\nI make coffee.\n")
    assert not any(hit.present for hit in sections.values())


def test_heading_beats_fallback() -> None:
    cv = "jane@mail.example\nCONTACTS\nLeeds, UK\n"
    assert find_sections(cv)["contacts"] == SectionHit(True, "CONTACTS Leeds, UK", 2)


def test_line_sections() -> None:
    cv = "Jane Roe\nEXPERIENCE\nDev - Acme\n2019 - 2024\nEducation:\nBSc Physics\nОпыт работы: 5 лет\nSKILLS\nPython"
    assert line_sections(cv) == [
        None,
        "experience",
        "experience",
        "experience",
        "education",
        "education",
        "experience",  # a "Key: value" line belongs to its own section ...
        "hard_skills",
        "hard_skills",
    ]


def test_key_value_line_does_not_change_current_section() -> None:
    owners = line_sections("EDUCATION\nBSc Physics\nОпыт работы: 5 лет\nUniversity of York")
    assert owners == ["education", "education", "experience", "education"]


def test_line_sections_has_one_entry_per_line(fixture_text) -> None:
    cv = fixture_text("strong_cv")
    owners = line_sections(cv)
    lines = cv.splitlines()
    assert len(owners) == len(lines)
    assert owners[lines.index("BSc in Computer Science - University of Coimbra")] == "education"
    assert owners[lines.index("- Mentoring junior developers")] == "soft_skills"
    assert owners[lines.index("Mar 2022 - Present")] == "experience"
