"""The report of one analysis: the JSON contract and its human-readable forms.

`Report.to_dict()` is the contract of `analyze.py --json` (and of the app's
JSON download): verdict, score, score_version, language, sections,
requirements, plan, advice, advice_sections, advice_sources, warnings, model,
settings, metrics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.analysis.cv_sections import CORE_SECTIONS
from app.analysis.plan import PLAN_SECTIONS, Plan
from app.analysis.scoring import Analysis
from app.formatting import escape_markdown
from app.llm.writing import AdviceSection, advice_text, plan_sections
from app.settings import Settings

VERDICT_TEXT = {
    "strong_fit": "strong fit",
    "partial_fit": "partial fit",
    "not_a_fit": "not a fit",
}
STATUS_MARK = {"met": "✓", "partial": "~", "missing": "✗"}
# The one wording of a stop, whoever stopped the generation.
STOPPED_WARNING = "Generation was stopped by you; the advice above is incomplete."


@dataclass(frozen=True)
class ModelInfo:
    name: str
    file: str
    quantization: str | None
    chat_format: str | None
    backend: str = "local"  # "server": the model ran on an OpenAI-compatible server
    server: str | None = None  # the server's URL that answered

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "quantization": self.quantization,
            "chat_format": self.chat_format,
            "backend": self.backend,
            "server": self.server,
        }


@dataclass
class Report:
    analysis: Analysis
    settings: Settings
    cv_name: str
    job_name: str
    advice: str = ""
    warnings: list[str] = field(default_factory=list)
    model: ModelInfo | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    plan: Plan | None = None
    # The advice by section, each checked: written by the model, or the plan's text where the model's failed.
    advice_sections: list[AdviceSection] = field(default_factory=list)

    def complete_from_plan(self, reason: str) -> None:
        """Fill the sections the model did not get to with the plan's own text (after a stop)."""
        if self.plan is None:
            return
        done = {section.section for section in self.advice_sections}
        for section in plan_sections(self.plan, reason):
            if section.section not in done:
                self.advice_sections.append(section)
        order = {name: index for index, name in enumerate(PLAN_SECTIONS)}
        self.advice_sections.sort(key=lambda section: order[section.section])
        self.advice = advice_text(self.advice_sections)

    def advice_sources(self) -> dict[str, int]:
        """How many sections the user reads as the model wrote them, and how many come from the plan."""
        return {
            "model": sum(section.source == "model" for section in self.advice_sections),
            "plan": sum(section.source == "plan" for section in self.advice_sections),
        }

    def to_dict(self) -> dict[str, Any]:
        analysis = self.analysis
        return {
            "verdict": analysis.verdict,
            "score": analysis.score,
            "score_version": analysis.score_version,
            "language": analysis.language,
            "knockouts": analysis.knockouts,
            "cv_years_of_experience": analysis.cv_years,
            "sections": {
                name: {"present": hit.present, "evidence": hit.evidence, "core": name in CORE_SECTIONS}
                for name, hit in analysis.sections.items()
            },
            "missing_sections": analysis.missing_sections,
            "requirements": [
                {
                    "text": match.requirement.text,
                    "kind": match.requirement.kind,
                    "must": match.requirement.must,
                    "status": match.status,
                    "coverage": round(match.credit, 3),
                    "evidence": match.evidence,
                    "missing": list(match.missing_words),
                }
                for match in analysis.matches
            ],
            "plan": self.plan.to_list() if self.plan else [],
            "advice": self.advice,
            "advice_sections": [section.to_dict() for section in self.advice_sections],
            "advice_sources": self.advice_sources(),
            "warnings": self.warnings,
            "model": self.model.to_dict() if self.model else None,
            "settings": self.settings.model_dump(),
            "metrics": self.metrics,
            "inputs": {"cv": self.cv_name, "job": self.job_name},
        }

    # --- text forms ------------------------------------------------------

    def findings_markdown(self) -> str:
        """Verdict, sections and requirements: everything that needs no model."""
        analysis = self.analysis
        lines = [
            f"## Verdict: {VERDICT_TEXT[analysis.verdict]} — score {analysis.score}/100",
            f"_CV: {escape_markdown(self.cv_name)} · job: {escape_markdown(self.job_name)} · "
            f"score v{analysis.score_version} · "
            f"language: {analysis.language}_",
            "",
        ]
        if analysis.knockouts:
            lines += ["**Knock-outs** (each one alone rules the application out):"]
            lines += [f"- {escape_markdown(knockout)}" for knockout in analysis.knockouts]
            lines.append("")
        lines.append("### CV sections")
        for name in CORE_SECTIONS:
            hit = analysis.sections[name]
            label = name.replace("_", " ")
            lines.append(
                f"- {'✓' if hit.present else '✗ missing:'} {label}"
                + (f" — “{escape_markdown(hit.evidence)}”" if hit.evidence else "")
            )
        others = [name for name, hit in analysis.sections.items() if hit.present and name not in CORE_SECTIONS]
        if others:
            lines.append(f"- also present: {', '.join(name.replace('_', ' ') for name in others)}")
        lines += [
            "",
            "### Requirements",
            "",
            "| | requirement | must | kind | evidence in your CV | not shown |",
            "|---|---|---|---|---|---|",
        ]
        for match in analysis.matches:
            # Escaped, so a "|" cannot split the row either (escape_markdown writes it as "\|").
            evidence = escape_markdown(match.evidence or "—")
            text = escape_markdown(match.requirement.text)
            must = "must" if match.requirement.must else "nice"
            # Only where part of it is shown: for a missing requirement the whole text is the gap.
            not_shown = escape_markdown(", ".join(match.missing_words)) if match.status != "missing" else ""
            lines.append(
                f"| {STATUS_MARK[match.status]} {match.status} | {text} | {must} "
                f"| {match.requirement.kind} | {evidence} | {not_shown or '—'} |"
            )
        if not analysis.matches:
            lines.append("| | (no requirements found in the job description) | | | | |")
        return "\n".join(lines)

    def warnings_markdown(self) -> str:
        if not self.warnings:
            return ""
        return "### Warnings\n" + "\n".join(f"- {escape_markdown(warning)}" for warning in self.warnings)

    def metrics_line(self) -> str:
        m = self.metrics
        if not m.get("generated_tokens"):
            return f"analysis {m.get('analysis_ms', 0):.1f} ms"
        if m.get("backend") == "server":
            # Measured here, over HTTP; the server's own figures only where it reports them.
            parts = [
                f"served by {m.get('server')}" + (f" (worker {m['server_worker']})" if m.get("server_worker") else ""),
                f"ttft {m['ttft_s']:.2f} s (client)" if m.get("ttft_s") is not None else None,
                f"prompt {m['prompt_tokens']} tok",
                f"{m['generated_tokens']} tok generated at {m['gen_tokens_per_s']:.1f} tok/s (client)"
                if m.get("gen_tokens_per_s")
                else f"{m['generated_tokens']} tok generated",
                f"{m['server_gen_tokens_per_s']:.1f} tok/s (server)" if m.get("server_gen_tokens_per_s") else None,
                f"total {m['total_s']:.1f} s",
                "server RAM unknown",
            ]
            return " · ".join(part for part in parts if part)
        parts = [
            f"ttft {m['ttft_s']:.2f} s" if m.get("ttft_s") is not None else None,
            f"prompt {m['prompt_tokens']} tok ({m['prompt_tokens_reused']} reused)",
            f"{m['prompt_tokens_per_s']:.0f} tok/s prompt" if m.get("prompt_tokens_per_s") else None,
            f"{m['generated_tokens']} tok generated at {m['gen_tokens_per_s']:.1f} tok/s"
            if m.get("gen_tokens_per_s")
            else None,
            f"total {m['total_s']:.1f} s",
            f"RSS {m['rss_mb']:.0f} MB (peak {m['peak_rss_mb']:.0f} MB)",
            f"model {m['model_size_mb']:.0f} MB, {m['gpu_layers']} GPU layers",
        ]
        return " · ".join(part for part in parts if part)

    def plan_markdown(self) -> str:
        if self.plan is None:
            return ""
        lines = ["### Plan (from the findings; no model involved)", ""]
        for section in PLAN_SECTIONS:
            actions = self.plan.for_section(section)
            if actions:
                lines.append(f"**{self.plan.heading(section).rstrip(':')}**")
                lines += [f"- [ ] {escape_markdown(action.action)}" for action in actions]
                lines.append("")
        return "\n".join(lines).rstrip()

    def advice_markdown(self) -> str:
        """The advice by section; a section from the plan is marked, and the count of each kind is given."""
        if not self.advice_sections:
            return "### Advice\n\n" + escape_markdown(self.advice.strip()) if self.advice else ""
        sources = self.advice_sources()
        lines = [
            "### Advice",
            "",
            f"_{sources['model']} sections written by the model and checked; {sources['plan']} from the plan, "
            "where the model's text failed a check._",
            "",
        ]
        for section in self.advice_sections:
            lines += [section.markdown(), ""]
            if section.problems:
                found = "; ".join(f"{problem.check}: {problem.detail}"[:160] for problem in section.problems[:3])
                lines += [f"> the model's text was replaced because of: {escape_markdown(found)}", ""]
        return "\n".join(lines).rstrip()

    def to_markdown(self) -> str:
        sections = [f"# CV Enhancer report\n\n{self.findings_markdown()}"]
        if self.plan is not None:
            sections.append(self.plan_markdown())
        if self.advice or self.advice_sections:
            sections.append(self.advice_markdown())
        if self.warnings:
            sections.append(self.warnings_markdown())
        if self.model:
            sections.append(
                f"_Model: {self.model.name} ({self.model.quantization or 'unknown quantization'}) "
                f"· {self.metrics_line()}_"
            )
        return "\n\n".join(sections) + "\n"


