"""Say what one segment of a posting is (a requirement, a duty, an offer...) and whether it is a must (pure)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from app.analysis.posting_clauses import DUTY_VERBS, LIST_MARKER
from app.analysis.posting_headings import SectionKind
from app.analysis.textproc import Cues

SegmentKind = Literal["requirement", "duty", "offer", "company", "legal", "apply", "other"]
SEGMENT_KINDS: tuple[SegmentKind, ...] = ("requirement", "duty", "offer", "company", "legal", "apply", "other")

_LEGAL = Cues(
    r"equal (?:employment )?opportunit|without regard to|regardless of (?:race|age|sex|gender|religion)|"
    r"national origin|sexual orientation|gender identity|protected (?:veteran|characteristic|class|status)|"
    r"veteran status|reasonable accommodation|affirmative action|e-verify|do(?:es)? not discriminat|"
    r"committed to (?:diversity|inclusion|equal)|drug[- ]free workplace",
)
_APPLY = Cues(
    r"how to apply|\bto apply[,:]|\bto apply,? (?:please|send|click|visit|submit|e-?mail|go)|"
    r"apply (?:now|online|here|today|at|via|through|by|on|with your)|"
    r"\bresumes? (?:exceeds?|not to exceed|should not|must not)|(?:limit|keep) your (?:resume|cv)|do not copy|"
    r"please (?:be|limit|do not|ensure|include|provide|describe|submit|upload|attach|read|review|follow)\b|"
    r"your (?:resume|cv)\b(?! must (?:also )?(?:demonstrate|show|describe|reflect|list))|"
    r"(?:in|within) (?:the body of )?(?:their|your) (?:resume|application)|transcripts? (?:are|is|must be) required|"
    r"\bclick\b|submit (?:your|a|an) (?:resume|cv|application|cover)|send (?:your|us|a) (?:resume|cv|cover)|"
    r"cover letter|closing date|application (?:process|form|deadline|package)|applications (?:are|will|must)|"
    r"resumes? (?:will not|must be (?:submitted|received|uploaded))|(?:email|e-mail) (?:us|"
    r"your)|https?://|www\.|[\w.+-]{1,64}@[\w-]|clearly (?:identify|indicate|state)|indicate clearly|"
    r"join (?:us|our team)\b|\bcall (?:us|our|me)\b|\b\d{3}[-. ]\d{3}[-. ]\d{4}\b|"
    r"откликайтесь|отклик|присылайте|направляйте резюме|пишите|звоните|собеседовани|сопроводительн",
)
_MONEY = re.compile(r"[$€£]\s?\d|\d\s?(?:₽|руб|\$|€|usd|eur|k\b)|\d{2,3}[  ]?\d{3}\s?(?:₽|руб|р\b)", re.IGNORECASE)
_PAY_WORDS = re.compile(
    r"salary|\bpay\b|\bpaid\b|per (?:hour|year|annum|month|week)|/h(?:ou)?r\b|/year|hourly|annually|a year|"
    r"\bbase\b|compensation|bonus|\bwage|\brate\b|range|оклад|зарплат|заработн|на руки|доход|выплат|преми",
    re.IGNORECASE,
)
_BENEFIT = Cues(
    r"401\s?\(?k\)?|403\s?\(?b\)?|\bpto\b|paid time off|paid (?:holidays|leave|vacation)|parental leave|"
    r"tuition reimbursement|learning budget|sign-on bonus|stock options|\brsus?\b|\bequity\b|"
    r"(?:health|medical|dental|vision|life) (?:insurance|coverage|plans?|benefits)|medical, dental|"
    r"retirement plan|pension|salary range|pay range|base salary|competitive (?:salary|pay|compensation)|"
    r"benefits package|we offer|offers? a competitive|(?:the|your|a|starting|base|annual) salary|salary ranges?|"
    r"дмс|соцпакет|социальн\w* пакет|оформлени\w* по тк|"
    r"трудоустройств\w* по тк|по тк рф|тк рф|белая заработная|бел\w+ зарплат|испытательн\w* срок|"
    r"заработная плата|(?<![:\w-])зарплата|(?<![:\w-])оклад|премии|премия|"
    r"оплачиваем|компенсаци\w* (?:обучения|питания|мобильной|фитнес)|"
    r"корпоративн\w* (?:обучение|скидки|мероприятия|спортзал)|график работы|дружный коллектив|мы предлагаем",
)
_WEAK_OFFER = Cues(
    r"\binsurance\b|\bholidays?\b|vacation|wellness|gym|snacks|flexible (?:hours|schedule|work)|remote work|"
    r"hybrid|office|career growth|growth opportunit|professional development|обучение|офис|карьерн|развити|"
    r"коллектив|атмосфер|стабильн|официальн",
)
_COMPANY = Cues(
    r"\bwe are (?:a|an|the)\b|\bwe(?:'re| are) (?:proud|committed|driven|guided|growing|hiring|looking|seeking)|"
    r"(?:с|про|у) нас\b|с нами\b|"
    r"\bour (?:mission|company|clients?|customers|platform|products?|story|values|team|goal)\b|founded in|"
    r"since (?:19|20)\d\d|for (?:over|more than|nearly|almost) \d+ years|headquartered|"
    r"employees (?:worldwide|across|in)|is an? (?:leading|global|fast-growing|"
    r"well-established|independent|vibrant)|our client|on behalf of|leader in|industry-leading|"
    r"(?:компания|группа компаний)\b|наша компания|работает на рынке|с (?:19|20)\d\d года|входит в|входим в|"
    r"мы (?:растем|растём|гордимся|создали|являемся|делаем|ищем|набираем|команда|приглашаем)|наши (?:клиенты|студенты)",
)
# Text about how requirements are credited, not a requirement itself.
_NOTE = Cues(
    r"may be substituted|may substitute|will be credited|credit will be given|will receive credit|"
    r"refers to\b|for more information|will be considered|volunteer|"
    r"national service|is defined as\s*:?$|does not require|will not be accepted|the full performance level|"
    r"the actual grade|are based on the|qualification standards|(?:is|are) not acceptable|may be used to|"
    r"please (?:refer|visit|see|note)|assignment levels? (?:ii|iii|iv|v|2|3|4)\b|appointments? to this|"
    r"^if\b(?!.*\b(?:plus|bonus|advantage|preferred)\b)|in addition to meeting the (?:qualification|"
    r"minimum) requirements for|"
    r"\bmust meet both\b|\bmust meet all (?:the )?requirements\b|(?:requirements?|"
    r"qualifications?) (?:described|listed|stated) below|"
    r"\bis being filled\b|positive education requirement|requirements must be met|subject to verification|"
    r"will not make assumptions|must (?:authorize|disclose)\b|(?:described|listed|stated|shown) below\s*:?$",
)
_REQUIREMENT_CUE = Cues(
    # "\s*(?:\+\s*)?", not "\s*\+?\s*": two runs of spaces in a row split a long run every way (quadratic).
    r"\bopen to (?:permanent|current|internal)\b|\d\s*(?:\+\s*)?(?:years?|yrs)\b|\b(?:one|"
    r"two|three|four|five|six|seven|eight|nine|ten)\s+(?:\(\d+\)\s+)?(?:\+\s*)?"
    r"(?:plus\s+)?(?:years?|months?)\b|experience|\bdegree\b|diploma|bachelor|master'?s|\bph\.?\s?d|\bmba\b|"
    r"knowledge|proficien|\babilit|\bable to\b|\bskill|familiar|understanding of|licen[cs]|certif|"
    r"\bmust\b|\brequired\b|\brequires?\b|preferred|a plus|ideally|fluen|background in|expertise|qualif|"
    r"education|graduat|matriculat|track record|\bexposure to|\bcompetenc|\baptitude|self-motivated|"
    r"опыт|знани|умени|умеет|умеешь|навык|владени|образовани|понимани|желательно|будет плюсом|"
    r"приветствуется|готовност|способност|пользовател|стрессоустойчив|ответственн|"
    r"коммуникабельн|внимательн|исполнительн|желани|грамотн|аккуратн|целеустремл|инициативн|"
    r"организованност|пунктуальн|обучаем|водительск|права категории|допуск|удостоверени|сертифик|"
    r"^you (?:have|are|know|understand|bring|can|hold|speak|possess)\b|"
    r"(?:с |со )?(?:высокими|опытом|знанием)|уровн[ея] (?:a|b|c)[12]|английск|"
    r"группа допуска|медкнижк|медицинск\w+ книжк",
)
# Strong enough to make a requirement out of a sentence under a description or
# duties heading: "Candidates selected must be available to work weekends."
STRONG_REQUIREMENT = Cues(
    r"\bopen to (?:permanent|current|internal)\b|\bonly (?:permanent|current) (?:employees|candidates|\w+s)\b|"
    r"\bmust (?:have|be|possess|hold|meet|pass|obtain|demonstrate|complete)|\b(?:is|are|be) required\b|"
    r"\bwill be required to\b|\bcandidates? (?:should|must|will need)|"
    r"\byou (?:must|should) (?:have|be)|\bideal candidate|\bthe successful candidate (?:will|"
    r"should|must) (?:have|be|possess)|"
    r"\b(?:bachelor|master)'?s?\s+degree|\bdegree (?:in|from)\b|"
    r"(?:\d|\bone|\btwo|\bthree|\bfour|\bfive|\bsix)\s*(?:\+\s*)?(?:years?|yrs|months?) of (?:[\w-]+ ){0,3}experience|"
    r"обязател|требуется|необходим",
)
_OPTIONAL = Cues(
    r"\bpreferred\b|\bpreferably\b|\bis a plus\b|\ba plus\b|\bnice to have\b|\bideally\b|\bdesirable\b|"
    r"\bdesired\b|\bbonus\b|\badvantage\b|\bnot required\b|\bnot mandatory\b|\boptional\b|\bhighly desirable\b|"
    r"желательно|будет плюсом|приветствуется|преимуществ|не обязател|плюсом будет|будет большим плюсом",
)
_REQUIRED_WORDS = Cues(r"required\b|mandatory\b|must\b|обязател")
_NEGATED_REQUIRED = Cues(r"not required|not mandatory|не обязател")
_PARENTHESIS = re.compile(r"\([^()]{0,200}\)")


_REQUIREMENT_VERBS_RU = frozenset("уметь знать иметь владеть быть хотеть понимать".split())


_FIRST_WORD = re.compile(r"[^\w]*([\w'-]+)")
_RUSSIAN_INFINITIVE = re.compile(r"[а-яё]{4,}(?:ть|ться|чь)")


def _first_word(text: str) -> str:
    match = _FIRST_WORD.match(text)
    return match.group(1).lower() if match else ""


def _starts_with_duty_verb(text: str) -> bool:
    word = _first_word(LIST_MARKER.sub("", text))
    if word in DUTY_VERBS:
        return True
    # Russian duties are often infinitives: "разрабатывать сервисы", "проводить встречи".
    return (
        _RUSSIAN_INFINITIVE.fullmatch(word) is not None
        and not word.endswith("ость")  # "ответственность" is a noun
        and word not in _REQUIREMENT_VERBS_RU
    )


def optional_wording(text: str) -> bool:
    """Whether the wording makes a requirement optional.

    A bracket that names one option ("backend development (Node.js preferred)")
    leaves the requirement a must; a bracket that only says it is optional
    ("(preferred)", "(желательно, проводится обучение)") does not.
    """
    outside = _PARENTHESIS.sub(" ", text)
    if _OPTIONAL.search(outside):
        return not (_REQUIRED_WORDS.search(outside) and not _NEGATED_REQUIRED.search(outside))
    for bracket in _PARENTHESIS.findall(text):
        inner = bracket.strip("() ").lower()
        match = _OPTIONAL.search(inner)
        if match and not inner[: match.start()].strip(" ,;-"):
            return True
    return False


# Sentences about the position itself, not about the person: "This is a GG-14 position in ...".
_ABOUT_THE_JOB = Cues(
    r"^(?:this|the|these|it|our)\b|\b(?:this|the) (?:position|job|role|vacancy|announcement|selectee|incumbent)\b",
)


def _states_pay(text: str) -> bool:
    """An amount of money and a word about pay: "$65,000 - $80,000 a year", "от 150 000 руб. на руки"."""
    # Every amount has a digit: one fast scan for a digit spares the two patterns most segments.
    return bool(_ANY_DIGIT.search(text) and _MONEY.search(text) and _PAY_WORDS.search(text))


_ANY_DIGIT = re.compile(r"\d")


# Most segments are none of these: one pass tells so, and the four are read one by one only when one is there.
_ASIDE = Cues.any_of(_LEGAL, _APPLY, _BENEFIT, _NOTE)


@lru_cache(maxsize=8192)
def is_aside(text: str) -> bool:
    """Text that is never part of a requirement: legal, application, pay and benefits, notes on crediting."""
    return bool(_ASIDE.search(text) or _states_pay(text))


@lru_cache(maxsize=8192)
def classify_segment(text: str, section: SectionKind | None, *, bullet: bool = False) -> tuple[SegmentKind, bool]:
    """The kind of one segment, from its own words and the heading it sits under; and must (for requirements).

    `bullet`: the segment was a list item, which under a requirements heading needs no cue words.
    """
    aside = _ASIDE.search(text) is not None
    if aside and _LEGAL.search(text):
        return "legal", False
    if aside and _APPLY.search(text):
        return "apply", False
    if (aside and _BENEFIT.search(text)) or _states_pay(text):
        return "offer", False
    if aside and _NOTE.search(text):
        return "other", False
    # Each cue below is searched only where the answer depends on it (a search costs a pass over the text).
    cue = _REQUIREMENT_CUE.search(text) is not None
    if section in ("must", "nice"):
        # Experience is often described as work done ("Generates and manages datasets ..."):
        # under a requirements heading that is still a requirement.
        if not cue and _COMPANY.search(text):
            return "company", False
        if not cue and not bullet and _ABOUT_THE_JOB.search(text):
            # A long sentence that asks for nothing ("This is a GG-14 position in ...") under a
            # requirements heading; short items ("Python", "Исполнительность") need no cue.
            return "other", False
        return "requirement", item_must(text, section)
    if section in ("duty", "offer", "company", "legal", "apply", "other"):
        if cue and STRONG_REQUIREMENT.search(text) and not _COMPANY.search(text):
            return "requirement", item_must(text, None)
        return ({"duty": "duty", "offer": "offer", "company": "company", "legal": "legal", "apply": "apply"}).get(
            section, "other"
        ), False  # type: ignore[return-value]
    # No heading, or one we cannot read: the sentence alone decides.
    if _starts_with_duty_verb(text) and not STRONG_REQUIREMENT.search(text):
        return "duty", False
    if _COMPANY.search(text):
        return "company", False
    if cue:
        return "requirement", item_must(text, None)
    if _WEAK_OFFER.search(text):
        return "offer", False
    return "other", False


def item_must(text: str, section: str | None) -> bool:
    """Whether a requirement is a must-have, from its own wording and the kind of its heading."""
    if optional_wording(text):
        return False
    if section == "nice":
        # "Experience in capacity monitoring required." under "Preferred Skills".
        return bool(_REQUIRED_WORDS.search(text)) and not _NEGATED_REQUIRED.search(text)
    return True
