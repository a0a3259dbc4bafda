"""The deployment files: the nginx template (rendered as serve_local.py and docker-compose render it), the
worker command, the RAM check for N workers, and the study's failure rows when no server answers."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from app.errors import InsufficientMemoryError
from app.hub.catalog import resolve_model
from app.serve.cluster import (
    NGINX_TEMPLATE,
    check_ram_for_workers,
    nginx_binary,
    render_nginx_config,
    worker_command,
)
from tests.helpers import ROOT, run_script

DEPLOY = ROOT / "scripts" / "deploy"
PLACEHOLDER = re.compile(r"@[A-Z_]+@")


def test_rendered_config_is_valid_nginx_with_the_issue_s_settings(tmp_path: Path) -> None:
    config = render_nginx_config(
        listen="127.0.0.1:18080", upstreams=["127.0.0.1:18001", "127.0.0.1:18002"], prefix=tmp_path
    )
    assert PLACEHOLDER.search(config) is None
    for directive in (
        "least_conn;",
        "proxy_buffering off;",
        "proxy_read_timeout 3600s;",
        "server 127.0.0.1:18001 max_fails=1 fail_timeout=10s;",
        "server 127.0.0.1:18002 max_fails=1 fail_timeout=10s;",
        "upstream=$upstream_addr",
        "add_header X-Upstream-Addr $upstream_addr always;",
    ):
        assert directive in config
    assert "/var/" not in config and "/etc/" not in config  # everything under the prefix: no root paths
    path = tmp_path / "nginx.conf"
    path.write_text(config, encoding="utf-8")
    checked = subprocess.run(
        [nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(path), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


def test_docker_compose_renders_every_placeholder_of_the_same_template() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    assert set(compose["services"]) == {"worker", "nginx", "app"}
    nginx_command = compose["services"]["nginx"]["command"]
    template_placeholders = set(PLACEHOLDER.findall(NGINX_TEMPLATE.read_text(encoding="utf-8")))
    assert template_placeholders == {"@LISTEN@", "@UPSTREAM_SERVERS@", "@PREFIX@"}
    assert all(f"s|{name}|" in nginx_command for name in template_placeholders)
    worker = compose["services"]["worker"]
    assert "llama_cpp.server" in worker["command"] and "--interrupt_requests False" in worker["command"]
    assert any(volume.endswith(":/models:ro") for volume in worker["volumes"])
    assert compose["services"]["app"]["environment"]["CV_ENHANCER_SERVER_URL"] == "http://nginx:8080/v1"
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert '".[serve]"' in dockerfile


def test_workers_queue_requests_instead_of_cutting_the_one_streaming(tmp_path: Path) -> None:
    command = worker_command(tmp_path / "m.gguf", alias="m", port=8001, threads=2, ctx=4096)
    assert command[1:3] == ["-m", "llama_cpp.server"]
    joined = " ".join(command)
    assert "--interrupt_requests False" in joined and "--host 127.0.0.1" in joined
    assert "--n_threads 2" in joined and "--n_ctx 4096" in joined and "--model_alias m" in joined


def test_too_many_workers_for_the_ram_are_refused_with_a_number_that_fits() -> None:
    model = resolve_model("smollm2-135m-instruct")
    assert check_ram_for_workers(model, 1, 2048) > 0
    with pytest.raises(InsufficientMemoryError, match=r"use --workers \d+"):
        check_ram_for_workers(model, 100_000, 4096)


def test_serve_local_refuses_a_model_that_is_not_here() -> None:
    result = run_script("deploy/serve_local.py", "--model", "llama-2-7b-chat:Q2_K", "--port", "0", timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert "download" in result.stderr


def test_study_on_servers_that_do_not_answer_writes_failure_rows(tmp_path: Path) -> None:
    out = tmp_path / "run.jsonl"
    pairs = ROOT / "tests" / "fixtures" / "pairs_small.json"
    result = run_script(
        "run_experiments.py", "--pairs", pairs, "--models", "smollm2-135m-instruct", "--limit", "2", "--out", out,
        "--server-url", "http://127.0.0.1:9/v1", "--no-progress", "--max-tokens", "8",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 2 and all(row["report"] is None for row in rows)
    assert all(row["error"].startswith("no server answers at http://127.0.0.1:9/v1") for row in rows)
    assert "2 rows failed" in result.stderr