def metric_rows(metrics: dict[str, Any], gpu_memory_mb: float | None = None) -> list[tuple[str, str]]:
    """The metrics panel's rows: (label, value), with units, "—" where not measured yet."""

    def value(key: str, fmt: str, unit: str = "") -> str:
        number = metrics.get(key)
        return "—" if number is None else f"{number:{fmt}}{unit}"

    if metrics.get("backend") == "server":
        reused = metrics.get("prompt_tokens_reused")
        return [
            ("Served by", str(metrics.get("server") or "—")),
            ("Worker (behind the balancer)", str(metrics.get("server_worker") or "—")),
            ("Time to first token (client)", value("ttft_s", ".2f", " s")),
            ("Generation speed (client)", value("gen_tokens_per_s", ".1f", " tok/s")),
            ("Prompt speed (server)", value("server_prompt_tokens_per_s", ".0f", " tok/s")),
            ("Generation speed (server)", value("server_gen_tokens_per_s", ".1f", " tok/s")),
            (
                "Tokens (prompt / reused / new)",
                f"{metrics.get('prompt_tokens', 0)} / {'?' if reused is None else reused} / "
                f"{metrics.get('generated_tokens', 0)}",
            ),
            ("Total time (client)", value("total_s", ".1f", " s")),
            ("Server RAM", "unknown (the model runs on the server)"),
            ("Model file", value("model_size_mb", ".0f", " MB")),
        ]
    cpu_only = "" if metrics.get("gpu_offload_supported", True) else " (CPU-only build)"
    rows = [
        ("Time to first token", value("ttft_s", ".2f", " s")),
        ("Prompt speed", value("prompt_tokens_per_s", ".0f", " tok/s")),
        ("Generation speed", value("gen_tokens_per_s", ".1f", " tok/s")),
        (
            "Tokens (prompt / reused / new)",
            f"{metrics.get('prompt_tokens', 0)} / {metrics.get('prompt_tokens_reused', 0)} / "
            f"{metrics.get('generated_tokens', 0)}",
        ),
        ("Total time", value("total_s", ".1f", " s")),
        ("RAM now (RSS)", value("rss_mb", ".0f", " MB")),
        ("RAM peak", value("peak_rss_mb", ".0f", " MB")),
        ("Model file", value("model_size_mb", ".0f", " MB")),
        ("GPU layers", f"{metrics.get('gpu_layers', 0)}{cpu_only}"),
    ]
    if gpu_memory_mb is not None:
        rows.append(("GPU memory used", f"{gpu_memory_mb:.0f} MB"))
    return rows
