"""Would another training recipe give a better reader? Train variants of ``citebot train-reader``'s recipe and
measure each on the held-out fold exactly as the model card does (training.fit: out-of-fold calibration,
threshold at 5 % false abstention).

    # 1. where citebot runs (index + retrieval): the held-out fold's candidates, as ``ask`` retrieves them
    .venv/bin/python benchmarks/reader_sweep.py candidates build/sweep/candidates.json
    # 2. anywhere torch, sentence-transformers and datasets run; a GPU makes it minutes instead of hours
    python benchmarks/reader_sweep.py train build/sweep/candidates.json build/sweep --device cuda --parallel 4 \\
        [--variants base ep3 ...] [--base PATH/TO/all-MiniLM-L6-v2] [--data eval/data]
    # 3. where citebot runs: the figures, one row per variant (Markdown)
    .venv/bin/python benchmarks/reader_sweep.py report build/sweep/candidates.json build/sweep

Every variant is the shipped recipe (qa.reader.train.TrainSettings defaults) with the changes in VARIANTS; "cost"
is its training compute against the recipe's (pairs × epochs), which bounds what the CPU-only retrain can afford
(``citebot train-reader`` must finish within an hour on two cores). Seeds 7 and 21 show the spread a seed alone
gives. Results and what was chosen: docs/reader-sweep.md. Not part of the test run.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from training.pairs import PairSettings  # noqa: E402

MORE_UNANSWERABLE = {"unanswerable_negatives": 6, "swap_share": 1.0}
LEAN = {"hard_negatives": 1, "article_negatives": 1}
VARIANTS: dict[str, dict] = {   # name -> TrainSettings changes ("pairs": PairSettings changes)
    "base": {},
    "seed7": {"seed": 7},
    "seed21": {"seed": 21},
    "ep3": {"epochs": 3.0},
    "lr1e4": {"learning_rate": 1e-4},
    "lr3e5ep2": {"learning_rate": 3e-5, "epochs": 2.0},
    "b64ep3": {"batch_size": 64, "learning_rate": 1e-4, "epochs": 3.0},
    "unans": {"pairs": MORE_UNANSWERABLE},
    "lean": {"pairs": LEAN, "epochs": 2.5},
    "unanslean": {"pairs": {**MORE_UNANSWERABLE, **LEAN}, "epochs": 2.5},
    "ep3unans": {"pairs": MORE_UNANSWERABLE, "epochs": 3.0},
}


def settings_for(name: str, data: Path, device: str, smoke: bool = False):
    from training.train import TrainSettings

    changes = dict(VARIANTS[name])
    pairs = PairSettings(**changes.pop("pairs", {}))
    return TrainSettings(train_files=(str(data / "squad-v2.0-train-sample.json"),),
                         dev_file=str(data / "squad-v2.0-dev-public.json"), device=device, pairs=pairs,
                         **({"max_steps": 2, "max_pairs": 64} if smoke else {}), **changes)


def candidates(out: Path, data: Path) -> None:
    from training.fit import ask_all
    from training.train import dev_folds

    dev = str(data / "squad-v2.0-dev-public.json")
    rows = [{"article": a.article, "question": a.question, "answers": list(a.answers),
             "candidates": [{"text": c.text, "previous": c.previous, "score": c.score} for c in a.candidates]}
            for a in ask_all(dev, dev_folds(dev)[1])]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows), encoding="utf-8")
    print(f"{len(rows)} questions -> {out}")


def train_one(name: str, cands: Path, out: Path, data: Path, base: str, device: str, smoke: bool = False) -> None:
    """Train one variant with citebot's own train() and write the logits of every held-out candidate."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from qa.reader.text import MAX_TOKENS, candidate_text
    from training.train import train

    t0 = time.time()
    work = out / "work" / name
    summary = train(settings_for(name, data, device, smoke), work, base)
    tok = AutoTokenizer.from_pretrained(str(work / "torch"))
    net = AutoModelForSequenceClassification.from_pretrained(str(work / "torch")).to(device).eval()
    logits = []
    with torch.inference_mode():
        for row in json.loads(cands.read_text(encoding="utf-8")):
            texts = [candidate_text(c["text"], c["previous"]) for c in row["candidates"]]
            if not texts:
                logits.append([])
                continue
            enc = tok([row["question"]] * len(texts), texts, truncation="longest_first", max_length=MAX_TOKENS,
                      padding=True, return_tensors="pt").to(device)
            logits.append([round(float(x), 5) for x in net(**enc).logits.reshape(-1).cpu()])
    (out / f"{name}.json").write_text(json.dumps({"name": name, "summary": summary, "logits": logits,
                                                  "seconds": round(time.time() - t0, 1)}), encoding="utf-8")


