"""Does an answerer's confidence tell "not in the documents" apart only when the question reuses the article's words?

    .venv/bin/python benchmarks/confidence_by_overlap.py REPORT.json [--negative absent]

Reads a `citebot eval` JSON report whose gold items carry evidence sentences (SQuAD files do; `citebot eval squad
FILE --held-out --absent 0.2` gives questions about left-out paragraphs, kind "absent"). It splits the answerable
questions into thirds by how many of the question's words (BM25 tokens) the gold sentence holds, and for each run
gives the AUC of its confidence between each third and the negative kind ("absent" or "unanswerable"). If the AUC
falls with the overlap, the confidence rests on shared words, and questions people paraphrase will look
unanswerable. Results: docs/reader-sweep.md. Not part of the test run.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.bm25 import Tokenizer  # noqa: E402
from qa.stats import auc  # noqa: E402

ANSWERABLE = ("single", "multi")


def overlap(tok: Tokenizer, question: str, evidence: str) -> float:
    q = set(tok(question))
    return len(q & set(tok(evidence))) / max(1, len(q))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="benchmarks/confidence_by_overlap.py")
    p.add_argument("report")
    p.add_argument("--negative", default="absent", choices=("absent", "unanswerable"))
    a = p.parse_args(argv)
    report = json.loads(Path(a.report).read_text(encoding="utf-8"))
    items = {i["id"]: i for i in report["items"]}
    tok = Tokenizer()
    share = {i: overlap(tok, it["question"], it["evidence"]) for i, it in items.items()
             if it.get("kind") in ANSWERABLE and it.get("evidence")}
    if not share or not any(it.get("kind") == a.negative for it in items.values()):
        raise SystemExit(f"{a.report}: needs answerable questions with evidence and questions of kind {a.negative}")
    cuts = np.quantile(list(share.values()), [1 / 3, 2 / 3])
    thirds = [("low", -1.0, cuts[0]), ("middle", cuts[0], cuts[1]), ("high", cuts[1], 2.0)]
    print("| run | all answerable | " + " | ".join(f"{n} overlap" for n, _, _ in thirds) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in thirds) + " |")
    for run in report["runs"]:
        conf = {r["id"]: r["confidence"] for r in run["results"] if r.get("confidence") is not None}
        neg = [c for i, c in conf.items() if items[i].get("kind") == a.negative]
        cells = [f"{auc([conf[i] for i in share if i in conf], neg):.3f}"]
        for _, lo, hi in thirds:
            cells.append(f"{auc([conf[i] for i, s in share.items() if lo < s <= hi and i in conf], neg):.3f}")
        print(f"| {run['name']} | " + " | ".join(cells) + " |")
    print(f"\nAUC against {len(neg)} questions of kind {a.negative}; thirds of {len(share)} answerable questions "
          f"split at overlap {cuts[0]:.2f} and {cuts[1]:.2f} (share of the question's words in the gold sentence)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
