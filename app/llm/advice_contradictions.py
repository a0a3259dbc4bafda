"""Checks that advice does not contradict the analysis: score and verdict, requirements' status, CV sections (pure)."""

from __future__ import annotations

import re

from app.analysis.scoring import Analysis
from app.analysis.textproc import stem_set
from app.llm.advice_text import GENERIC, HONEST_CONTEXT, SENTENCE, excerpt, without_quotes

# The advice stating a score.
SCORE_CLAIMS = (
    # "67/100" first, so that removing a true score claim takes its "/100" with it.
    re.compile(r"(?i)(?<![\w.])(\d+(?:[.,]\d+)?)\s*(?:/|out of|из)\s*100\b"),
    re.compile(
        r"(?i)\b(?:score[sd]?|rating|rated|оценк\w*|балл\w*)\b\W{0,3}(?:(?:of|is|at|—|-|:|=|в|на)\s*)?\(?\s*(\d+(?:[.,]\d+)?)"
    ),
    re.compile(r"(?i)(?<![\w.])(\d+(?:[.,]\d+)?)\s*%\s*(?:match|fit|соответств)"),
)


def without_score_claims(advice: str, score: int) -> str:
    """The advice without its true statements of the score: the score they state is no invented number."""
    for pattern in SCORE_CLAIMS:
        advice = pattern.sub(lambda m: " " if _same_number(m.group(1), score) else m.group(0), advice)
    return advice


def _same_number(raw: str, value: int) -> bool:
    return float(raw.replace(",", ".")) == value


_STRONG_CLAIM = re.compile(
    r"(?i)\b(?:strong|great|excellent|perfect|ideal|very good|outstanding)\s+(?:fit|match|candidate)\b|"
    r"\bperfect(?:ly)?\s+(?:suited|fits?|matches)\b|\bmeets? (?:all|every)\b|\bfully (?:meets|matches|qualified)\b|"
    r"хорошо подходит|отлично подходит|идеально подходит|полностью (?:подходит|соответствует)|"
    r"идеальн\w* кандидат|отличн\w* кандидат"
)
_POSITIVE_CLAIM = re.compile(
    r"(?i)\b(?:good|solid)\s+(?:fit|match)\b|\bwell[- ]suited\b|\bpartial(?:ly)?\s+(?:a\s+)?(?:fit|match)|"
    r"частично подходит|подходит частично"
)
_NEGATIVE_CLAIM = re.compile(
    r"(?i)\bnot a fit\b|\bpoor (?:fit|match)\b|\bdoes(?:n't| not) (?:fit|match)\b|\bnot (?:suited|suitable)\b|"
    r"\bunsuitable\b|\bno match\b|(?<!полностью )не подходит|не соответствует"
)
_NEGATED = re.compile(r"(?i)(?:\bnot|n't|\bне|\bnever)\s+(?:\w+\s+)?$")


def verdict_contradictions(advice: str, analysis: Analysis) -> list[str]:
    """Statements of a score or a verdict other than the analysis's."""
    problems: list[str] = []
    seen: set[int] = set()  # "scored 80 out of 100" is one claim, whichever patterns read it
    for pattern in SCORE_CLAIMS:
        for match in pattern.finditer(advice):
            value = float(match.group(1).replace(",", "."))
            if match.start(1) in seen:
                continue
            seen.add(match.start(1))
            if value != analysis.score:
                problems.append(f'a score of {match.group(1)} ("{excerpt(advice, match)}"), not {analysis.score}')
    verdict = analysis.verdict
    wrong: list[re.Pattern[str]] = {
        "strong_fit": [_NEGATIVE_CLAIM],
        "partial_fit": [_STRONG_CLAIM, _NEGATIVE_CLAIM],
        "not_a_fit": [_STRONG_CLAIM, _POSITIVE_CLAIM],
    }[verdict]
    for pattern in wrong:
        for match in pattern.finditer(advice):
            before = advice[max(0, match.start() - 16) : match.start()]
            if pattern is not _NEGATIVE_CLAIM and _NEGATED.search(before):
                continue  # "not a strong fit" agrees with a partial or no fit
            problems.append(f'"{excerpt(advice, match)}" while the verdict is {verdict}')
    return problems