def train_all(a) -> None:
    out = Path(a.out)
    (out / "work").mkdir(parents=True, exist_ok=True)
    queue, running = list(a.variants), {}
    env = dict(os.environ, TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1")
    while queue or running:
        while queue and len(running) < a.parallel:
            name = queue.pop(0)
            log = open(out / "work" / f"{name}.log", "w")
            running[name] = subprocess.Popen(
                [sys.executable, __file__, "one", name, a.candidates, a.out, "--device", a.device, "--base", a.base,
                 "--data", a.data] + (["--smoke"] if a.smoke else []), stdout=log, stderr=subprocess.STDOUT, env=env)
        for name, proc in list(running.items()):
            if proc.poll() is not None:
                print(f"{name}: exit {proc.returncode}", flush=True)
                del running[name]
        time.sleep(2)


def features(row: dict, logits: list[float]):
    """One question's candidates as training.fit measures them."""
    import numpy as np

    from training.fit import QuestionFeatures, answer_labels

    cands = row["candidates"]
    return QuestionFeatures(row["article"], bool(row["answers"]), np.array([c["score"] for c in cands]),
                            np.array(logits), answer_labels(row["answers"], [c["text"] for c in cands]))


def report(cands: Path, out: Path) -> None:
    from training.fit import fit

    rows = json.loads(cands.read_text(encoding="utf-8"))
    found = {f.stem for f in out.glob("*.json")}   # this script's variants, then others (the retired reader_span_probe.py)
    names = [n for n in VARIANTS if n in found] + sorted(found - set(VARIANTS) - {cands.stem})
    results = {n: json.loads((out / f"{n}.json").read_text(encoding="utf-8")) for n in names}
    if "base" not in results:
        raise SystemExit(f"no base result in {out}: train the base variant first")
    base_cost = results["base"]["summary"]["pairs"] * results["base"]["summary"]["settings"]["epochs"]
    print("| variant | cost | pairs | steps | top-1, reader + heuristic | top-1, reader alone | AUC of confidence | "
          "abstention at 5 % false abstention |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    f = None
    for name, r in results.items():
        if len(r["logits"]) != len(rows):
            print(f"| {name} | scored {len(r['logits'])} of {len(rows)} questions (a --smoke run?): left out |")
            continue
        qs = [features(row, lg) for row, lg in zip(rows, r["logits"])]
        _, f = fit(qs)
        s = r["summary"]
        cost = s["pairs"] * s["settings"]["epochs"] / base_cost
        print(f"| {name} | {cost:.2f} | {s['pairs']} | {s['steps']} | {f['top1_holds_answer_reader']:.3f} | "
              f"{f['top1_holds_answer_reader_alone']:.3f} | {f['auc_confidence']:.3f} | "
              f"{f['abstention_unanswerable']:.3f} |")
    if f is None:
        return
    print(f"\nheuristic alone: top-1 {f['top1_holds_answer_heuristic']:.3f}, AUC {f['auc_heuristic']:.3f}; "
          f"{f['questions']} held-out questions ({f['answerable']} answerable): {', '.join(f['articles'])}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="benchmarks/reader_sweep.py")
    sub = p.add_subparsers(dest="step", required=True)
    data_default = str(ROOT / "eval" / "data")
    c = sub.add_parser("candidates")
    c.add_argument("out")
    c.add_argument("--data", default=data_default)
    for name in ("train", "one"):
        t = sub.add_parser(name)
        if name == "one":
            t.add_argument("variant", choices=sorted(VARIANTS))
        t.add_argument("candidates")
        t.add_argument("out")
        t.add_argument("--device", default="cpu")
        t.add_argument("--base", default=None, help="the all-MiniLM-L6-v2 folder (default: the packaged one)")
        t.add_argument("--data", default=data_default)
        t.add_argument("--smoke", action="store_true", help="two steps on 64 pairs: check the plumbing")
        if name == "train":
            t.add_argument("--parallel", type=int, default=1)
            t.add_argument("--variants", nargs="+", choices=sorted(VARIANTS), default=list(VARIANTS))
    r = sub.add_parser("report")
    r.add_argument("candidates")
    r.add_argument("out")
    a = p.parse_args(argv)
    if a.step == "candidates":
        candidates(Path(a.out), Path(a.data))
    elif a.step == "report":
        report(Path(a.candidates), Path(a.out))
    else:
        if a.base is None:
            from index.embed import default_model_dir
            a.base = str(default_model_dir())
        if a.step == "one":
            train_one(a.variant, Path(a.candidates), Path(a.out), Path(a.data), a.base, a.device, a.smoke)
        else:
            train_all(a)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
