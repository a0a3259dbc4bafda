"""Download, list, verify and remove the GGUF models of the catalog (models/catalog.toml).

A model is NAME (its default quantization, Q4_K_M) or NAME:QUANT, e.g.
llama-2-7b-chat, llama-2-7b-chat:Q5_K_M, mistral-7b-instruct-v0.2:Q8_0; `list`
shows them all. Files come from the Hugging Face Hub into models/ with a
progress bar; an interrupted download resumes where it stopped when you run the
same command again. Every file is checked (size and sha256) before it is put in
place, and the download is refused up front when the disk is too small. Two
downloads of one model never run at once: the second waits for the first. A
model already on disk is checked quickly (its size and a sample of its bytes);
`verify` re-hashes whole files.

Examples:
  python scripts/download_models.py list
  python scripts/download_models.py download llama-2-7b-chat          # Q4_K_M: 4.1 GB, about 6.7 GB of RAM
  python scripts/download_models.py download mistral-7b-instruct-v0.2:Q5_K_M
  python scripts/download_models.py verify                            # re-hash what is on disk
  python scripts/download_models.py remove llama-2-7b-chat
  HF_HUB_OFFLINE=1 python scripts/download_models.py list             # only what is on disk, no network
  python scripts/download_models.py synthesize llama-2-7b-chat        # same-shape synthetic model, speed only

`synthesize NAME[:QUANT]` needs no network: it builds, under models/.synthetic/,
a model with the real one's architecture, vocabulary size and tensor types but
random weights (an F16 file written with gguf-py, quantized by llama.cpp's own
quantizer, then deleted; about 13.5 GB of free disk for a while for a 7B
model). Its speed is the real model's, its text is noise: benchmark it with
`scripts/benchmark.py -m synthetic:NAME[:QUANT]`; it is never listed as
downloaded and never used for advice.

Offline (--offline or HF_HUB_OFFLINE=1): only what is on disk is listed and
used; nothing touches the network. A model that is on disk never needs it.
Sizes and sha256 the catalog does not know are recorded in models/downloads.json
by the first download, and checked against from then on.

Exit codes: 0 done; 2 bad input, or a download or check failed (one line on
stderr saying what to do); 1 an internal error; 130 interrupted (run the same
command again to resume a download).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cli import Parser, PhaseBars, parser_from_doc, run
from app.errors import DownloadError
from app.hub.catalog import MODELS_DIR, CatalogEntry, find_entry, load_catalog
from app.hub.downloads import download, is_offline, remove, verify
from app.hub.records import model_states


def _add_common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The options every command takes, before or after its name.

    The commands' copies default to SUPPRESS, so an option given before the command is not reset by them.
    """

    def value(real: Any) -> Any:
        return argparse.SUPPRESS if suppress else real

    parser.add_argument(
        "--models-dir", type=Path, default=value(MODELS_DIR), help="where model files go (default: models/)"
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        default=value(False),
        help="use only what is on disk, never the network (same as HF_HUB_OFFLINE=1)",
    )
    parser.add_argument(
        "--quiet", action="store_true", default=value(False), help="no progress bars or progress messages"
    )
    parser.add_argument(
        "--catalog", type=Path, default=value(None), help="another catalog file (tests, private mirrors)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = parser_from_doc("download_models.py", __doc__)
    _add_common(parser, suppress=False)
    common = Parser(add_help=False)
    _add_common(common, suppress=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)

    listing = commands.add_parser(
        "list", parents=[common], help="the catalog's models: size, RAM needed, on disk or not, path"
    )
    listing.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    fetch = commands.add_parser(
        "download", parents=[common], help="download models into the models folder (resumes, then checks)"
    )
    fetch.add_argument(
        "models", nargs="+", metavar="NAME[:QUANT]", help="e.g. llama-2-7b-chat or llama-2-7b-chat:Q5_K_M"
    )
    check = commands.add_parser("verify", parents=[common], help="re-hash files on disk against the known sha256")
    check.add_argument("models", nargs="*", metavar="NAME[:QUANT]", help="what to check (default: all on disk)")
    delete = commands.add_parser("remove", parents=[common], help="delete downloaded models (and partial downloads)")
    delete.add_argument("models", nargs="+", metavar="NAME[:QUANT]")
    synth = commands.add_parser(
        "synthesize",
        parents=[common],
        help="build same-shape models with synthetic weights (speed estimates only; no network)",
    )
    synth.add_argument("models", nargs="+", metavar="NAME[:QUANT]", help="e.g. llama-2-7b-chat:Q4_K_M")
    synth.add_argument("--threads", type=int, default=0, help="quantizer threads (default: all cores)")
    synth.add_argument("--rebuild", action="store_true", help="build again even when a built file is there")
    synth.add_argument(
        "--method",
        choices=("direct", "f16"),
        default="direct",
        help="direct (default): llama.cpp's recipe, each tensor quantized by ggml, written at once; f16: write an "
        "F16 file (13.5 GB for 7B) and quantize it with llama_model_quantize (same result, much slower)",
    )
    return parser


_RESUME_HINT = "; run the same command again to resume the download"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(lambda: _main(args), interrupted_hint=_RESUME_HINT if args.command == "download" else "")


def _main(args: argparse.Namespace) -> int:
    entries = load_catalog(args.catalog)
    if args.command == "synthesize":
        return _synthesize(args)
    chosen = [find_entry(name, entries) for name in getattr(args, "models", [])]
    if args.command == "list":
        return _list(entries, args)
    if args.command == "download":
        return _download(chosen, args)
    if args.command == "verify":
        return _verify(chosen or entries, args, all_on_disk=not chosen)
    return _remove(chosen, args)


def _say(args: argparse.Namespace, message: str) -> None:
    """Progress messages go to stderr, so stdout holds only results (paths, the table, JSON)."""
    if not args.quiet:
        print(message, file=sys.stderr, flush=True)


def _list(entries: list[CatalogEntry], args: argparse.Namespace) -> int:
    offline = is_offline(args.offline)
    states = model_states(entries, args.models_dir)
    if offline:
        states = [state for state in states if state.on_disk]  # offline, only what is on disk exists
    if args.json:
        models = [
            {
                "name": state.entry.cli_name,
                "family": state.entry.name,
                "quantization": state.entry.quantization,
                "default": state.entry.default,
                "embedded": state.entry.embedded,
                "repo_id": state.entry.repo_id or None,
                "filename": state.entry.filename,
                "revision": state.revision or None,
                "size_bytes": state.size_bytes,
                "size_gb": round(state.size_bytes / 1e9 if state.size_bytes else state.entry.approx_gb, 2),
                "sha256": state.sha256,
                "ram_gb": state.entry.ram_gb,
                "chat_format": state.entry.chat_format or None,
                "context_length": state.entry.context_length,
                "licence": state.entry.licence,
                "downloaded": state.on_disk,
                "path": str(state.path.absolute()),
            }
            for state in states
        ]
        print(
            json.dumps({"models_dir": str(args.models_dir.absolute()), "offline": offline, "models": models}, indent=2)
        )
        return 0

    rows = [("NAME", "QUANT", "SIZE", "RAM", "ON DISK", "PATH")]
    for state in states:
        size = f"{state.size_bytes / 1e9:.1f} GB" if state.size_bytes else f"~{state.entry.approx_gb:.1f} GB"
        path = _shown(state.path) + (" (embedded)" if state.entry.embedded else "")
        on_disk = "yes" if state.on_disk else "no"
        rows.append(
            (state.entry.cli_name, state.entry.quantization, size, f"{state.entry.ram_gb:.1f} GB", on_disk, path)
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)) + "  " + row[-1])
    if offline:
        print("\noffline: only models on disk are listed.")
    else:
        print(
            "\nNAME alone picks the default quantization (Q4_K_M). ~: size from the model card (not downloaded yet)."
            "\nRAM: estimate at a 4096-token context. Get one with: download_models.py download NAME"
        )
    return 0


