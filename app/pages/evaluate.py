"""The Evaluate page: people score a run's answers 0-5 on the study's six criteria, blind to model and settings.

Layout and widgets only: the run files (app.study.experiments), the ratings database
and the blind order (app.study.ratings) live in the core. Ratings are saved to
runs/ratings.sqlite under the rater's name as soon as they are submitted, so
rating resumes where it stopped, in any later session.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import streamlit as st

from app.analysis.documents import read_document
from app.errors import CVEnhancerError
from app.formatting import defuse_markdown, escape_markdown
from app.study.experiments import answered, read_rows, run_files, runs_dir
from app.study.ratings import (
    CRITERIA,
    RATINGS_FILE,
    Criterion,
    blind_view,
    load_criteria,
    next_unrated,
    progress,
    save_rating,
)

TEXT_HEIGHT = 520
DEFAULT_SCORE = 3


def main() -> None:
    st.set_page_config(page_title="Evaluate — CV Enhancer", page_icon="📝", layout="wide")
    st.title("Evaluate answers")
    st.caption(
        "Score each answer 0-5 on the six criteria. You are not shown which model or settings wrote it, "
        "and the answers come in an order of your own. Your ratings are saved under your name as you go: "
        "come back any time to carry on."
    )
    folder = runs_dir()
    files = run_files(folder)
    if not files:
        st.info(
            f"No runs in {folder} yet: make one with `python scripts/run_experiments.py --pairs FILE --models NAME`."
        )
        return
    top = st.columns([2, 2])
    run = top[0].selectbox("Run", files, format_func=lambda path: path.name)
    rater = top[1].text_input("Your name", key="rater", help="Ratings are kept per rater; use the same name to resume.")
    if run is None:  # the list is not empty, so Streamlit always has a choice; this tells the type checker
        return
    if not rater.strip():
        st.info("Enter your name to start rating.")
        return
    db = folder / RATINGS_FILE
    try:
        rows = _rows(str(run), run.stat().st_mtime)
        ids = [row["id"] for row in rows]
        done, total = progress(db, run, ids, rater)
        current = next_unrated(db, run, ids, rater)
    except CVEnhancerError as error:
        st.error(escape_markdown(str(error)))
        return
    st.progress(done / total if total else 1.0, text=f"{done} of {total} rated")
    message = st.session_state.pop("rating_message", None)
    if message:
        (st.error if message[0] == "error" else st.toast)(escape_markdown(message[1]))
    if current is None:
        st.success(f"All {total} answers of this run are rated by {rater.strip()}. Thank you!")
        return
    view = blind_view(next(row for row in rows if row["id"] == current))
    show_answer(view)
    rating_form(db, run, current, rater, view["language"] or "en")


@st.cache_data(show_spinner=False, max_entries=8)
def _rows(path: str, mtime: float) -> list[dict[str, Any]]:  # mtime: a changed file is read again
    return answered(read_rows(Path(path)))  # failed rows have no advice to rate


def show_answer(view: dict[str, Any]) -> None:
    """CV | job | reference | advice, side by side; nothing about the model or settings."""
    try:
        cv_text = read_document(view["cv_path"]).text
        job_text = read_document(view["job_path"]).text
    except CVEnhancerError as error:
        st.error(escape_markdown(f"{error} (the run file keeps the documents' paths; were they moved?)"))
        return
    cv_column, job_column, reference_column, advice_column = st.columns([3, 3, 2, 4])
    with cv_column:
        st.subheader("CV")
        st.container(height=TEXT_HEIGHT).text(cv_text)
    with job_column:
        st.subheader("Job")
        st.container(height=TEXT_HEIGHT).text(job_text)
    with reference_column:
        st.subheader("Reference")
        st.markdown(f"**Label:** {escape_markdown(str(view['label']))}")
        if view["human_score_of_10"] is not None:
            st.markdown(f"**Human score:** {view['human_score_of_10']}/10")
        if view["expected_score"]:
            low, high = view["expected_score"]
            st.markdown(f"**Expected score:** {low}-{high}%")
        for note in view["notes"]:
            st.markdown(f"**Notes:** {escape_markdown(str(note))}")
        st.markdown(f"**Fixed findings:** {view['verdict']}, score {view['score']}/100")
        missing = [r["text"] for r in view["requirements"] if r["status"] == "missing"]
        if missing:
            st.markdown("**Missing requirements:**\n" + "\n".join(f"- {escape_markdown(text)}" for text in missing))
        if view["missing_sections"]:
            st.markdown("**Missing CV sections:** " + ", ".join(view["missing_sections"]))
        st.caption(f"Pair: {escape_markdown(str(view['pair_id']))}")
    with advice_column:
        st.subheader("Advice to rate")
        # The model's answer: its emphasis kept, links and images (which would be fetched) shown as text.
        st.container(height=TEXT_HEIGHT).markdown(defuse_markdown(view["advice"]) or "_(empty answer)_")


def rating_form(db: Path, run: Path, row_id: str, rater: str, language: str) -> None:
    criteria = load_criteria("en")
    st.subheader("Your scores (0 = very poor, 5 = excellent)")
    st.markdown("\n".join(f"- **{c.label}**: {c.definition}" for c in criteria))
    if language != "en":
        with st.expander("Criteria in the answer's language"):
            st.markdown("\n".join(f"- **{c.label}**: {c.definition}" for c in load_criteria(language)))
    # Widget keys from a hash: the row id names the model and config, and keys reach the browser.
    tag = hashlib.sha256(row_id.encode()).hexdigest()[:12]
    with st.form(f"rate-{tag}"):
        for start in (0, 3):  # two rows of three, in the criteria's order
            for column, criterion in zip(st.columns(3), criteria[start : start + 3], strict=True):
                with column:
                    _slider(criterion, tag)
        st.text_area("Comment (optional)", key=f"comment-{tag}")
        st.form_submit_button("Save and next", type="primary", on_click=_save, args=(db, run, row_id, rater, tag))


def _slider(criterion: Criterion, tag: str) -> None:
    st.slider(criterion.label, 0, 5, DEFAULT_SCORE, key=f"{criterion.key}-{tag}", help=criterion.definition)


def _save(db: Path, run: Path, row_id: str, rater: str, tag: str) -> None:
    state = st.session_state
    scores = {name: int(state[f"{name}-{tag}"]) for name in CRITERIA}
    try:
        save_rating(db, run, row_id, rater, scores, state.get(f"comment-{tag}", ""))
    except CVEnhancerError as error:
        state.rating_message = ("error", str(error))
        return
    state.rating_message = ("saved", "Saved. Here is the next answer.")


main()
