"""Time every hostile file of issue 12 through the document readers, with the peak memory it needs.

    .venv/bin/python scripts/hostile_files.py            # Markdown table on stdout
    .venv/bin/python scripts/hostile_files.py --json     # one JSON object per case

Each case runs in a fresh Python process (`read_bytes` on the file, built in
memory by tests/hostile_files.py): the table gives the wall time, how it
ended (the text's size and hidden words, or the one-line refusal), the peak
RSS of that process and the peak RSS of the PDF worker it started, and the CPU
seconds both used (on a busy machine wall time runs well above CPU time). The target:
every case read or refused within 10 s and under 1 GB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile_files import hostile_cases  # noqa: E402

CHILD = """
import json, resource, sys, time
from app.analysis.documents import read_bytes
from app.errors import DocumentError
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
try:
    document = read_bytes(data, sys.argv[2])
    outcome = f"read: {len(document.text):,} chars, {document.hidden_words} hidden words"
except DocumentError as error:
    outcome = "refused: " + str(error)
seconds = time.perf_counter() - started
print(json.dumps({
    "seconds": seconds,
    "outcome": outcome,
    # VmHWM: this process's own peak (ru_maxrss may carry the parent's over exec).
    "rss_mb": int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024,
    "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    # CPU seconds of this process and its PDF worker: what the case costs on an idle machine.
    "cpu_s": sum(getattr(resource.getrusage(who), field) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
                 for field in ("ru_utime", "ru_stime")),
}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="one JSON object per case instead of a table")
    parser.add_argument("--only", help="run only the cases whose name contains this text")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for case, name, build in hostile_cases():
            if args.only and args.only.lower() not in case.lower():
                continue
            data = build()
            path = Path(folder) / name
            path.write_bytes(data)
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(path), name], capture_output=True, text=True, cwd=ROOT, check=False
            )
            wall = time.perf_counter() - started
            try:
                result = json.loads(done.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                result = {"outcome": "CRASHED: " + done.stderr.strip()[-300:]}
            row = {"case": case, "file_kb": round(len(data) / 1024, 1), "process_s": round(wall, 2), **result}
            rows.append(row)
            if args.json:
                print(json.dumps(row, ensure_ascii=False), flush=True)
    if not args.json:
        print("| case | file | result | read time | process time | CPU time | peak RSS (reader / PDF worker) |")
        print("|---|---:|---|---:|---:|---:|---:|")
        for row in rows:
            print(
                f"| {row['case']} | {row['file_kb']:,} KB | {row['outcome']} | {row.get('seconds', 0):.2f} s "
                f"| {row['process_s']:.2f} s | {row.get('cpu_s', 0):.2f} s "
                f"| {row.get('rss_mb', 0):.0f} / {row.get('worker_rss_mb', 0):.0f} MB |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
