"""Serving a team, for real: two llama_cpp.server workers with the embedded model behind nginx, on loopback.

The workers run one thread each; nginx and its logs live under a temporary
prefix. The CVs are made so that a mix-up shows: each candidate has a name,
an employer and a set of the job's skills of their own, so every report's
findings quote only its own CV, and greedy decoding makes each CV's advice
the same whether it ran alone or among seven others. The module ends with
one worker stopped mid-run (the last test), so its order matters.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.analysis.documents import Document, from_text
from app.analysis.plan import PLAN_SECTIONS
from app.hub.catalog import embedded_model_path
from app.pipeline import run_analysis
from app.report import Report
from app.serve.cluster import Cluster, nginx_binary, start_cluster
from app.settings import EMBEDDED_MODEL_NAME, SERVER_URL_ENV, Settings, make_settings
from tests.helpers import METRIC_NAMES, ROOT, run_script

PAIRS = ROOT.parent / "shared" / "data" / "pairs.json"
MAX_TOKENS = 12
CTX = 2048

JOB = from_text(
    "Data Analyst\nRequirements\n- SQL\n- Python\n- Tableau\n- Excel\n- Statistics\nNice to have\n- Airflow\n- Spark\n",
    name="data_analyst_job.txt",
)
SKILLS = ("SQL", "Python", "Tableau", "Excel", "Statistics", "Airflow", "Spark")
CANDIDATES = [
    ("Ada Quill", "Kestrel Foods"),
    ("Boris Lind", "Marlow Shipping"),
    ("Chen Wei", "Osprey Insurance"),
    ("Dana Okafor", "Pinecrest Clinics"),
    ("Emil Varga", "Quarry Logistics"),
    ("Farah Nasser", "Rowan Textiles"),
    ("Goran Petek", "Sable Energy"),
    ("Hana Sato", "Tidewater Retail"),
]


def candidate_cv(number: int) -> Document:
    """CV number n: its own name and employer, and a different subset of the job's skills (bits of n + 1)."""
    name, employer = CANDIDATES[number]
    skills = [skill for bit, skill in enumerate(SKILLS) if (number + 1) >> (bit % 4) & 1 or bit == number % 7]
    lines = [
        name,
        "EXPERIENCE",
        f"Analyst - {employer}, 2019 - 2024",
        "SKILLS",
        *(f"- {skill} (used at {employer})" for skill in skills),
        "EDUCATION",
        f"BSc Economics, {employer.split()[0]} College",
    ]
    return from_text("\n".join(lines) + "\n", name=f"cv_{number}.txt")


CVS = [candidate_cv(number) for number in range(len(CANDIDATES))]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    nginx_binary()  # fails with the install command when nginx is missing (.ci/run installs it)
    started = start_cluster(
        embedded_model_path(),
        alias=EMBEDDED_MODEL_NAME,
        workers=2,
        threads=1,
        ctx=CTX,
        port=0,
        prefix=tmp_path_factory.mktemp("serve"),
    )
    with started:
        yield started


def settings_for(url: str) -> Settings:
    return make_settings(backend="server", server_urls=[url], max_tokens=MAX_TOKENS, ctx=CTX)


def analyse_all(url: str, on_token: threading.Event | None = None) -> list[Report]:
    """The 8 analyses at once, each in its own thread, as 8 users of the app would."""
    settings = settings_for(url)

    def one(cv: Document) -> Report:
        def token(_piece: str) -> None:
            if on_token is not None:
                on_token.set()

        return run_analysis(cv, JOB, settings, on_token=token)

    with ThreadPoolExecutor(max_workers=len(CVS)) as pool:
        return list(pool.map(one, CVS))


def wrote_advice(report: Report) -> bool:
    """Seven checked sections, opening with the match, and the model called for each."""
    return (
        report.advice.startswith("1. Match: ")
        and [section.section for section in report.advice_sections] == list(PLAN_SECTIONS)
        and report.metrics["model_calls"] == 7
    )


