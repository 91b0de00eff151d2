"""Whole-process indexing costs: a full ``citebot index`` against one raw encode of the same text, and re-indexes.

    .venv/bin/python benchmarks/index_bench.py [--corpus squad synthetic] [--rounds 3] [--out out/index-bench.json]

Every figure is the wall time of a fresh process, as a user waits for it (interpreter, imports, model load):
- raw: ``SentenceTransformer.encode`` of each document's text once (its paragraphs, each cut into pieces of at
  most the model's 256 tokens so that every token is encoded once, none truncated away), model load included; full: ``citebot index FOLDER`` into a new folder. The two alternate which runs first, for
  ``--rounds`` rounds; medians are reported, and their ratio (target: full ≤ 1.2 × raw);
- no change: ``citebot index FOLDER`` again (target ≤ 0.5 s on the SQuAD folder);
- one file changed: a sentence appended to one file, then ``citebot index FOLDER`` (target ≤ 2 s, 2,000 files).
Corpora: the public SQuAD dev file (one file per paragraph) and a synthetic folder of 2,000 short articles made of
sentences of the SQuAD train sample (benchmarks/synthetic.py). Not part of the test run.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "eval" / "data"
SQUAD = Path(os.environ.get("CITEBOT_SQUAD", DATA / "squad-v2.0-dev-public.json"))
SENTENCE_SOURCE = DATA / "squad-v2.0-train-sample.json"
CORPORA = ("squad", "synthetic")
TARGETS = {"full_over_raw": 1.2, "no_change_s": 0.5, "one_changed_s": 2.0}

RAW = """
import sys
from pathlib import Path
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(sys.argv[1], device="cpu", local_files_only=True)
tok, room = model.tokenizer, model.max_seq_length - 2  # [CLS] and [SEP] around every piece
texts = []
for f in sorted(Path(sys.argv[2]).rglob("*.txt")):
    for para in f.read_text(encoding="utf-8").split("\\n\\n"):
        if not para.strip():
            continue
        spans = tok(para, add_special_tokens=False, return_offsets_mapping=True, verbose=False)["offset_mapping"]
        for a in range(0, len(spans), room):  # every token once: a paragraph longer than the model takes is cut
            texts.append(para[spans[a][0]:spans[min(a + room, len(spans)) - 1][1]])
model.encode(texts, show_progress_bar=False)
"""

def _wall(cmd: list[str]) -> float:
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE", HF_HUB_OFFLINE="1")  # as the citebot CLI runs, for both
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - t
    if p.returncode:
        raise RuntimeError(f"{' '.join(cmd[:3])}… exited {p.returncode}: {p.stderr.strip()[-300:]}")
    return wall


def _citebot() -> list[str]:
    exe = Path(sys.executable).with_name("citebot")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "citebot.cli"]


def squad_folder(work: Path) -> Path:
    from eval.squad import load_squad, write_documents

    return write_documents(load_squad(SQUAD), work / "squad")


def measure(folder: Path, work: Path, rounds: int) -> dict:
    from index.embed import default_model_dir

    model = str(os.environ.get("CITEBOT_MODEL") or default_model_dir())
    raw, full = [], []
    for r in range(rounds):
        steps = [("raw", lambda: raw.append(_wall([sys.executable, "-c", RAW, model, str(folder)]))),
                 ("full", lambda: full.append(_wall([*_citebot(), "index", str(folder), "--index-dir",
                                                      str(work / f"ix-{folder.name}-{len(full)}")])))]
        for _, step in (steps if r % 2 == 0 else steps[::-1]):
            step()
    ix = str(work / f"ix-{folder.name}-0")
    no_change = [_wall([*_citebot(), "index", str(folder), "--index-dir", ix]) for _ in range(rounds)]
    files = sorted(folder.rglob("*.txt"))
    changed = []
    for i in range(rounds):
        victim = files[(i * 7919) % len(files)]
        original = victim.read_bytes()
        victim.write_text(original.decode("utf-8") + f"\n\nThis sentence {i} was added by the benchmark.\n",
                          encoding="utf-8")
        try:
            changed.append(_wall([*_citebot(), "index", str(folder), "--index-dir", ix]))
        finally:
            victim.write_bytes(original)
            os.utime(victim)
    return {"files": len(files), "raw_s": statistics.median(raw), "raw_runs_s": raw,
            "full_s": statistics.median(full), "full_runs_s": full,
            "full_over_raw": statistics.median(full) / statistics.median(raw),
            "no_change_s": statistics.median(no_change), "no_change_runs_s": no_change,
            "one_changed_s": statistics.median(changed), "one_changed_runs_s": changed}


def check(name: str, r: dict) -> list[str]:
    out = [f"{name}: full index / raw encode {r['full_over_raw']:.2f} (target ≤ {TARGETS['full_over_raw']})"]
    if name == "squad":
        out.append(f"{name}: no-change re-index {r['no_change_s']:.2f} s (target ≤ {TARGETS['no_change_s']})")
    if name == "synthetic":
        out.append(f"{name}: one changed file {r['one_changed_s']:.2f} s (target ≤ {TARGETS['one_changed_s']})")
    return out


def run(corpora: list[str], rounds: int, out: Path, files: int = 2000) -> dict:
    from benchmarks.synthetic import text_folder

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    results = {}
    with tempfile.TemporaryDirectory(prefix="citebot-index-bench-") as tmp:
        work = Path(tmp)
        for name in corpora:
            folder = squad_folder(work) if name == "squad" else text_folder(work / "synthetic", files,
                                                                            SENTENCE_SOURCE)
            results[name] = measure(folder, work, rounds)
            for line in check(name, results[name]):
                print(line, flush=True)
    report = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "cpus": os.cpu_count(),
              "load_average_at_end": os.getloadavg(), "rounds": rounds, "results": results}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"wrote {out}")
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", nargs="+", default=list(CORPORA), choices=CORPORA)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--files", type=int, default=2000, help="files in the synthetic folder (default 2000)")
    p.add_argument("--out", type=Path, default=ROOT / "out" / "index-bench.json")
    a = p.parse_args(argv)
    run(a.corpus, a.rounds, a.out, a.files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
