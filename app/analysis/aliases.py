"""The alias table: names of the same thing, in English and Russian, folded to one token.

Owns what counts as "the same skill, credential or role" when a CV and a job
name it differently ("AP" and "accounts payable", "MS Excel" and "Microsoft
Excel", "RN" and "registered nurse", "Python-разработчик" and "Python
developer"). Imports nothing from the project: textproc folds text with it.

It is a curated table we own rather than a skills taxonomy: the maintained
ones (ESCO, O*NET, Lightcast) are tens of megabytes of labels that would have
to ship with the app or be downloaded, and they map skills to occupations, not
the abbreviations and Russian equivalents that made real pairs fail here. Each
entry is tested (tests/test_aliases.py).

Every concept is one canonical token (a plain lower-case word that Snowball
and the title stemmer leave as it is) with its variants:
  - phrases of two or more words are folded into the token in the text;
  - single English words and abbreviations are folded token by token;
  - single Russian words are folded by their Snowball stem, so every
    inflection ("продажи", "продаж", "продажам") meets the canonical token.
"""

from __future__ import annotations

import re

# canonical token -> variants. A variant is a regular expression over lower-case
# text (word boundaries are added); keep them linear (no nested quantifiers).
CONCEPTS: dict[str, tuple[str, ...]] = {
    # --- tools and platforms (kept from the first alias list)
    "gcp": (r"google cloud(?: platform)?",),
    "aws": (r"amazon web services", "amazon"),
    "azure": (r"microsoft azure",),
    "ml": (r"machine[- ]learning", r"машинн\w* обучени\w*", r"ml"),
    "mlops": (r"machine[- ]learning operations", r"ml ?ops"),
    "deeplearning": (r"deep[- ]learning", r"глубок\w* обучени\w*"),
    "nlp": (r"natural language processing", r"обработк\w* естественн\w* язык\w*"),
    "ai": (r"artificial intelligence", r"искусственн\w* интеллект\w*"),
    "cicd": (r"ci\s*/\s*cd", r"continuous (?:integration|delivery|deployment)"),
    "sklearn": (r"scikit[- ]learn",),
    "nodejs": (r"node(?:\.js|js)?",),
    "react": (r"react(?:\.js|js)", "reactjs"),
    "vue": (r"vue(?:\.js|js)",),
    "nextjs": (r"next(?:\.js|js)",),
    "tcpip": (r"tcp\s*/\s*ip",),
    "abtest": (r"a\s*/\s*b[- ]test\w*",),
    "pubsub": (r"pub\s*/\s*sub",),
    "excel": (r"ms[ -]excel", r"microsoft excel", "эксель", "excel"),
    "office": (r"ms[ -]office", r"microsoft office"),
    "word": (r"ms[ -]word", r"microsoft word"),
    "outlook": (r"ms[ -]outlook", r"microsoft outlook"),
    "powerpoint": (r"ms[ -]power ?point", r"microsoft power ?point"),
    "1c": (r"1[сc]",),
    "activedirectory": (r"active directory",),
    "powerbi": (r"power ?bi",),
    "mssql": (r"sql server", "mssql", r"ms sql"),
    "bigdata": (r"big[- ]data", r"больш\w* данны\w*"),
    "githubactions": (r"github actions",),
    "huggingface": (r"hugging ?face",),
    "vb": (r"visual basic",),
    "cpp": (r"c\s*\+\+",),
    "csharp": (r"c\s*#",),
    "kubernetes": ("k8s", "gke", "eks"),
    "postgresql": ("postgres", "psql", "постгрес"),
    "go": ("golang",),
    "javascript": ("js", "ecmascript"),
    "typescript": ("ts",),
    "python": ("py", "питон"),
    "tensorflow": ("tf",),
    "mongodb": ("mongo",),
    "dotnet": (r"\.net", r"asp\.net", "dotnet"),
    "oop": (r"object[- ]oriented programming", r"объектно[- ]ориентированн\w* программировани\w*", "ооп"),
    "database": (r"databases?", r"базы? данных", r"баз данных", "бд", "субд", "db", "dbms", "rdbms"),
    "linux": ("линукс",),
    "git": ("гит",),
    "frontend": (r"front[- ]end", "фронтенд", "фронт"),
    "backend": (r"back[- ]end", "бэкенд", "бекенд", "бэк"),
    "fullstack": (r"full[- ]stack", "фулстек"),
    "web": ("веб",),
    # --- business and office
    "accountspayable": (r"accounts? payables?", r"(?-i:AP)", r"кредиторск\w* задолженност\w*"),
    "accountsreceivable": (r"accounts? receivables?", r"(?-i:AR)", r"дебиторск\w* задолженност\w*"),
    "generalledger": (r"general ledger", r"(?-i:GL)"),
    "accounting": ("accounting", r"бухгалтерск\w* уч[её]т\w*", "бухучет", "бухучёт"),
    "accountant": ("accountant", "бухгалтер"),
    "cpa": (r"certified public accountant",),
    "gaap": (r"generally accepted accounting principles",),
    "erp": (r"enterprise resource planning",),
    "crm": (r"customer relationship management",),
    "kpi": (r"key performance indicators?", "kpis"),
    "hr": (r"human resources?", r"(?-i:HR)", r"управлени\w* персонал\w*", "кадров"),
    "seo": (r"search engine optimi[sz]ation", "сео"),
    "smm": (r"social media marketing",),
    "pmp": (r"project management professional",),
    "projectmanagement": (r"project management", r"управлени\w* проект\w*"),
    "sales": ("sales", "продажи", "продаж", "продажам", "продажах"),
    "marketing": ("marketing", "маркетинг"),
    "negotiation": ("negotiations", "negotiating", "переговоры", "переговоров"),
    "coldcalls": (r"cold call(?:s|ing)?", r"холодн\w* звонк\w*"),
    "sop": (r"standard operating procedures?", "sops"),
    "qa": (r"quality assurance", r"(?-i:QA)"),
    "ux": (r"user experience",),
    "ui": (r"user interface",),
    "infotech": (r"information technology", r"(?-i:IT)", r"(?-i:ИТ)", r"(?-i:АйТи)"),
    # --- trades, safety, health
    "hvac": (r"heating,? ventilation,? (?:and )?air[- ]conditioning",),
    "cdl": (r"commercial driver'?s? licen[cs]e",),
    "osha": (r"occupational safety and health administration",),
    "rn": (r"registered nurses?", r"(?-i:RN)s?"),
    "lpn": (r"licensed practical nurses?",),
    "cna": (r"certified nursing assistants?",),
    "bsn": (r"bachelor of science in nursing", r"b\.?s\.?n\.?"),
    "msn": (r"master of science in nursing",),
    "ehr": (r"electronic (?:health|medical) records?", "emr", "ehr"),
    "bls": (r"basic life support",),
    "acls": (r"advanced cardiac life support",),
    "wan": (r"wide area networks?",),
    "lan": (r"local area networks?",),
    "vpn": (r"virtual private networks?",),
    "voip": (r"voice over (?:ip|internet protocol)",),
    "san": (r"storage area networks?",),
    "electricalsafetygroup": (
        r"групп\w* допуска(?: по электробезопасности)?",
        r"групп\w* (?:допуска )?по электробезопасности",
        r"electrical safety (?:group|clearance)",
    ),
    "ged": (r"general educational development", r"high school equivalency"),
    # --- occupations (job titles in either language)
    "developer": ("developer", "developers", "programmer", "programmers", "разработчик", "программист", "разработчица"),
    "engineer": ("инженер",),
    "manager": ("менеджер",),
    "head": ("руководитель", "начальник"),
    "director": ("директор",),
    "analyst": ("аналитик",),
    "designer": ("дизайнер",),
    "administrator": ("администратор",),
    "sysadmin": (r"system administrator", r"systems administrator", r"системн\w* администратор\w*", "сисадмин"),
    "tester": ("тестировщик",),
    "teacher": ("учитель", "преподаватель"),
    "driver": ("водитель",),
    "nurse": ("медсестра", r"медицинск\w* сестр\w*"),
    "lawyer": ("юрист", "attorney"),
    "intern": ("стажер", "стажёр", "internship", "стажировка"),
    "english": ("англ", "английский", "eng"),
    "russian": ("русский",),
}


_PLAIN_WORD = re.compile(r"^[^\W\d_][\w]*$")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def _is_plain_word(variant: str) -> bool:
    return bool(_PLAIN_WORD.match(variant))


# Phrases and abbreviations written as patterns, longest first so that
# "machine learning operations" is folded before "machine learning".
PHRASE_VARIANTS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        (
            (variant, canonical)
            for canonical, variants in CONCEPTS.items()
            for variant in variants
            if not _is_plain_word(variant)
        ),
        key=lambda pair: -len(pair[0]),
    )
)
# Single English words and abbreviations, token by token.
TOKEN_ALIASES: dict[str, str] = {
    variant: canonical
    for canonical, variants in CONCEPTS.items()
    for variant in variants
    if _is_plain_word(variant) and not _CYRILLIC.search(variant) and variant != canonical
}
# Single Russian words, by their stem: filled in by textproc, which owns the stemmer.
RUSSIAN_WORDS: tuple[tuple[str, str], ...] = tuple(
    (variant, canonical)
    for canonical, variants in CONCEPTS.items()
    for variant in variants
    if _is_plain_word(variant) and _CYRILLIC.search(variant)
)