# A clause that says the person has something ...
_HAS_CLAIM = re.compile(
    r"(?i)\byou (?:have|already have|'ve got|possess|know|are (?:skilled|proficient|experienced|strong))\b|"
    r"\byour (?:cv|resume|experience|skills?) (?:shows?|demonstrates?|lists?|mentions?|includes?|proves?|covers?)\b|"
    r"\byou(?:'ve| have)? (?:shown|demonstrated|proven)\b|"
    r"\b(?:strong|solid|extensive|proven) (?:experience|skills?|knowledge)\b|"
    r"\bmeets?\b|у вас (?:есть|имеется)|вы владеете|вы знаете|вы умеете|в (?:вашем )?резюме (?:есть|указан|видн)|"
    r"вы (?:уже )?(?:показали|продемонстрировали)"
)
# ... and one that says it is missing.
_LACKS_CLAIM = re.compile(
    r"(?i)\b(?:you )?lack(?:s|ing)?\b|\bmissing\b|\bis not (?:shown|listed|mentioned)\b|"
    r"\bdoes(?:n't| not) (?:show|mention|list|include|have)\b|\bno (?:experience|knowledge)\b|"
    r"\b(?:don't|do not) have\b|\bgap\b|нет опыта|отсутству|не хватает|не указан|в резюме нет|нет в резюме|"
    r"не видно|у вас нет"
)
_CONDITIONAL = re.compile(r"(?i)\bif\b|\bonce\b|\bwhen\b|\bесли\b|\bкогда\b")
_NEGATION = re.compile(r"(?i)\b(?:not|no|never|without|lack\w*|missing)\b|n't\b|\bне\b|\bнет\b|\bбез\b")
_CLAUSE = re.compile(r"(?i)[,;:]|\band\b|\bbut\b|\bwhile\b|\bhowever\b|\bthough\b|\bи\b|\bно\b|\bа\b|\bоднако\b")


def _clauses(text: str) -> list[str]:
    return [clause for sentence in SENTENCE.split(text) for clause in _CLAUSE.split(sentence) if clause.strip()]


def status_contradictions(advice: str, analysis: Analysis) -> list[str]:
    """Clauses that call a missing requirement met, or a met requirement missing."""
    problems: list[str] = []
    for clause in _clauses(without_quotes(advice)):
        stems = stem_set(clause)
        if not stems:
            continue
        has = (
            _HAS_CLAIM.search(clause)
            and not _NEGATION.search(clause)
            and not HONEST_CONTEXT.search(clause)
            and not _CONDITIONAL.search(clause)
        )
        lacks = _LACKS_CLAIM.search(clause)
        for match in analysis.matches:
            if match.requirement.kind == "location":
                continue
            if match.status == "missing" and has:
                terms = set(match.missing_terms) - GENERIC
                if terms & stems:
                    problems.append(
                        f'calls "{match.requirement.text}" met ("{clause.strip()}"); the CV does not show it'
                    )
            elif match.status == "met" and lacks:
                terms = set(match.matched_terms) - GENERIC
                if terms & stems:
                    problems.append(f'calls "{match.requirement.text}" missing ("{clause.strip()}"); the CV shows it')
    return list(dict.fromkeys(problems))


# A core section named as a section ("the education section", "раздел «Образование»"), English and Russian.
_NAMED_SECTION: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"(?i)\b(?:{words})\W+sections?\b|раздел\w*\W+«?(?:{words})")
    for name, words in (
        ("experience", r"(?:work |professional )?experience|work history|опыт\w*(?: работы)?"),
        ("education", r"education|образовани\w*"),
        ("hard_skills", r"(?<!soft )skills|hard skills|навык\w*|профессиональн\w* навык\w*"),
        ("soft_skills", r"soft skills|личн\w* качеств\w*"),
    )
}
_ADD = re.compile(r"(?i)\badd\b|добавьте")
_ALL_SECTIONS = re.compile(r"(?i)\ball (?:four|the|core|main)\b[^.]*\bsections\b|все (?:четыре )?(?:основные )?раздел")


def section_contradictions(advice: str, analysis: Analysis) -> list[str]:
    """A CV section called missing (or to be added) that the CV has; "all sections" when one is missing."""
    problems: list[str] = []
    missing = set(analysis.missing_sections)
    for sentence in SENTENCE.split(advice):
        if missing and _ALL_SECTIONS.search(sentence) and not _NEGATION.search(sentence):
            problems.append(f'"{sentence.strip()}" while the CV lacks: {", ".join(sorted(missing))}')
    for clause in _clauses(without_quotes(advice)):
        if not (_LACKS_CLAIM.search(clause) or _ADD.search(clause)) or _CONDITIONAL.search(clause):
            continue
        for name, pattern in _NAMED_SECTION.items():
            if name not in missing and pattern.search(clause):
                problems.append(f'calls the {name.replace("_", " ")} section missing ("{clause.strip()}"); it is there')
    return list(dict.fromkeys(problems))