def completions_by_upstream(cluster: Cluster) -> dict[str, int]:
    """How many /v1/completions each worker answered, from nginx's access log ($upstream_addr)."""
    counts: dict[str, int] = {}
    for line in cluster.access_log.read_text(encoding="utf-8").splitlines():
        if '"POST /v1/completions' in line and " 200 " in line:
            upstream = re.search(r"upstream=(\S+)", line)
            assert upstream is not None, line
            last = upstream.group(1).split(",")[-1].strip()  # after a retry, the worker that answered
            counts[last] = counts.get(last, 0) + 1
    return counts


@pytest.fixture(scope="module")
def alone(cluster: Cluster) -> list[Report]:
    """Each CV analysed on its own, one after another: the reference for the concurrent run."""
    settings = settings_for(cluster.url)
    return [run_analysis(cv, JOB, settings) for cv in CVS]


def test_the_candidates_are_told_apart_by_the_analysis(alone: list[Report]) -> None:
    # The design of the fixture: eight different sets of matched skills, so a swapped report would show.
    signatures = {tuple(match.status for match in report.analysis.matches) for report in alone}
    assert len(signatures) >= 6
    assert all(report.metrics["backend"] == "server" for report in alone)


def test_eight_analyses_at_once_through_nginx_each_keep_their_own_advice(cluster: Cluster, alone: list[Report]) -> None:
    before = completions_by_upstream(cluster)
    reports = analyse_all(cluster.url)

    assert len(reports) == 8
    for number, (report, reference) in enumerate(zip(reports, alone, strict=True)):
        name, employer = CANDIDATES[number]
        assert report.cv_name == f"cv_{number}.txt"
        # The findings quote this CV and no other.
        evidence = [match.evidence for match in report.analysis.matches if match.evidence]
        assert evidence and all(employer in quote for quote in evidence if "(used at" in quote)
        # The advice is the one this CV gets alone (greedy decoding): not another request's stream.
        assert report.advice == reference.advice, f"{name}: the advice differs from its run alone"
        assert wrote_advice(report)
        assert report.model is not None and report.model.backend == "server" and report.model.server == cluster.url
        for metric in METRIC_NAMES:
            assert metric in report.metrics
        assert report.metrics["rss_mb"] is None  # the server's memory is not ours
        assert report.metrics["ttft_s"] > 0 and report.metrics["generated_tokens"] > 0

    # nginx names the worker of each answer (X-Upstream-Addr), and the report keeps it: both workers answered.
    assert {report.metrics["server_worker"] for report in reports} == {worker.address for worker in cluster.workers}
    served = completions_by_upstream(cluster)
    new = {worker: served.get(worker, 0) - before.get(worker, 0) for worker in served}
    assert sum(new.values()) == 8 * 7  # one completion per section of the advice
    for worker in cluster.workers:
        assert new.get(worker.address, 0) >= 1, f"worker {worker.address} served none of the 8: {new}"


