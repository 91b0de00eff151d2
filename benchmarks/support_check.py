"""How well the support check agrees with people, on LLM answer sentences judged by hand.

    .venv/bin/python benchmarks/support_check.py [--judged eval/gold/llm/support-judgements.jsonl]

``--answers``: what ``benchmarks/llm_answers.py`` recorded (each claim of each reply and each passage it cites).
``--judged``: for the same (question, claim, passage) a person's verdict, written from the claim and the passage
alone, without any score. The check is run again now (``qa.support``, over fresh indexes of seeds/ and
eval/corpus/docs, where the recorded passages are found by their text). Prints per answers file and for all: at
the shipped threshold, agreement with the judgements, the check's precision and recall for "supported", and
citation precision as people judge it before the check (every citation the model made) and after it (the
citations the check keeps); then agreement over a sweep of thresholds.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LLM_GOLD = ROOT / "eval" / "gold" / "llm"
GRID = [round(0.2 + 0.1 * i, 1) for i in range(15)]
ANSWERS = ((LLM_GOLD / "seeds-qwen2.5-coder-1.5b.jsonl", ROOT / "seeds"),
           (LLM_GOLD / "documents-qwen2.5-coder-1.5b.jsonl", ROOT / "eval" / "corpus" / "docs"))


def pairs(answers: Path, judged: dict, index) -> list[tuple[float, bool, bool]]:
    """(score, states its numbers and names, judged supported) for each judged citation of one answers file."""
    from qa.support import SentenceSupport

    support = SentenceSupport(index)
    where = {(index.docs[c.doc].doc_id, c.text): row for row, c in enumerate(index.chunks)}
    out = []
    for line in answers.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        for i, c in enumerate(r["claims"]):
            for cite in c["cites"]:
                verdict = judged.get((r["id"], i, cite["n"]))
                if verdict is None:
                    continue
                row = where.get((cite["doc_id"], cite["passage"]))
                if row is None:
                    raise SystemExit(f"{answers}: {r['id']} cites a passage this index does not hold")
                best = support.best(c["claim"], index.passage(row, 0.0))
                out.append((best.score, best.states, verdict) if best else (0.0, False, verdict))
    return out


def agreement(rows, threshold: float) -> float:
    return sum((s >= threshold and states) == y for s, states, y in rows) / len(rows)


def report(name: str, rows, threshold: float) -> None:
    kept = [y for s, st, y in rows if s >= threshold and st]
    tp, pos = sum(kept), sum(y for *_, y in rows)
    print(f"{name}: {len(rows)} judged citations, {pos} supported; at threshold {threshold:g}: agreement "
          f"{agreement(rows, threshold):.3f}, check precision {tp / max(len(kept), 1):.3f}, recall {tp / max(pos, 1):.3f}; "
          f"citation precision as judged: before the check {pos / len(rows):.3f}, after it "
          f"{tp / max(len(kept), 1):.3f} ({len(kept)} kept)")


def main() -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from index import build_index, get_embedder, open_index
    from qa.support import SUPPORT_THRESHOLD

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--judged", type=Path, default=LLM_GOLD / "support-judgements.jsonl")
    args = ap.parse_args()
    judged = {(j["id"], j["claim"], j["n"]): bool(j["supported"])
              for j in map(json.loads, args.judged.read_text(encoding="utf-8").splitlines())}
    every = []
    with tempfile.TemporaryDirectory() as tmp:
        for answers, docs in ANSWERS:
            build_index([docs], Path(tmp) / answers.stem, get_embedder())
            rows = pairs(answers, judged, open_index(Path(tmp) / answers.stem))
            report(answers.stem, rows, SUPPORT_THRESHOLD)
            print("  agreement by threshold: " + ", ".join(f"{g:g}: {agreement(rows, g):.3f}" for g in GRID))
            every += rows
    report("all", every, SUPPORT_THRESHOLD)
    print("  agreement by threshold: " + ", ".join(f"{g:g}: {agreement(every, g):.3f}" for g in GRID))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
