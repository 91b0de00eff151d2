"""How well the support check agrees with people, on LLM answer sentences judged by hand.

    .venv/bin/python benchmarks/support_check.py [--answers eval/gold/llm/seeds-qwen2.5-coder-1.5b.jsonl ...]
        [--judged eval/gold/llm/support-judgements.jsonl]

``--answers``: what ``benchmarks/llm_answers.py`` recorded (each claim of each reply, each passage it cites, and the
check's score for the passage's best sentence). ``--judged``: for the same (question, claim, passage) a person's
verdict, written from the claim and the passage alone, without the scores. Prints, at the shipped threshold
(``qa.support.SUPPORT_THRESHOLD``): agreement with the judgements, the check's precision and recall for "supported",
and citation precision as people judge it before the check (every citation the model made) and after it (the
citations the check keeps); then agreement over a sweep of thresholds, and the threshold a 5-fold
cross-validation would choose with its held-out agreement.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LLM_GOLD = ROOT / "eval" / "gold" / "llm"


def pairs(answers: list[Path], judged: Path) -> list[tuple[float, bool]]:
    """(check score, judged supported) for every judged (question, claim, passage)."""
    scores = {}
    for path in answers:
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            for i, c in enumerate(r["claims"]):
                for cite in c["cites"]:
                    scores[(r["id"], i, cite["n"])] = cite["score"] if cite["score"] is not None else 0.0
    out = []
    for line in judged.read_text(encoding="utf-8").splitlines():
        j = json.loads(line)
        key = (j["id"], j["claim"], j["n"])
        if key not in scores:
            raise SystemExit(f"judged {key} is in no --answers file")
        out.append((scores[key], bool(j["supported"])))
    return out


def agreement(rows: list[tuple[float, bool]], threshold: float) -> float:
    return sum((s >= threshold) == y for s, y in rows) / len(rows)


def best_threshold(rows: list[tuple[float, bool]], grid: list[float]) -> float:
    return max(grid, key=lambda t: (agreement(rows, t), -abs(t - grid[len(grid) // 2])))


def main() -> int:
    from qa.support import SUPPORT_THRESHOLD

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--answers", nargs="+", type=Path, default=sorted(LLM_GOLD.glob("*-qwen*.jsonl")))
    ap.add_argument("--judged", type=Path, default=LLM_GOLD / "support-judgements.jsonl")
    args = ap.parse_args()
    rows = pairs(args.answers, args.judged)
    t = SUPPORT_THRESHOLD
    kept = [y for s, y in rows if s >= t]
    tp = sum(1 for s, y in rows if s >= t and y)
    print(f"{len(rows)} judged citations ({sum(y for _, y in rows)} supported) from {len(args.answers)} file(s)")
    print(f"threshold {t:g}: agreement {agreement(rows, t):.3f}; check precision {tp / max(len(kept), 1):.3f}, "
          f"recall {tp / max(sum(y for _, y in rows), 1):.3f}")
    print(f"citation precision as judged: before the check {sum(y for _, y in rows) / len(rows):.3f} "
          f"({len(rows)} citations), after it {sum(kept) / max(len(kept), 1):.3f} ({len(kept)} kept)")
    grid = [round(0.2 + 0.05 * i, 2) for i in range(25)]
    print("sweep: " + ", ".join(f"{g:g}: {agreement(rows, g):.3f}" for g in grid[::2]))
    folds, held = 5, []
    for f in range(folds):
        train = [r for i, r in enumerate(rows) if i % folds != f]
        test = [r for i, r in enumerate(rows) if i % folds == f]
        chosen = best_threshold(train, grid)
        held += [(s >= chosen) == y for s, y in test]
    print(f"5-fold cross-validated agreement (threshold chosen on the other folds): {sum(held) / len(held):.3f}; "
          f"on all: threshold {best_threshold(rows, grid):g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
