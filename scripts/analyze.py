"""Check how well a CV matches a job description, and get honest advice from a local model.

The verdict, score, sections, requirements and the advice plan come from a
deterministic analysis (same input, same result); a local GGUF model through
llama-cpp-python writes the plan up, section by section, and each section is
printed once it has passed the checks (or replaced by the plan's own text).
The default model ships with the install, so nothing is downloaded.

Examples:
  python scripts/analyze.py --cv my_cv.pdf --job job.txt
  python scripts/analyze.py --cv cv.docx --job job.md --no-llm
  python scripts/analyze.py --cv cv.txt --job job.txt --model llama-2-7b-chat --gpu-layers -1
  python scripts/analyze.py --cv cv.txt --job job.txt --json > report.json
  python scripts/analyze.py --cv cv.txt --job job.txt --server-url http://127.0.0.1:8080/v1

With --server-url (or CV_ENHANCER_SERVER_URL set) the model runs on OpenAI-compatible
servers (python scripts/deploy/serve_local.py starts workers behind nginx); --model then
names the model they serve, for its chat format.

Exit codes: 0 done; 2 bad input, settings or model (one line on stderr saying what
to do); 1 an internal error; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.analysis.documents import Document, read_document
from app.cli import parser_from_doc, run
from app.llm.writing import AdviceSection
from app.pipeline import run_analysis
from app.report import Report
from app.settings import SERVER_URL_ENV, Settings, describe, make_settings, server_urls_from_env


def build_parser() -> argparse.ArgumentParser:
    parser = parser_from_doc("analyze.py", __doc__)
    parser.add_argument("--cv", required=True, type=Path, help="the CV: .pdf (with a text layer), .docx, .txt or .md")
    parser.add_argument("--job", required=True, type=Path, help="the job description: .pdf, .docx, .txt or .md")
    parser.add_argument("--model", help=describe("model") + " (default: the embedded SmolLM2-135M)")
    parser.add_argument("--chat-format", help=describe("chat_format"))
    decoding = parser.add_mutually_exclusive_group()
    decoding.add_argument("--greedy", action="store_true", default=None, help=describe("greedy") + " (default)")
    decoding.add_argument("--temperature", type=float, help="sample with this temperature instead of greedy decoding")
    parser.add_argument("--top-p", type=float, help=describe("top_p"))
    parser.add_argument("--seed", type=int, help=describe("seed") + " (default 42)")
    parser.add_argument("--max-tokens", type=int, help=describe("max_tokens") + " (default 512)")
    parser.add_argument("--threads", type=int, help=describe("threads") + " (default: physical cores)")
    parser.add_argument("--threads-batch", type=int, help=describe("threads_batch"))
    parser.add_argument("--batch", type=int, help=describe("batch") + " (default 512)")
    parser.add_argument("--gpu-layers", type=int, help=describe("gpu_layers") + " (default 0)")
    parser.add_argument("--ctx", type=int, help=describe("ctx") + " (default 4096)")
    parser.add_argument(
        "--advice-mode", choices=["sections", "whole"], help=describe("advice_mode") + " (default: sections)"
    )
    parser.add_argument(
        "--server-url",
        action="append",
        metavar="URL",
        help=describe("server_urls") + f" (default: ${SERVER_URL_ENV})",
    )
    parser.add_argument(
        "--backend",
        choices=["local", "server"],
        help=describe("backend") + " (default: server when a server URL is given, else local)",
    )
    parser.add_argument("--server-timeout", type=float, help=describe("server_timeout_s") + " (default 600)")
    parser.add_argument("--no-llm", action="store_true", help="deterministic report only: no model, fast")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(lambda: _analyze(args))


def _analyze(args: argparse.Namespace) -> int:
    settings = make_settings(
        model=args.model,
        chat_format=args.chat_format,
        greedy=False if args.temperature is not None else True,
        temperature=args.temperature,
        top_p=args.top_p,
        seed=args.seed,
        max_tokens=args.max_tokens,
        threads=args.threads,
        threads_batch=args.threads_batch,
        batch=args.batch,
        gpu_layers=args.gpu_layers,
        ctx=args.ctx,
        use_llm=not args.no_llm,
        advice_mode=args.advice_mode,
        **backend_values(args.backend, args.server_url),
        server_timeout_s=args.server_timeout,
    )
    cv = read_document(args.cv)
    job = read_document(args.job)
    if args.json:
        report = run_analysis(cv, job, settings)
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    return _run_readable(cv, job, settings)


def backend_values(backend: str | None, server_urls: list[str] | None) -> dict[str, object]:
    """--backend, --server-url and CV_ENHANCER_SERVER_URL as Settings values: a URL given means the server backend."""
    urls = server_urls or ([] if backend == "local" else server_urls_from_env())
    return {"backend": backend or ("server" if urls else "local"), "server_urls": urls}


def _run_readable(cv: Document, job: Document, settings: Settings) -> int:
    def show_findings(report: Report) -> None:
        # The findings and the plan need no model: show them at once, then each checked section of advice.
        print(report.findings_markdown() + "\n")
        print(report.plan_markdown() + "\n")
        if settings.use_llm:
            print("### Advice\n", flush=True)

    def show_section(section: AdviceSection) -> None:
        # Only checked sections are printed: a section that failed is already replaced by the plan's text.
        print(section.markdown() + "\n", flush=True)

    def queued() -> None:
        print("(waiting: the model is busy with another analysis)", file=sys.stderr)

    report = run_analysis(cv, job, settings, on_findings=show_findings, on_section=show_section, on_queued=queued)
    if report.advice_sections:
        sources = report.advice_sources()
        print(f"_{sources['model']} sections written by the model and checked; {sources['plan']} from the plan._")
    if report.warnings:
        print("\n" + report.warnings_markdown())
    if report.model:
        print(f"\n_Model: {report.model.name} · {report.metrics_line()}_")
    return 0


if __name__ == "__main__":
    sys.exit(main())
