"""The plan's sentences, in English and Russian: every action's wording, with the findings' slots to fill."""

from __future__ import annotations

from app.analysis.textproc import Language

WORDS: dict[Language, dict[str, str]] = {
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

VERDICT_PHRASE = {
    "en": {"strong_fit": "a strong fit", "partial_fit": "a partial fit", "not_a_fit": "not a fit"},
    "ru": {"strong_fit": "хорошо подходит к", "partial_fit": "частично подходит к", "not_a_fit": "не подходит к"},
}
