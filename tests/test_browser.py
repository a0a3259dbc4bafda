"""End to end in a real browser: `streamlit run` on a free loopback port, driven by headless Chromium.

Uses Debian's chromium through Playwright's `executable_path` (no browser
download). Saves a screenshot of the finished page to test-artifacts/.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The flags Chromium needs as root in a closed network: no sandbox, no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if CHROMIUM is None:
    # CI installs Debian's chromium (.ci/run); there a missing browser is a failure, not a skip.
    if os.environ.get("CI"):
        raise RuntimeError("chromium is not installed: run `apt-get install chromium` (see .ci/run)")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app" / "streamlit_app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("streamlit did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_paste_analyze_stream_and_screenshot(app_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.goto(app_url)
            expect(page.get_by_role("button", name="Analyze")).to_be_visible(timeout=60_000)

            max_tokens = page.get_by_role("spinbutton", name="Max new tokens")
            max_tokens.fill("24")
            max_tokens.press("Enter")
            areas = page.get_by_label("…or paste it here")
            areas.nth(0).fill((FIXTURES / "strong_cv.txt").read_text(encoding="utf-8"))
            areas.nth(1).fill((FIXTURES / "strong_job.txt").read_text(encoding="utf-8"))
            page.keyboard.press("Control+Enter")  # commit the text area before clicking
            page.get_by_role("button", name="Analyze").click()

            # Findings first, then streamed advice with a measured generation speed.
            expect(page.get_by_text(re.compile(r"Verdict: strong fit"))).to_be_visible(timeout=120_000)
            # The checked advice (the model's, or the plan's where it failed) and the plan's checklist beside it.
            expect(page.get_by_text(re.compile(r"sections written by the model and checked"))).to_be_visible(
                timeout=240_000
            )
            expect(page.get_by_text(re.compile(r"your CV is a strong fit", re.IGNORECASE)).first).to_be_visible()
            expect(page.get_by_text("Your plan")).to_be_visible()
            expect(page.get_by_text(re.compile(r"Generation speed: \d+(\.\d+)? tok/s"))).to_be_visible(timeout=240_000)
            expect(page.get_by_role("button", name="Download the report (JSON)")).to_be_visible(timeout=240_000)
            expect(page.get_by_text(re.compile(r"RAM peak: \d+ MB"))).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "app_analysis.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "app_analysis.png").stat().st_size > 10_000


def wait_until_idle(page: Any) -> None:
    """Until the app's script is not running (Streamlit's running icon gone)."""
    from playwright.sync_api import expect

    page.wait_for_timeout(500)  # a rerun the last input asked for may take a moment to start
    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0, timeout=120_000)


def test_ranking_page_ranks_jobs_and_a_row_click_opens_that_report(app_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2000})
            page.goto(f"{app_url}/rank_jobs")
            expect(page.get_by_role("button", name="Rank the jobs")).to_be_visible(timeout=60_000)
            # One thread: on a busy shared machine two threads fighting for the cores are several times slower.
            for label, value in (("Max new tokens", "16"), ("Advice for the top N jobs", "1"), ("CPU threads", "1")):
                box = page.get_by_role("spinbutton", name=label)
                box.fill(value)
                box.press("Enter")
            # A click while a widget's rerun is still going could be overwritten by it: let each finish first.
            wait_until_idle(page)
            page.get_by_role("button", name="Try an example").click()
            expect(page.get_by_role("tab", name="Job 3")).to_be_visible(timeout=30_000)
            wait_until_idle(page)
            expect(page.get_by_label("Paste job 1 here")).not_to_have_value("")
            page.get_by_role("button", name="Rank the jobs").click()

            # The ranking table, the chart and the summary across jobs; advice for the best job only.
            # The ranking shows at once (no model needed), the advice streams in below it.
            expect(page.get_by_text("Docker is asked by 3 of 3 jobs and missing from your CV")).to_be_visible(
                timeout=60_000
            )
            expect(page.get_by_text(re.compile(r"Writing advice for job 1 of 1"))).to_be_visible(timeout=120_000)
            # Then the finished ranking, the best job's full report open below it.
            expect(page.get_by_role("heading", name="1. job 2 (pasted) — Frontend Engineer")).to_be_visible(
                timeout=300_000
            )
            table = page.get_by_test_id("stDataFrame")
            expect(table.locator('[role="gridcell"]', has_text="Frontend Engineer")).to_have_count(1)
            expect(page.get_by_test_id("stVegaLiteChart")).to_be_visible()
            # The checked advice: the model's section, or the plan's (marked) where the model's failed a check.
            match = re.compile(r"1\. Match:.*your CV is a strong fit", re.IGNORECASE)
            expect(page.get_by_text(match).first).to_be_visible()
            expect(page.get_by_text(re.compile(r"sections written by the model and checked")).first).to_be_visible()
            expect(page.get_by_text(re.compile(r"Generation speed: \d+(\.\d+)? tok/s"))).to_be_visible()
            expect(page.get_by_role("button", name="Download the ranking (JSON)")).to_be_visible()
            cells = table.locator('[role="gridcell"]').all_inner_texts()
            assert cells[:4] == ["1", "job 2 (pasted)", "Frontend Engineer", "strong fit"]

            # A click on the third row's selection box opens that job's full report instead.
            grid = table.bounding_box()
            assert grid is not None
            header_and_rows = 35  # Streamlit's default row height, the header included
            page.mouse.click(grid["x"] + 15, grid["y"] + header_and_rows * 3 + header_and_rows / 2)
            expect(page.get_by_role("heading", name="3. job 3 (pasted) — Backend Engineer")).to_be_visible(
                timeout=60_000
            )
            expect(page.get_by_text(re.compile(r"Verdict: not a fit"))).to_be_visible()
            expect(page.get_by_text(re.compile(r"No advice was written for this job"))).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "app_ranking.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "app_ranking.png").stat().st_size > 10_000
