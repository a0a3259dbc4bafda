"""The advice plan: what the person should do, derived from the findings alone (pure, no model).

The plan is the grounded core of the advice. Every action answers a finding of
the analysis (a requirement, a CV section, a line of the CV) and is worded by
us, in the CV's language, so it holds whatever model writes the prose around
it. It lives in the analysis layer because it needs nothing but an Analysis
and the CV's text; the llm package turns it into a prompt and checks the
model's prose against it.

Sections follow the advice's headings: match, experience, education,
hard_skills, soft_skills, missing_sections, next_steps. Kinds of action:
  verdict        the verdict and score, as the analysis found them (match);
  not_a_fit      said plainly: the largest gaps and a rough learning path (match);
  learn          a missing requirement: learn it, then a concrete way to show
                 it (a project, a course, a certificate); never "add it";
  make_explicit  a partial match: quote the CV line, name the job's own term;
  keep           a met must-have: keep its evidence visible;
  add_outcome    an experience line with no result: add the result, with a
                 [placeholder] the person fills in, never a number of ours;
  fill_section   a missing core section: what to put in it, from the CV's facts;
  next_step      three concrete next actions, the most important first.
Priority (1 first): 1 the verdict and missing must-haves; 2 partial must-haves;
3 missing nice-to-haves, missing sections and the not-a-fit path; 4 partial
nice-to-haves and outcomes; 5 what to keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.analysis.cv_sections import line_sections
from app.analysis.job_requirements import ROLE_PREFIX
from app.analysis.scoring import Analysis, RequirementMatch
from app.analysis.textproc import Language, content_stems, raw_tokens, stem

PLAN_SECTIONS: tuple[str, ...] = (
    "match",
    "experience",
    "education",
    "hard_skills",
    "soft_skills",
    "missing_sections",
    "next_steps",
)
SECTION_HEADINGS: dict[Language, dict[str, str]] = {
    "en": {
        "match": "Match",
        "experience": "Experience",
        "education": "Education",
        "hard_skills": "Hard skills",
        "soft_skills": "Soft skills",
        "missing_sections": "Missing sections",
        "next_steps": "Next steps",
    },
    "ru": {
        "match": "Соответствие",
        "experience": "Опыт работы",
        "education": "Образование",
        "hard_skills": "Профессиональные навыки",
        "soft_skills": "Личные качества",
        "missing_sections": "Недостающие разделы",
        "next_steps": "Следующие шаги",
    },
}
# Most "keep" actions per section: they are reminders, the gaps come first.
_KEEP_PER_SECTION = 2
_OUTCOME_LINES = 2
_QUOTE_LIMIT = 120


@dataclass(frozen=True)
class PlanAction:
    """One thing to do, answering one finding."""

    section: str  # one of PLAN_SECTIONS
    kind: str  # see the module docstring
    action: str  # plain sentences, in the CV's language, written by us
    requirement: str | None = None  # the job's requirement (or the missing section) it answers
    evidence: str | None = None  # the CV line it quotes
    priority: int = 3  # 1 first
    # The words that show the advice covers this action (the job's own terms, the section's name).
    terms: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "kind": self.kind,
            "action": self.action,
            "requirement": self.requirement,
            "evidence": self.evidence,
            "priority": self.priority,
        }


@dataclass(frozen=True)
class Plan:
    language: Language
    verdict: str
    score: int
    actions: tuple[PlanAction, ...]

    def for_section(self, section: str) -> list[PlanAction]:
        return [action for action in self.actions if action.section == section]

    def heading(self, section: str) -> str:
        number = PLAN_SECTIONS.index(section) + 1
        return f"{number}. {SECTION_HEADINGS[self.language][section]}:"

    def section_text(self, section: str) -> str:
        """The section's actions as plain sentences: the advice when the model's text fails its checks."""
        return " ".join(action.action for action in self.for_section(section))

    def to_list(self) -> list[dict[str, Any]]:
        return [action.to_dict() for action in self.actions]

    def to_markdown(self) -> str:
        """A checklist, by section."""
        lines: list[str] = []
        for section in PLAN_SECTIONS:
            actions = self.for_section(section)
            if not actions:
                continue
            lines.append(f"**{self.heading(section).rstrip(':')}**")
            lines += [f"- [ ] {action.action}" for action in actions]
            lines.append("")
        return "\n".join(lines).rstrip()


def build_plan(analysis: Analysis, cv_text: str) -> Plan:
    """The ordered advice plan for this analysis (pure: the same findings give the same plan)."""
    words = _WORDS[analysis.language if analysis.language in _WORDS else "en"]
    # Lines addressed to a model are evidence of nothing: the plan never quotes them.
    injected = {finding.line_number for finding in analysis.injections if finding.document == "CV"}
    if injected:
        lines = cv_text.splitlines()
        cv_text = "\n".join("" if number in injected else line for number, line in enumerate(lines, start=1))
    builder = _Builder(analysis, cv_text, words)
    actions = builder.build()
    order = {name: index for index, name in enumerate(PLAN_SECTIONS)}
    actions.sort(key=lambda action: (order[action.section], action.priority))
    return Plan(analysis.language, analysis.verdict, analysis.score, tuple(actions))


# --- which section a requirement belongs to -----------------------------------------------

_SOFT_SKILL = re.compile(
    r"communicat|\bteams?\b|team ?work|collaborat|eager|willing|curio|motivat|learn and grow|interpersonal|"
    r"leadership|problem[- ]solving|"
    r"attention to detail|detail[- ]oriented|organi[sz](?:ed|ational)|adaptab|flexib|proactiv|initiative|"
    r"self[- ]motivat|ownership|empath|creativ|time management|customer[- ]focus|negotiat|presentation skills|"
    r"work independently|independent|responsib(?:le|ility)\b|reliab|punctual|stress|"
    r"коммуникаб|общени|командн|в команде|ответствен|внимательн|стрессоуст|обучаем|инициатив|пунктуальн|"
    r"исполнительн|организованн|самостоятельн|лидерск|вежлив|доброжелат|грамотн\w* речь|переговор|"
    r"аккуратн|клиентоориент|многозадачн",
    re.IGNORECASE,
)
_SOFT_CV_LINE = _SOFT_SKILL


def requirement_section(match: RequirementMatch) -> str:
    kind = match.requirement.kind
    if kind in ("years", "role"):
        return "experience"
    if kind in ("degree", "certification"):
        return "education"
    if kind == "skill" and _SOFT_SKILL.search(match.requirement.text):
        return "soft_skills"
    return "hard_skills"


# --- wording -----------------------------------------------------------------------------

_WORDS: dict[Language, dict[str, str]] = {
    "en": {
        "verdict_strong_fit": "Your CV is a strong fit for this job (score {score}/100): it shows {met} of {musts} "
        "must-haves.",
        "verdict_partial_fit": "Your CV is a partial fit for this job (score {score}/100): it shows {met} of {musts} "
        "must-haves fully.",
        "verdict_not_a_fit": "Your CV is not a fit for this job (score {score}/100): it shows {met} of {musts} "
        "must-haves.",
        "verdict_no_musts": "Your CV is {phrase} for this job (score {score}/100).",
        "not_a_fit": "Be clear with yourself: this job needs what your CV does not show, above all {gaps}. "
        "A rough learning path: {path}; that is months of study and practice, not days.",
        "path_skill": "learn {term} through a course and a small project of your own",
        "path_years": "build real work experience in {term}",
        "path_degree": "a degree or an accredited programme in {term}",
        "path_certification": "prepare for and pass {term}",
        "path_language": "a course and a recognised test of {term}",
        "path_role": "work towards the role of {term} step by step",
        "learn_skill": 'Learn {term}: the job asks for "{req}" and your CV does not show it. Once you have used it, '
        "show it with a small project (on GitHub or in a Projects section) or a course certificate.",
        "learn_years": 'The job asks for "{req}" and your CV shows {have}. Gain that experience in real work: '
        "take on such tasks in your current role, in freelance or in volunteer work; count only what you did.",
        "learn_years_field": 'The job asks for "{req}"; your CV shows {have} of work, but not in {term}. Gain '
        "experience in {term} in real work: in your current role, in freelance or in volunteer work.",
        "learn_degree": 'The job asks for "{req}" and your CV shows no such degree. If you want this kind of job, '
        "look at an accredited degree or programme; until then, apply where equivalent experience is accepted.",
        "learn_certification": 'Get the certification the job asks for ("{req}"): prepare for the exam and take it; '
        "once you hold it, give it with its date in a Certifications section.",
        "learn_language": 'The job asks for "{req}" and your CV does not show it. Take a course and a recognised '
        "language test; once you have the level, state it in a Languages section.",
        "learn_role": 'The job is for "{req}" and your CV shows other roles. Learn what that role does that yours '
        "did not, and explain in your summary how your experience leads to it; never rename past job titles.",
        "learn_soft": 'The job asks for "{req}" and your CV does not show it. If you have it, show it with a real '
        "example from your work or studies; if not, build it through team projects or volunteering first.",
        "learn_nice": 'Nice to have: "{req}". Learning it would help; once you have used it in a project, show '
        "that project.",
        "partial": 'Make "{req}" explicit: your CV shows part of it ("{evidence}"). Where it is true, use the '
        "job's own words ({terms}) in that line and say what you did with it.",
        "partial_years": 'The job asks for "{req}" and your CV shows {have}. Give every relevant job its dates and '
        'say plainly what you did in {terms}, as in "{evidence}".',
        "partial_degree": 'The job asks for "{req}"; your CV shows "{evidence}". Say how your degree relates to the '
        "field the job names, and list the relevant courses you took.",
        "keep": 'Keep "{req}" easy to find: your CV shows it ("{evidence}").',
        "outcome": 'Add the result to this line of your experience: "{evidence}". Say what changed because of it, '
        'e.g. "..., which [improved what] by [number] [unit]", with the true figure in place of [number].',
        "experience_fallback": "Put your most relevant work first, with dates, and give each job two or three results.",
        "education_none_asked": "The job asks for no particular degree; keep your education section short and factual.",
        "education_shown": 'Your education ("{evidence}") is there; keep it with the institution and years.',
        "soft_none_asked": "The job names no soft skills; show yours through examples in your experience, "
        'such as "{evidence}".',
        "soft_none_asked_plain": "The job names no soft skills; show yours through examples in your experience "
        "rather than a list of adjectives.",
        "fill_experience": "Add a Work experience section: each job with its title, employer, dates and two or "
        "three results.",
        "fill_experience_facts": "Add a Work experience section: each job with its title, employer, dates and two "
        'or three results; start from what your CV already says, such as "{evidence}".',
        "fill_education": "Add an Education section: your degree or courses, the institution and the years.",
        "fill_education_facts": 'Add an Education section, starting from what your CV already says: "{evidence}".',
        "fill_hard_skills": "Add a Skills section that lists the skills your CV already shows: {terms}.",
        "fill_hard_skills_plain": "Add a Skills section that lists the tools and skills you really use at work.",
        "skills_keep_plain": "Keep your skills list to the tools you really use, the ones this job names first.",
        "fill_soft_skills": "Add a Soft skills section with two or three qualities your experience shows, each "
        'with an example, such as "{evidence}".',
        "fill_soft_skills_plain": "Add a Soft skills section with two or three qualities your experience shows, "
        "each backed by an example from your work.",
        "no_missing_sections": "Your CV has all four core sections (experience, education, hard skills, soft "
        "skills); keep them in that order.",
        "step_learn": "Start learning {term} now, with a course and a small project.",
        "step_partial": 'Rewrite the line "{evidence}" in the job\'s words ({terms}), where true.',
        "step_outcome": "Add the results (the true figures) to your experience lines.",
        "step_section": "Add the missing {section} section.",
        "step_tailor": "Open your CV with a two-line summary aimed at this job, using the job's own terms.",
        "step_apply": "Apply, and prepare one example from your CV for each must-have the job lists.",
        "step_learn_nice": "Learn {term} to stand out from other candidates.",
        "years_none": "no dated work experience",
        "years_some": "about {years:g} years",
        "section_experience": "work experience",
        "section_education": "education",
        "section_hard_skills": "skills",
        "section_soft_skills": "soft skills",
        "and": "and",
    },
    "ru": {
        "verdict_strong_fit": "Ваше резюме хорошо подходит к этой вакансии (оценка {score}/100): в нём видно {met} "
        "из {musts} обязательных требований.",
        "verdict_partial_fit": "Ваше резюме частично подходит к этой вакансии (оценка {score}/100): полностью "
        "видно {met} из {musts} обязательных требований.",
        "verdict_not_a_fit": "Ваше резюме не подходит к этой вакансии (оценка {score}/100): в нём видно {met} из "
        "{musts} обязательных требований.",
        "verdict_no_musts": "Ваше резюме {phrase} этой вакансии (оценка {score}/100).",
        "not_a_fit": "Скажем прямо: вакансии нужно то, чего в резюме нет, прежде всего {gaps}. Примерный путь: "
        "{path}; это месяцы учёбы и практики, а не дни.",
        "path_skill": "{term} — курс и небольшой собственный проект",
        "path_years": "{term} — реальный опыт работы",
        "path_degree": "{term} — аккредитованная программа",
        "path_certification": "{term} — подготовка и экзамен",
        "path_language": "{term} — курс и признанный тест",
        "path_role": "{term} — шаг за шагом, через смежные задачи",
        "learn_skill": "Освойте {term}: вакансия этого требует, а в резюме этого нет. Когда вы примените это на "
        "практике, покажите это небольшим проектом (на GitHub или в разделе «Проекты») или сертификатом курса.",
        "learn_years": "Вакансия требует «{req}», а в резюме {have}. Наберите этот опыт в реальной работе: "
        "в текущей роли, во фрилансе или волонтёрстве; указывайте только то, что делали.",
        "learn_years_field": "Вакансия требует «{req}»; в резюме {have}, но не в этой области. Наберите опыт "
        "именно в ней: в текущей роли, во фрилансе или волонтёрстве.",
        "learn_degree": "Вакансия требует «{req}», а в резюме такого образования нет. Если вам нужна такая работа, "
        "рассмотрите аккредитованную программу; пока — откликайтесь туда, где принимают равноценный опыт.",
        "learn_certification": "Получите сертификат, который требует вакансия («{req}»): подготовьтесь и сдайте "
        "экзамен; когда он будет у вас, укажите его с датой в разделе «Сертификаты».",
        "learn_language": "Вакансия требует «{req}», а в резюме этого нет. Пройдите курс и признанный языковой тест; "
        "когда достигнете уровня, укажите его в разделе «Языки».",
        "learn_role": "Вакансия на роль «{req}», а в резюме другие роли. Изучите, что делает такая роль, и объясните "
        "в разделе «О себе», как ваш опыт ведёт к ней; не переименовывайте прошлые должности.",
        "learn_soft": "Вакансия требует «{req}», а в резюме этого не видно. Если это качество у вас есть, покажите "
        "его на реальном примере из работы или учёбы; если нет — развивайте его в командных проектах или "
        "волонтёрстве.",
        "learn_nice": "Будет плюсом: «{req}». Это стоит изучить; когда примените это в проекте, покажите этот проект.",
        "partial": "Покажите явно «{req}»: в резюме это видно лишь отчасти («{evidence}»). Если это правда, "
        "используйте в этой строке слова вакансии ({terms}) и напишите, что именно вы делали.",
        "partial_years": "Вакансия требует «{req}», а в резюме {have}. Укажите даты каждой подходящей работы и "
        "прямо напишите, что вы делали ({terms}), как в строке «{evidence}».",
        "partial_degree": "Вакансия требует «{req}»; в резюме: «{evidence}». Объясните, как ваше образование "
        "связано с областью вакансии, и перечислите подходящие курсы, которые вы прошли.",
        "keep": "Оставьте на виду «{req}»: в резюме это есть («{evidence}»).",
        "outcome": "Добавьте результат к этой строке опыта: «{evidence}». Напишите, что изменилось благодаря "
        "этому, например «..., что [улучшило что] на [число] [единиц]», подставив вместо [число] настоящую цифру.",
        "experience_fallback": "Поставьте самый подходящий опыт первым, с датами, и для каждой работы укажите два-три "
        "результата.",
        "education_none_asked": "Вакансия не требует определённого образования; оставьте раздел кратким и точным.",
        "education_shown": "Образование («{evidence}») указано; оставьте учебное заведение и годы.",
        "soft_none_asked": "Вакансия не называет личных качеств; покажите свои на примерах из опыта, как в строке "
        "«{evidence}».",
        "soft_none_asked_plain": "Вакансия не называет личных качеств; покажите свои на примерах из опыта, а не "
        "списком прилагательных.",
        "fill_experience": "Добавьте раздел «Опыт работы»: для каждой работы должность, работодатель, даты и два-три "
        "результата.",
        "fill_experience_facts": "Добавьте раздел «Опыт работы»: для каждой работы должность, работодатель, даты и "
        "два-три результата; начните с того, что уже есть в резюме, например «{evidence}».",
        "fill_education": "Добавьте раздел «Образование»: диплом или курсы, учебное заведение и годы.",
        "fill_education_facts": "Добавьте раздел «Образование», начав с того, что уже есть в резюме: «{evidence}».",
        "fill_hard_skills": "Добавьте раздел «Навыки» с навыками, которые уже видны в резюме: {terms}.",
        "fill_hard_skills_plain": "Добавьте раздел «Навыки» с инструментами и навыками, которыми вы реально "
        "пользуетесь.",
        "skills_keep_plain": "Оставьте в списке навыков то, чем вы реально пользуетесь, начиная с того, что "
        "называет вакансия.",
        "fill_soft_skills": "Добавьте раздел «Личные качества»: два-три качества, которые видны из опыта, каждое с "
        "примером, как «{evidence}».",
        "fill_soft_skills_plain": "Добавьте раздел «Личные качества»: два-три качества, которые видны из опыта, "
        "каждое с примером из работы.",
        "no_missing_sections": "В резюме есть все четыре основных раздела (опыт, образование, профессиональные "
        "навыки, личные качества); сохраните их.",
        "step_learn": "Начните осваивать уже сейчас {term}: курс и небольшой проект.",
        "step_partial": "Перепишите строку «{evidence}» словами вакансии ({terms}), если это правда.",
        "step_outcome": "Добавьте к строкам опыта результаты (настоящие цифры).",
        "step_section": "Добавьте недостающий раздел «{section}».",
        "step_tailor": "Начните резюме с короткого описания под эту вакансию, её же словами.",
        "step_apply": "Откликнитесь и подготовьте по примеру из резюме на каждое обязательное требование.",
        "step_learn_nice": "Чтобы выделиться среди кандидатов, изучите: {term}.",
        "years_none": "нет опыта работы с датами",
        "years_some": "около {years:g} лет опыта",
        "section_experience": "Опыт работы",
        "section_education": "Образование",
        "section_hard_skills": "Навыки",
        "section_soft_skills": "Личные качества",
        "and": "и",
    },
}

_VERDICT_PHRASE = {
    "en": {"strong_fit": "a strong fit", "partial_fit": "a partial fit", "not_a_fit": "not a fit"},
    "ru": {"strong_fit": "хорошо подходит к", "partial_fit": "частично подходит к", "not_a_fit": "не подходит к"},
}

# An experience line that already states a result: a figure, or a word of change.
_HAS_OUTCOME = re.compile(
    r"\d|increas|reduc|improv|grew|grow|cut|sav|rais|boost|decreas|achiev|won|award|top\b|"
    r"увелич|сократ|сниз|повыс|улучш|выросл|рост|сэконом|добил|достиг",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•●▪◦‣·–—]|\d{1,2}[.)])\s+")
_DATE_LIKE = re.compile(r"\b(?:19|20)\d\d\b|present|настоящее время|по н\.?в", re.IGNORECASE)


class _Builder:
    def __init__(self, analysis: Analysis, cv_text: str, words: dict[str, str]) -> None:
        self.analysis = analysis
        self.cv_text = cv_text
        self.w = words
        self.language: Language = analysis.language if analysis.language in _WORDS else "en"
        self.matches = [m for m in analysis.matches if m.requirement.kind != "location"]

    def build(self) -> list[PlanAction]:
        actions = self.match_actions()
        actions += self.requirement_actions()
        actions += self.outcome_actions()
        actions += self.section_fallbacks(actions)
        actions += self.missing_section_actions()
        actions += self.next_steps(actions)
        return actions

    # --- match ---------------------------------------------------------------------------

    def match_actions(self) -> list[PlanAction]:
        analysis = self.analysis
        musts = [m for m in self.matches if m.requirement.must]
        met = sum(m.status == "met" for m in musts)
        if musts:
            text = self.w[f"verdict_{analysis.verdict}"].format(score=analysis.score, met=met, musts=len(musts))
        else:
            phrase = _VERDICT_PHRASE[self.language][analysis.verdict]
            text = self.w["verdict_no_musts"].format(phrase=phrase, score=analysis.score)
        actions = [
            PlanAction("match", "verdict", text, priority=1, terms=(str(analysis.score),)),
        ]
        if analysis.verdict == "not_a_fit":
            gaps = self.largest_gaps()
            if gaps:
                terms = [self.term(gap) for gap in gaps]
                path = "; ".join(
                    self.w[f"path_{self.kind_key(gap)}"].format(term=term)
                    for gap, term in zip(gaps, terms, strict=True)
                )
                text = self.w["not_a_fit"].format(gaps=self.join(terms), path=path)
                actions.append(
                    PlanAction(
                        "match",
                        "not_a_fit",
                        text,
                        requirement="; ".join(gap.requirement.text for gap in gaps),
                        priority=1,
                        terms=tuple(terms),
                    )
                )
        return actions

    def largest_gaps(self) -> list[RequirementMatch]:
        """The two or three biggest gaps: knock-outs, then missing must-haves, then partial ones."""

        def rank(match: RequirementMatch) -> tuple[int, int]:
            role = match.requirement.kind == "role"
            group = 0 if match.knocks_out else 2 if role else 1 if match.status == "missing" else 3
            return (group, self.matches.index(match))

        gaps = [m for m in self.matches if m.requirement.must and m.status != "met"]
        return sorted(gaps, key=rank)[:3]

    # --- requirements --------------------------------------------------------------------

    def requirement_actions(self) -> list[PlanAction]:
        actions: list[PlanAction] = []
        kept: dict[str, int] = {}
        for match in self.matches:
            requirement = match.requirement
            section = requirement_section(match)
            req = _clip(requirement.text.removeprefix(ROLE_PREFIX))
            evidence = _clip(match.evidence) if match.evidence else None
            term = self.term(match)
            terms = self.check_terms(match)
            if match.status == "missing":
                if section == "soft_skills":
                    # A quality is shown by an example, not learnt on a course.
                    text = self.w["learn_soft"].format(req=req, term=term)
                    priority = 1 if requirement.must else 3
                elif requirement.must:
                    key = f"learn_{self.kind_key(match)}"
                    if (
                        key == "learn_years"
                        and self.analysis.cv_years
                        and self.analysis.cv_years >= (requirement.years or 0)
                    ):
                        key = "learn_years_field"  # enough years, in another field
                    text = self.w[key].format(req=req, term=term, have=self.have_years())
                    priority = 1
                else:
                    text = self.w["learn_nice"].format(req=req, term=term)
                    priority = 3
                actions.append(PlanAction(section, "learn", text, requirement.text, None, priority, terms))
            elif match.status == "partial":
                named = self.display_terms(requirement.text, match.missing_terms) or term
                if requirement.kind == "years":
                    evidence = self.evidence_line(match)
                    text = self.w["partial_years"].format(
                        req=req, have=self.have_years(), terms=named, evidence=evidence
                    )
                elif requirement.kind == "degree":
                    text = self.w["partial_degree"].format(req=req, evidence=evidence or "")
                else:
                    text = self.w["partial"].format(req=req, evidence=evidence or "", terms=named)
                priority = 2 if requirement.must else 4
                actions.append(PlanAction(section, "make_explicit", text, requirement.text, evidence, priority, terms))
            elif requirement.must and evidence and kept.get(section, 0) < _KEEP_PER_SECTION:
                kept[section] = kept.get(section, 0) + 1
                evidence = self.evidence_line(match) if requirement.kind == "years" else evidence
                text = self.w["keep"].format(req=req, evidence=evidence)
                actions.append(PlanAction(section, "keep", text, requirement.text, evidence, 5, terms))
        return actions

    def have_years(self) -> str:
        years = self.analysis.cv_years
        return self.w["years_none"] if years is None else self.w["years_some"].format(years=years)

    def evidence_line(self, match: RequirementMatch) -> str:
        # Years evidence reads "3.8 years of experience; <CV line>": quote the CV line only.
        evidence = match.evidence or ""
        if match.requirement.kind == "years" and "; " in evidence:
            evidence = evidence.split("; ", 1)[1]
        return _clip(evidence)

    # --- experience lines without a result --------------------------------------------

    def outcome_actions(self) -> list[PlanAction]:
        lines = self.cv_text.splitlines()
        owners = line_sections(self.cv_text)
        job_stems = {s for m in self.matches for s in (*m.matched_terms, *m.missing_terms)}
        candidates: list[tuple[int, int, str]] = []
        for index, (line, owner) in enumerate(zip(lines, owners, strict=True)):
            if owner != "experience":
                continue
            text = _BULLET.sub("", line).strip()
            if len(text.split()) < 5 or _HAS_OUTCOME.search(text) or _DATE_LIKE.search(text):
                continue
            if not (_BULLET.match(line) or text.endswith(".")):
                continue
            relevance = len({stem(token) for token in raw_tokens(text)} & job_stems)
            candidates.append((-relevance, index, text))
        chosen = sorted(candidates)[:_OUTCOME_LINES]
        return [
            PlanAction(
                "experience",
                "add_outcome",
                self.w["outcome"].format(evidence=_clip(text)),
                None,
                _clip(text),
                4,
                tuple(_distinctive_words(text)[:2]),
            )
            for _, _, text in sorted(chosen, key=lambda item: item[1])
        ]

    # --- sections the requirements left empty ------------------------------------------

    def section_fallbacks(self, actions: list[PlanAction]) -> list[PlanAction]:
        """Every section of the advice gets at least one action, grounded in the CV where it can be."""
        have = {action.section for action in actions}
        extra: list[PlanAction] = []
        sections = self.analysis.sections
        if "experience" not in have:
            extra.append(PlanAction("experience", "keep", self.w["experience_fallback"], priority=5))
        if "education" not in have:
            hit = sections.get("education")
            if hit is not None and hit.present and hit.evidence:
                evidence = _clip(hit.evidence)
                text = self.w["education_shown"].format(evidence=evidence)
                extra.append(PlanAction("education", "keep", text, None, evidence, 5, _quote_terms(evidence)))
            else:
                extra.append(PlanAction("education", "keep", self.w["education_none_asked"], priority=5))
        if "hard_skills" not in have:
            skills = [m for m in self.matches if m.status == "met" and m.requirement.kind == "skill"]
            if skills:
                match = skills[0]
                text = self.w["keep"].format(req=_clip(match.requirement.text), evidence=_clip(match.evidence or ""))
                extra.append(
                    PlanAction(
                        "hard_skills", "keep", text, match.requirement.text, match.evidence, 5, self.check_terms(match)
                    )
                )
            elif sections["hard_skills"].present:
                extra.append(PlanAction("hard_skills", "keep", self.w["skills_keep_plain"], priority=5))
            else:
                extra.append(PlanAction("hard_skills", "keep", self.w["fill_hard_skills_plain"], priority=5))
        if "soft_skills" not in have:
            line = self.soft_skill_line()
            if line:
                text = self.w["soft_none_asked"].format(evidence=line)
                extra.append(PlanAction("soft_skills", "keep", text, None, line, 5, _quote_terms(line)))
            else:
                extra.append(PlanAction("soft_skills", "keep", self.w["soft_none_asked_plain"], priority=5))
        return extra

    def soft_skill_line(self) -> str | None:
        """A CV line that shows a quality: from its soft-skills section first, else from anywhere."""
        lines = self.cv_text.splitlines()
        owners = line_sections(self.cv_text)
        ordered = [line for line, owner in zip(lines, owners, strict=True) if owner == "soft_skills"] + lines
        for line in ordered:
            text = _BULLET.sub("", line).strip()
            if 2 <= len(text.split()) <= 25 and _SOFT_CV_LINE.search(text):
                return _clip(text)
        return None

    # --- missing sections ---------------------------------------------------------------

    def missing_section_actions(self) -> list[PlanAction]:
        actions: list[PlanAction] = []
        for section in self.analysis.missing_sections:
            evidence: str | None = None
            terms_text = ""
            if section == "experience":
                evidence = self.first_line_of(("projects", "summary"))
                key = "fill_experience_facts" if evidence else "fill_experience"
            elif section == "education":
                evidence = self.education_line()
                key = "fill_education_facts" if evidence else "fill_education"
            elif section == "hard_skills":
                shown = [m for m in self.matches if m.status != "missing" and m.requirement.kind == "skill"]
                terms = list(dict.fromkeys(self.display_terms(m.requirement.text, m.matched_terms) for m in shown))
                terms_text = ", ".join(term for term in terms if term)[:160]
                key = "fill_hard_skills" if terms_text else "fill_hard_skills_plain"
            else:
                evidence = self.soft_skill_line()
                key = "fill_soft_skills" if evidence else "fill_soft_skills_plain"
            text = self.w[key].format(evidence=evidence or "", terms=terms_text)
            name = self.w[f"section_{section}"]
            actions.append(PlanAction("missing_sections", "fill_section", text, name, evidence, 3, (name,)))
        if not actions:
            names = tuple(self.w[f"section_{name}"] for name in ("experience", "education"))
            actions.append(PlanAction("missing_sections", "keep", self.w["no_missing_sections"], None, None, 5, names))
        return actions

    def first_line_of(self, sections: tuple[str, ...]) -> str | None:
        lines = self.cv_text.splitlines()
        owners = line_sections(self.cv_text)
        for wanted in sections:
            for line, owner in zip(lines, owners, strict=True):
                text = _BULLET.sub("", line).strip()
                if owner == wanted and len(text.split()) >= 3:
                    return _clip(text)
        return None

    def education_line(self) -> str | None:
        pattern = re.compile(
            r"universit|college|bachelor|master|degree|course|diploma|bsc|msc|университет|институт|колледж|курс|"
            r"диплом|бакалавр|магистр",
            re.IGNORECASE,
        )
        for line in self.cv_text.splitlines():
            text = _BULLET.sub("", line).strip()
            if pattern.search(text):
                return _clip(text)
        return None

    # --- next steps ---------------------------------------------------------------------

    def next_steps(self, actions: list[PlanAction]) -> list[PlanAction]:
        steps: list[tuple[str, tuple[str, ...]]] = []
        # Skills first: they are what a person can start learning today.
        learn_must = sorted(
            (a for a in actions if a.kind == "learn" and a.priority == 1),
            key=lambda a: a.section not in ("hard_skills", "soft_skills"),
        )
        learn_nice = [a for a in actions if a.kind == "learn" and a.priority > 1]
        partial = [a for a in actions if a.kind == "make_explicit" and a.evidence]
        outcomes = [a for a in actions if a.kind == "add_outcome"]
        fills = [a for a in actions if a.kind == "fill_section"]
        if learn_must:
            first_two = learn_must[:2]
            names = [self.term_of(a) for a in first_two]
            steps.append(
                (self.w["step_learn"].format(term=self.join(names)), tuple(t for a in first_two for t in a.terms))
            )
        if partial:
            first = partial[0]
            terms_text = ", ".join(first.terms[:4])
            steps.append(
                (
                    self.w["step_partial"].format(evidence=first.evidence, terms=terms_text),
                    first.terms,
                )
            )
        if fills:
            name = fills[0].requirement or ""
            steps.append((self.w["step_section"].format(section=name), (name,)))
        if outcomes:
            steps.append((self.w["step_outcome"], ()))
        if learn_nice and len(steps) < 3:
            steps.append((self.w["step_learn_nice"].format(term=self.term_of(learn_nice[0])), learn_nice[0].terms))
        for filler in ("step_tailor", "step_apply"):
            if len(steps) < 3:
                steps.append((self.w[filler], ()))
        return [
            PlanAction("next_steps", "next_step", text, None, None, number, terms)
            for number, (text, terms) in enumerate(steps[:3], start=1)
        ]

    # --- helpers ------------------------------------------------------------------------

    def term_of(self, action: PlanAction) -> str:
        match = next((m for m in self.matches if m.requirement.text == action.requirement), None)
        return self.term(match) if match else ", ".join(action.terms[:2])

    def kind_key(self, match: RequirementMatch) -> str:
        kind = match.requirement.kind
        return kind if kind in ("years", "degree", "certification", "language", "role") else "skill"

    def term(self, match: RequirementMatch) -> str:
        """What to learn, in the job's words: the requirement without its filler ("Experience with")."""
        text = match.requirement.text.removeprefix(ROLE_PREFIX)
        if self.language == "ru":
            # Russian inflects: quote the job's words rather than bend them into a sentence.
            return f"«{_clip(text, 80)}»"
        if match.requirement.kind == "years":
            return _clip(_YEARS_HEAD.sub("", text).strip(" .;:") or text, 80)
        return _clip(_core_phrase(text), 80)

    def check_terms(self, match: RequirementMatch) -> tuple[str, ...]:
        """The job's words for this requirement that advice covering it would name."""
        text = match.requirement.text.removeprefix(ROLE_PREFIX)
        if match.requirement.kind == "degree" and match.evidence and match.status != "missing":
            return _quote_terms(match.evidence)  # "BSc", "Engineering": not the word "degree" any text may use
        stems = match.missing_terms if match.status != "met" else match.matched_terms
        words = display_words(text, stems or tuple(content_stems(text)))
        return tuple(words) or (_clip(_core_phrase(text), 60),)

    def display_terms(self, text: str, stems: tuple[str, ...] | list[str]) -> str:
        return ", ".join(display_words(text, stems)[:4])

    def join(self, items: list[str]) -> str:
        items = [item for item in items if item]
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + f" {self.w['and']} " + items[-1]


