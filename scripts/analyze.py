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
from app.settings import SERVER_URL_ENV, Settings, add_flag, backend_values, describe, settings_from_args


def build_parser() -> argparse.ArgumentParser:
    parser = parser_from_doc("analyze.py", __doc__)
    parser.add_argument("--cv", required=True, type=Path, help="the CV: .pdf (with a text layer), .docx, .txt or .md")
    parser.add_argument("--job", required=True, type=Path, help="the job description: .pdf, .docx, .txt or .md")
    add_flag(parser, "model")
    add_flag(parser, "chat_format")
    decoding = parser.add_mutually_exclusive_group()
    add_flag(decoding, "greedy")
    add_flag(decoding, "temperature", note="; giving it turns sampling on")
    for field in ("top_p", "seed", "repeat_penalty", "max_tokens", "threads", "threads_batch", "batch", "gpu_layers"):
        add_flag(parser, field)
    add_flag(parser, "ctx")
    add_flag(parser, "backend")
    add_flag(parser, "advice_mode")
    parser.add_argument(
        "--server-url",
        action="append",
        metavar="URL",
        help=f"{describe('server_urls')}; repeat it for more (default ${SERVER_URL_ENV}; a URL means --backend server)",
    )
    add_flag(parser, "server_timeout_s")
    parser.add_argument("--no-llm", action="store_true", help="deterministic report only: no model, fast")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(lambda: _analyze(args))


def _analyze(args: argparse.Namespace) -> int:
    # Giving a temperature means sampling; --greedy (or nothing) keeps greedy decoding.
    settings = settings_from_args(
        args, greedy=args.temperature is None, use_llm=not args.no_llm, **backend_values(args.backend, args.server_url)
    )
    cv = read_document(args.cv)
    job = read_document(args.job)
    if args.json:
        report = run_analysis(cv, job, settings)
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    return _run_readable(cv, job, settings)


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
