"""Check how well a CV matches a job description, and get honest advice from a local model.

The verdict, score, sections, requirements and the advice plan come from a
deterministic analysis (same input, same result); a local GGUF model through
llama-cpp-python writes the plan up, section by section, and each section is
printed once it has passed the checks (or replaced by the plan's own text).
The default model ships with the install, so nothing is downloaded.

With several jobs (--job A --job B ..., or --jobs FOLDER) it ranks them: a
table of every job, best match first (verdict, score, must-haves met and
missing, and the one gap that would lift the score most), the skills most of
the jobs ask for that the CV lacks, then advice for the best --advise-top
jobs. Every prompt opens with the same rules, kept in the model's cache, so
each further job evaluates only its own tokens. A job that cannot be read is
reported on its own line and the others still run.

Examples:
  python scripts/analyze.py --cv my_cv.pdf --job job.txt
  python scripts/analyze.py --cv cv.docx --job job.md --no-llm
  python scripts/analyze.py --cv cv.txt --job job.txt --model llama-2-7b-chat --gpu-layers -1
  python scripts/analyze.py --cv cv.txt --job job.txt --json > report.json
  python scripts/analyze.py --cv cv.pdf --job a.txt --job b.pdf --job c.md           # rank three jobs
  python scripts/analyze.py --cv cv.pdf --jobs postings/ --no-llm                    # rank a folder, instantly
  python scripts/analyze.py --cv cv.pdf --jobs postings/ --advise-top 5 --json > ranking.json
  python scripts/analyze.py --cv cv.txt --job job.txt --server-url http://127.0.0.1:8080/v1

With --server-url (or CV_ENHANCER_SERVER_URL set) the model runs on OpenAI-compatible
servers (python scripts/deploy/serve_local.py starts workers behind nginx); --model then
names the model they serve, for its chat format.

Exit codes: 0 done; 2 bad input, settings or model (one line on stderr saying what
to do; with several jobs, also when some job could not be read or advised: the
ranking of the others is still printed); 1 an internal error; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.analysis.documents import Document, read_document
from app.cli import EXIT_BAD_INPUT, parser_from_doc, run
from app.llm.writing import AdviceSection
from app.pipeline import run_analysis
from app.ranking import RankedJob, Ranking, job_files, load_job, rank_jobs
from app.report import Report
from app.settings import SERVER_URL_ENV, Settings, add_flag, backend_values, describe, settings_from_args


def build_parser() -> argparse.ArgumentParser:
    parser = parser_from_doc("analyze.py", __doc__)
    parser.add_argument("--cv", required=True, type=Path, help="the CV: .pdf (with a text layer), .docx, .txt or .md")
    parser.add_argument(
        "--job",
        type=Path,
        action="append",
        default=[],
        help="a job description: .pdf, .docx, .txt or .md (repeat it to rank several jobs)",
    )
    parser.add_argument("--jobs", type=Path, metavar="FOLDER", help="rank every job description in this folder")
    add_flag(parser, "advise_top")
    add_flag(parser, "model")
    add_flag(parser, "chat_format")
    decoding = parser.add_mutually_exclusive_group()
    add_flag(decoding, "greedy")
    add_flag(decoding, "temperature", note="; giving it turns sampling on")
    for field in ("top_p", "seed", "repeat_penalty", "max_tokens", "threads", "threads_batch", "batch", "gpu_layers"):
        add_flag(parser, field)
    add_flag(parser, "ctx")
    add_flag(parser, "force_ctx")
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
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.job and args.jobs is None:
        parser.error("the following arguments are required: --job (repeat it, or give --jobs FOLDER, to rank several)")
    return run(lambda: _analyze(args))


def _analyze(args: argparse.Namespace) -> int:
    # Giving a temperature means sampling; --greedy (or nothing) keeps greedy decoding.
    settings = settings_from_args(
        args,
        greedy=args.temperature is None,
        use_llm=not args.no_llm,
        **backend_values(args.backend, args.server_url),
    )
    cv = read_document(args.cv)
    if len(args.job) == 1 and args.jobs is None:
        job = read_document(args.job[0])
        if args.json:
            report = run_analysis(cv, job, settings)
            print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
            return 0
        return _run_readable(cv, job, settings)
    paths = [*args.job, *(job_files(args.jobs) if args.jobs is not None else [])]
    return _rank(cv, paths, settings, as_json=args.json)


def _rank(cv: Document, paths: list[Path], settings: Settings, *, as_json: bool) -> int:
    jobs = [load_job(path) for path in paths]
    if as_json:
        ranking = rank_jobs(cv, jobs, settings, on_queued=_queued)
        print(json.dumps(ranking.to_dict(), ensure_ascii=False, indent=2))
    else:
        ranking = rank_jobs(
            cv,
            jobs,
            settings,
            on_ranked=_show_ranking,
            on_advice_start=_show_advice_heading,
            on_section=_show_section,
            on_advice_done=_show_advice_end,
            on_queued=_queued,
        )
    # Every job that could not be read or advised gets its own line; the ranking above still stands.
    for failed in ranking.failed:
        print(f"error: {failed.error}", file=sys.stderr)
    for warning in ranking.warnings:
        print(f"error: {warning}", file=sys.stderr)
    return EXIT_BAD_INPUT if ranking.failed or ranking.warnings else 0


def _show_ranking(ranking: Ranking) -> None:
    # The ranking needs no model: show it at once, then stream the advice job by job.
    print(ranking.summary_markdown(), flush=True)


def _show_advice_heading(entry: RankedJob) -> None:
    title = f" — {entry.title}" if entry.title else ""
    print(f"\n## Advice for {entry.rank}. {entry.name}{title}\n", flush=True)


def _show_section(section: AdviceSection) -> None:
    # Only checked sections are printed: a section that failed is already replaced by the plan's text.
    print(section.markdown() + "\n", flush=True)


def _show_advice_end(entry: RankedJob) -> None:
    _show_report_end(entry.report)


def _show_report_end(report: Report) -> None:
    """Where the advice came from, the warnings and the model's figures, after the advice."""
    if report.advice_sections:
        sources = report.advice_sources()
        print(f"_{sources['model']} sections written by the model and checked; {sources['plan']} from the plan._")
    if report.warnings:
        print("\n" + report.warnings_markdown())
    if report.model:
        print(f"\n_Model: {report.model.name} · {report.metrics_line()}_", flush=True)


def _queued() -> None:
    print("(waiting: the model is busy with another analysis)", file=sys.stderr)


def _run_readable(cv: Document, job: Document, settings: Settings) -> int:
    def show_findings(report: Report) -> None:
        # The findings and the plan need no model: show them at once, then each checked section of advice.
        print(report.findings_markdown() + "\n")
        print(report.plan_markdown() + "\n")
        if settings.use_llm:
            print("### Advice\n", flush=True)

    report = run_analysis(cv, job, settings, on_findings=show_findings, on_section=_show_section, on_queued=_queued)
    _show_report_end(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