_FILLER = frozenset(
    "experience experienced knowledge skills skill strong good solid working proven ability years year "
    "degree education опыт знание знания навыки умение образование высшее".split()
)


def display_words(text: str, stems: tuple[str, ...] | list[str]) -> list[str]:
    """The words of `text` whose stems are among `stems`, as the text writes them, filler left out."""
    wanted = set(stems)
    found: dict[str, None] = {}
    for word in re.findall(r"[\w+#.\-]+", text):
        cleaned = word.strip(".-")
        if not cleaned or cleaned.lower() in _FILLER:
            continue
        if any(stem(token) in wanted for token in raw_tokens(cleaned)):
            found.setdefault(cleaned, None)
    return list(found)


_YEARS_HEAD = re.compile(
    r"^\s*\d+(?:[.,]\d+)?\+?\s*(?:(?:-|–|to)\s*\d+\s*)?(?:years?|yrs?)\s*(?:of\s+)?(?:\w+\s+)?"
    r"experience\s*(?:in|with|as|of|on)?\s*",
    re.IGNORECASE,
)


def _core_phrase(text: str) -> str:
    """A requirement without its filler ("Experience with", "Strong ... skills", "Knowledge of")."""
    text = re.sub(r"^(?:strong|solid|good|excellent|proven|deep|advanced)\s+", "", text.strip(), flags=re.IGNORECASE)
    text = re.sub(r"\s+(?:skills?|knowledge|experience)\s*$", "", text, flags=re.IGNORECASE)
    return re.sub(
        r"^(?:(?:strong|solid|good|proven|excellent|hands-on|working|deep)\s+)?"
        r"(?:experience|knowledge|understanding|skills?|proficiency|familiarity)\s+(?:with|in|of)\s+"
        r"|^(?:опыт(?: работы)?|знание|умение|навыки)\s+(?:с|в|работы с)?\s*",
        "",
        text.strip(),
        flags=re.IGNORECASE,
    ).strip(" .;:")


def _quote_terms(text: str) -> tuple[str, ...]:
    """Two words that show a quoted CV line is meant: its longest."""
    return tuple(_distinctive_words(text)[:2])


def _distinctive_words(text: str) -> list[str]:
    words = [word.strip(".,;:()«»\"'") for word in text.split()]
    return sorted({word for word in words if len(word) >= 5}, key=lambda word: (-len(word), word))


def _clip(text: str, limit: int = _QUOTE_LIMIT) -> str:
    """The text on one line, cut at a word boundary when longer than `limit` (a cut word reads as a new name)."""
    text = " ".join(_BULLET.sub("", text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"