def _shown(path: Path) -> str:
    """Paths under the current folder as typed ("models/x.gguf"); others in full."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path.absolute())


def _download(chosen: list[CatalogEntry], args: argparse.Namespace) -> int:
    offline = is_offline(args.offline)
    for entry in chosen:
        if not entry.embedded and not (args.models_dir / entry.filename).is_file() and not offline:
            size = f"{entry.size_gb:.1f} GB" if entry.size_bytes else f"about {entry.size_gb:.1f} GB"
            _say(args, f"{entry.cli_name}: downloading {entry.filename} ({size}) from {entry.repo_id}")
        result = download(
            entry,
            args.models_dir,
            offline=offline,
            progress=not args.quiet,
            on_wait=lambda message: _say(args, message),
        )
        if not result.fetched:
            what = "ships with the install" if entry.embedded else f"already downloaded; {result.checked}"
            _say(args, f"{entry.cli_name}: {what}")
        print(result.path)
    return 0


def _verify(entries: list[CatalogEntry], args: argparse.Namespace, *, all_on_disk: bool) -> int:
    bad: list[str] = []
    checked = 0
    for entry in entries:
        check = verify(entry, args.models_dir, progress=not args.quiet)
        if check.state == "missing":
            if all_on_disk:
                continue
            raise DownloadError(
                f"{entry.cli_name} is not downloaded; run `download_models.py download {entry.cli_name}`."
            )
        checked += 1
        print(f"{check.state:<10}  {entry.cli_name}  {check.detail}  {check.path}")
        if check.state == "mismatch":
            bad.append(entry.cli_name)
    if not checked:
        print("no model files on disk to verify")
    if bad:
        raise DownloadError(
            f"{len(bad)} model file(s) failed verification ({', '.join(bad)}); run `download_models.py remove "
            f"{bad[0]}` and download it again."
        )
    return 0


def _remove(chosen: list[CatalogEntry], args: argparse.Namespace) -> int:
    for entry in chosen:
        removed = remove(entry, args.models_dir)
        if removed:
            for path in removed:
                print(f"removed {path}")
        else:
            print(f"{entry.cli_name} is not downloaded; nothing to remove")
    return 0


def _synthesize(args: argparse.Namespace) -> int:
    """Build each synthetic model (or reuse it) and say how its size compares with the real file's."""
    from app.llm.synthetic import build_synthetic, resolve_target, size_comparison

    targets = [resolve_target(name) for name in args.models]  # every name checked before the first build
    for entry, _arch in targets:
        with PhaseBars(f"{entry.ref}: ", disable=args.quiet) as bars:
            built = build_synthetic(
                entry.ref,
                args.models_dir,
                threads=args.threads,
                progress=bars,
                rebuild=args.rebuild,
                method=args.method,
            )
        what = f"built in {built.seconds:.0f} s" if built.built else "already built"
        _say(args, f"synthetic {entry.ref}: {what}; {size_comparison(entry, built.size_bytes)}")
        print(built.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
