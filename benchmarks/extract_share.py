"""How much of ``citebot index`` time goes to reading files, on the real documents of eval/corpus/docs.

    .venv/bin/python benchmarks/extract_share.py [FOLDER] [--rounds 3]

For each format: files, pages (PDF), extraction seconds (the format's reader plus cleaning: ``load_document``,
median of ``--rounds``) and pages/s; then a full ``citebot index`` of the same folder in a fresh process, the
share of its wall time that reading took (target: reading is not the larger part, i.e. < 0.5 of the PDF part's
indexing), and a no-change re-index in a fresh process (target ≤ 0.5 s). Not part of the test run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def read_times(folder: Path, rounds: int) -> dict[str, list]:
    from index.ingest import load_document, scan_files

    per = defaultdict(lambda: [0, 0, 0.0])  # files, pages, seconds
    for source in sorted(scan_files([str(folder)])):
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            doc = load_document(Path(source))
            times.append(time.perf_counter() - t0)
        fmt = getattr(doc, "fmt", "skipped")
        per[fmt][0] += 1
        per[fmt][1] += len(doc.layout.pages) if hasattr(doc, "layout") else 0
        per[fmt][2] += statistics.median(times)
    return per


def index_seconds(folder: Path, index_dir: Path) -> float:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "citebot.cli", "index", str(folder), "--index-dir", str(index_dir)],
                   check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder", nargs="?", default=str(ROOT / "eval" / "corpus" / "docs"))
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    folder = Path(args.folder)
    per = read_times(folder, args.rounds)
    print("| format | files | pages | reading s | pages/s |\n|---|---:|---:|---:|---:|")
    for fmt, (files, pages, secs) in sorted(per.items()):
        rate = f"{pages / secs:.0f}" if pages else "n/a"
        print(f"| {fmt} | {files} | {pages or ''} | {secs:.2f} | {rate} |")
    with tempfile.TemporaryDirectory() as tmp:
        for name, part in (("PDF part", folder / "pdf"), ("whole corpus", folder)):
            if not part.is_dir():
                continue
            copy = Path(tmp) / name.replace(" ", "-")
            shutil.copytree(part, copy)
            reading = sum(v[2] for k, v in read_times(copy, 1).items())
            full = index_seconds(copy, Path(tmp) / f"{copy.name}-ix")
            again = index_seconds(copy, Path(tmp) / f"{copy.name}-ix")
            print(f"{name}: citebot index {full:.1f} s in a fresh process, of which reading {reading:.1f} s "
                  f"({reading / full:.0%}); no-change re-index {again:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
