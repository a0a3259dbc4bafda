"""The offline app never renders a document's or the model's text as Markdown that fetches (issue 12, point 6).

A job line `15+ years ![k](http://host/x)` once made the browser fetch the URL
from the knock-outs and the warnings. Every string the app hands Streamlit as
Markdown (bodies, labels, tooltips) is rendered here as a browser's Markdown
renderer would (CommonMark, GFM tables and autolinks) and must hold no link, image
or HTML; the payloads must still be there, as literal text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from app.analysis.documents import Document
from app.formatting import defuse_markdown, escape_markdown
from app.llm.fake import FakeEngine
from app.llm.writing import AdviceSection
from app.pipeline import run_analysis
from app.settings import make_settings
from tests.helpers import shown

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app" / "streamlit_app.py")

JOB_PAYLOAD = "15+ years ![k](http://host/x)"
# The same with a protocol-relative address: lines naming "http://" are read as how-to-apply text and
# dropped from the requirements, this one reaches the requirements and the knock-outs.
JOB_KNOCKOUT = "15+ years ![k](//host/x)"
CV_LINK = "[click](http://evil)"
PAYLOADS = [
    JOB_PAYLOAD,
    JOB_KNOCKOUT,
    CV_LINK,
    "![cv](http://evil/cv.png)",
    "<img src=http://evil/tag.png>",
    "www.evil.example",
    "http://evil/bare",
    ":red[coloured] $x$",
]
CV = f"""Jordan Voss
Sales manager
EXPERIENCE
Account Executive - Corvanta, 2021 - Present
- Python scripts for reports {CV_LINK} and ![cv](http://evil/cv.png)
- Sold software, see <img src=http://evil/tag.png> and www.evil.example or http://evil/bare
SKILLS
- Negotiation, Salesforce, :red[coloured] $x$
EDUCATION
BA Marketing
"""
# A fixture job with hostile requirement lines added: one the CV cannot meet (a knock-out), one it can.
JOB = (
    (ROOT / "tests" / "fixtures" / "other_ml_job.txt")
    .read_text(encoding="utf-8")
    .replace(
        "- Strong Python skills",
        f"- {JOB_PAYLOAD} of experience as a data engineer\n- {JOB_KNOCKOUT} of experience with data\n"
        "- Strong Python skills ![j](//host/y)",
    )
)
# The model's advice, unchecked while it streams and as the report keeps it.
MODEL_REPLY = "1. Match: read [this](http://evil/a) ![x](http://evil/b.png) <img src=http://evil/c> www.evil.example"

_RENDERER = MarkdownIt("commonmark", {"linkify": True, "html": True}).enable(["table", "strikethrough", "linkify"])
_RENDERER.linkify.set({"fuzzy_link": False})  # bare domains are not links in GFM; "www." ones are, checked below
_UNSAFE_HTML = re.compile(r"<(?:a|img|iframe|script|link|source|video|audio|object|embed)\b", re.IGNORECASE)
# GFM's autolink literals, found in the rendered text: "www.host", "http(s)://host", "name@host.tld".
_GFM_LITERAL = re.compile(r"(?<![\w.])www\.[\w-]|https?://[\w-]|[\w.+-]@[\w-]+\.[\w-]", re.IGNORECASE)


def unsafe(markdown: str) -> list[str]:
    """The links, images and raw HTML tags that `markdown` would render to (GFM autolinks included)."""
    html = _RENDERER.render(markdown)
    text = re.sub(r"<[^>]*>", " ", html)
    return _UNSAFE_HTML.findall(html) + _GFM_LITERAL.findall(text)


def markdown_strings(app: AppTest) -> Iterator[str]:
    """Every string of the page that Streamlit renders as Markdown: bodies, labels and tooltips of every element."""

    def walk(node: Any) -> Iterator[Any]:
        yield node
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                yield from walk(child)

    for node in walk(app._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        for field, value in proto.ListFields():
            if field.name in ("body", "label", "help", "caption", "text") and isinstance(value, str) and value:
                yield value


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escape_shows_the_text_and_renders_nothing_live(payload: str) -> None:
    escaped = escape_markdown(payload)
    assert unsafe(escaped) == []
    assert unsafe(f"- {escaped}") == [] and unsafe(f"| {escaped} |\n|---|\n| {escaped} |") == []
    assert shown(escaped) == payload
    # Without escaping, the renderer used here does see the link or image: the check can fail.
    if "](" in payload or "<img" in payload or "http" in payload or "www." in payload:
        assert unsafe(payload)


def test_defuse_keeps_the_models_emphasis_but_not_its_links() -> None:
    advice = "**Add** _Kafka_ to your skills:\n- one\n- two " + MODEL_REPLY
    html = _RENDERER.render(defuse_markdown(advice))
    assert "<strong>Add</strong>" in html and "<em>Kafka</em>" in html and "<li>one</li>" in html
    assert unsafe(defuse_markdown(advice)) == []
    assert unsafe(advice)  # the raw advice would have rendered them
    assert shown(defuse_markdown(advice)) == advice


def test_advice_sections_are_safe_markdown_whoever_wrote_them() -> None:
    by_model = AdviceSection("match", "1. Match:", MODEL_REPLY, "model")
    by_plan = AdviceSection("match", "1. Match:", f"Show “{CV_LINK}” in your experience.", "plan")
    for section in (by_model, by_plan):
        assert unsafe(section.markdown()) == []
    assert "**1. Match:**" in by_model.markdown()
    assert CV_LINK in shown(by_plan.markdown())


def test_the_exported_markdown_report_is_safe(fake_engine: FakeEngine) -> None:
    fake_engine.default_reply = MODEL_REPLY
    cv = Document("cv ![n](http://evil/name).txt", CV, "txt")
    job = Document("job.txt", JOB, "txt")
    report = run_analysis(cv, job, make_settings(max_tokens=64))
    markdown = report.to_markdown()
    assert unsafe(markdown) == [], [line for line in markdown.splitlines() if unsafe(line)]
    text = shown(markdown)
    # The knock-out and the evidence are shown as they were written.
    assert any(JOB_KNOCKOUT in knockout for knockout in report.analysis.knockouts)
    assert JOB_KNOCKOUT in text and CV_LINK in text
    assert "cv ![n](http://evil/name).txt" in text


def test_the_app_shows_document_text_literally_and_fetches_nothing(fake_engine: FakeEngine) -> None:
    fake_engine.default_reply = MODEL_REPLY
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    app.text_area[0].set_value(CV)
    app.text_area[1].set_value(JOB)
    next(button for button in app.button if button.label == "Analyze").click()
    app.run()
    assert not app.exception
    strings = list(markdown_strings(app))
    live = {value: unsafe(value) for value in strings if unsafe(value)}
    assert live == {}, live
    page = "\n".join(shown(value) for value in strings)
    # The knock-out quotes the job line as written; the table (not Markdown) has it as plain text too.
    knockouts = [shown(element.value) for element in app.markdown if element.value.startswith("- ")]
    assert any(JOB_KNOCKOUT in line for line in knockouts), knockouts
    requirements = app.dataframe[0].value
    assert any(JOB_KNOCKOUT in text for text in requirements["requirement"])
    assert any(CV_LINK in text for text in requirements["evidence in your CV"])
    # The CV's line is quoted in the plan (a checkbox label) and the section tooltip as literal text.
    assert CV_LINK in page
    assert "Verdict:" in page
    # The model's draft and advice, links and all, reached the page only as text.
    assert fake_engine.calls