def test_analyze_cli_through_nginx_gives_the_json_contract(cluster: Cluster, tmp_path: Path) -> None:
    cv = tmp_path / "cv.txt"
    cv.write_text(CVS[2].text, encoding="utf-8")
    job = tmp_path / "job.txt"
    job.write_text(JOB.text, encoding="utf-8")
    result = run_script(
        "analyze.py", "--cv", cv, "--job", job, "--json", "--server-url", cluster.url, "--max-tokens", MAX_TOKENS,
        "--ctx", CTX,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    local_keys = set(
        Report(run_analysis(CVS[2], JOB, make_settings(use_llm=False)).analysis, Settings(), "", "").to_dict()
    )
    assert set(report) == local_keys
    assert report["model"]["name"] == EMBEDDED_MODEL_NAME and report["model"]["server"] == cluster.url
    assert report["settings"]["backend"] == "server" and report["settings"]["server_urls"] == [cluster.url]
    metrics = report["metrics"]
    assert all(name in metrics for name in METRIC_NAMES)
    assert metrics["backend"] == "server" and metrics["server"] == cluster.url
    assert metrics["ttft_s"] > 0 and metrics["generated_tokens"] > 0
    assert metrics["rss_mb"] is None and metrics["peak_rss_mb"] is None
    assert report["advice"].startswith("1. Match: ") and len(report["advice_sections"]) == 7
    assert metrics["model_calls"] == 7


def test_the_study_fans_out_over_both_workers(cluster: Cluster, tmp_path: Path) -> None:
    out = tmp_path / "study.jsonl"
    args = [
        "--pairs", PAIRS, "--models", EMBEDDED_MODEL_NAME, "--configs", "greedy,sample@1.0", "--limit", 4,
        "--max-tokens", 8, "--ctx", CTX, "--concurrency", 2, "--out", out, "--no-progress",
    ]  # fmt: skip
    for worker in cluster.workers:
        args += ["--server-url", worker.url]
    result = run_script("run_experiments.py", *args, timeout=900)
    assert result.returncode == 0, result.stderr
    assert "8 rows written, 0 skipped (already done), 0 failed, of 8" in result.stdout
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 8 and all(row["report"] and row["error"] is None for row in rows)
    server_of: dict[str, set[str]] = {}
    for row in rows:
        server_of.setdefault(row["pair_id"], set()).add(row["report"]["model"]["server"])
    assert len(server_of) == 4
    # A pair's configs ran back to back on one server, and both servers had pairs.
    assert all(len(servers) == 1 for servers in server_of.values()), server_of
    assert set().union(*server_of.values()) == {worker.url for worker in cluster.workers}

    again = run_script("run_experiments.py", *args, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "0 rows written, 8 skipped (already done)" in again.stdout


def test_the_app_works_against_the_nginx_url(cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app, with CV_ENHANCER_SERVER_URL set: "Model servers" is chosen, the URL filled in, advice streamed."""
    monkeypatch.setenv(SERVER_URL_ENV, cluster.url)
    app = AppTest.from_file(str(ROOT / "app" / "streamlit_app.py"), default_timeout=600)
    app.run()
    assert not app.exception
    assert app.sidebar.radio[0].value == "Model servers"
    assert app.sidebar.text_input[0].value == cluster.url
    next(widget for widget in app.sidebar.number_input if widget.label.startswith("Max new tokens")).set_value(16)
    app.text_area[0].set_value(CVS[5].text)
    app.text_area[1].set_value(JOB.text)
    next(widget for widget in app.button if widget.label == "Analyze").click()
    app.run()
    assert not app.exception
    page = "\n".join(str(element.value) for element in app.markdown)
    assert f"Served by: **{cluster.url}**" in page
    assert "Server RAM: **unknown" in page and "Time to first token (client)" in page
    assert "**1. Match:**" in page and "your cv is" in page.lower()


def test_stopping_a_worker_mid_run_still_completes_every_analysis(cluster: Cluster, alone: list[Report]) -> None:
    """The last test of the module: it leaves one worker stopped."""
    first_token = threading.Event()

    stopped_at: list[float] = []

    def stop_when_streaming() -> None:
        first_token.wait(timeout=600)
        cluster.stop_worker(0)  # both workers hold queued requests now: 8 analyses, 2 workers
        stopped_at.append(time.perf_counter())

    stopper = threading.Thread(target=stop_when_streaming)
    stopper.start()
    reports = analyse_all(cluster.url, on_token=first_token)
    finished_at = time.perf_counter()
    stopper.join()

    assert cluster.workers[0].process.poll() is not None
    assert len(reports) == 8
    for number, report in enumerate(reports):
        assert report.cv_name == f"cv_{number}.txt"
        assert wrote_advice(report)
        assert report.metrics["generated_tokens"] > 0
    # Requests on the stopped worker when it went were resumed elsewhere: by nginx itself (proxy_next_upstream,
    # before any byte was sent: invisible to us) or by our client, which then says why in server_retries.
    retried = [report.metrics["server_retries"] for report in reports if report.metrics.get("server_retries")]
    assert all("broke off" in " ".join(notes) or "cannot be reached" in " ".join(notes) for notes in retried)
    # And the stop came mid-run: the analyses went on after it, on the other worker alone.
    assert stopped_at and stopped_at[0] < finished_at
