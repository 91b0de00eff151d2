"""Probe: would a span head make a better reader than the shipped cross-encoder? Same base weights, same training
pairs (training.pairs), but the model marks the answer's first and last token in the candidate (the [CLS] token when
the candidate holds no answer), as SQuAD 2.0 readers do. A candidate's score is its best span's score minus the
no-answer score; benchmarks/reader_sweep.py's report measures it like any other variant.

    .venv/bin/python benchmarks/reader_sweep.py candidates build/sweep/candidates.json
    python benchmarks/reader_span_probe.py build/sweep/candidates.json build/sweep --device cuda [--variants span15]
    .venv/bin/python benchmarks/reader_sweep.py report build/sweep/candidates.json build/sweep

A hand-written training loop (AdamW, linear warm-up and decay, bfloat16 autocast on a GPU): a probe, not the
shipped command. Results: docs/reader-sweep.md. Not part of the test run.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VARIANTS = {"span15": {"epochs": 1.5, "lr": 6e-5, "max_len": 96},
            "span3": {"epochs": 3.0, "lr": 5e-5, "max_len": 96},
            "span2_128": {"epochs": 2.0, "lr": 5e-5, "max_len": 128}}
BATCH, MAX_ANSWER_TOKENS = 32, 30


def examples(data: Path, seed: int = 13) -> tuple[list[tuple[str, str, tuple[int, int] | None]], int]:
    """(question, candidate text, answer's character span in it or None) for every training pair; and how many
    positives were dropped because no gold answer text lies inside the candidate sentence."""
    from training.pairs import build_pairs, load_squad
    from training.train import dev_folds

    dev = str(data / "squad-v2.0-dev-public.json")
    paragraphs = load_squad(data / "squad-v2.0-train-sample.json") + load_squad(dev, dev_folds(dev)[0])
    answers: dict[str, set[str]] = {}
    for p in paragraphs:
        for q in p.questions:
            answers.setdefault(q.text, set()).update(" ".join(p.text[a:b].split()) for a, b in q.answers)
    out, dropped = [], 0
    for pair in build_pairs(paragraphs, seed=seed):
        if not pair.label:
            out.append((pair.question, pair.text, None))
            continue
        sentence = pair.text.split(" [SEP] ")[0]
        found = [(sentence.find(a), len(a)) for a in sorted(answers.get(pair.question, ()), key=lambda a: (len(a), a))
                 if a and a in sentence]
        if found:
            out.append((pair.question, pair.text, (found[0][0], found[0][0] + found[0][1])))
        else:
            dropped += 1
    return out, dropped


def encode(tok, batch, max_len: int, device: str):
    """Token inputs and the answer's first and last token per example (0, the [CLS] token, when there is none or
    truncation cut it)."""
    import torch

    enc = tok([b[0] for b in batch], [b[1] for b in batch], truncation="only_second", max_length=max_len,
              padding=True, return_offsets_mapping=True, return_tensors="pt")
    starts, ends = [], []
    for k, (_, _, span) in enumerate(batch):
        first = last = 0
        if span is not None:
            offsets = enc["offset_mapping"][k].tolist()
            ctx = [t for t, sid in enumerate(enc.sequence_ids(k)) if sid == 1]
            inside = [t for t in ctx if offsets[t][1] > span[0] and offsets[t][0] < span[1]]
            if inside and offsets[ctx[-1]][1] >= span[1]:
                first, last = inside[0], inside[-1]
        starts.append(first)
        ends.append(last)
    enc.pop("offset_mapping")
    return ({k: v.to(device) for k, v in enc.items()}, torch.tensor(starts, device=device),
            torch.tensor(ends, device=device))


def span_scores(start, end, ctx_mask):
    """Per row: the best span's start + end score (inside the candidate, at most MAX_ANSWER_TOKENS long) minus the
    no-answer ([CLS]) score."""
    import torch

    neg = torch.finfo(start.dtype).min / 4
    s, e = start.masked_fill(~ctx_mask, neg), end.masked_fill(~ctx_mask, neg)
    i = torch.arange(s.shape[1], device=s.device)
    ok = (i[None, :] >= i[:, None]) & (i[None, :] < i[:, None] + MAX_ANSWER_TOKENS)
    best = (s[:, :, None] + e[:, None, :]).masked_fill(~ok[None], neg).flatten(1).max(1).values
    return best - (start[:, 0] + end[:, 0])


def run(name: str, cands: Path, out: Path, data: Path, base: str, device: str, smoke: bool = False) -> None:
    import numpy as np
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer, get_linear_schedule_with_warmup

    from qa.reader.text import candidate_text

    cfg = VARIANTS[name]
    random.seed(13)
    np.random.seed(13)
    torch.manual_seed(13)
    tok = AutoTokenizer.from_pretrained(base)
    model = AutoModelForQuestionAnswering.from_pretrained(base).to(device)
    train, dropped = examples(data)
    train = train[:64] if smoke else train
    steps = 2 if smoke else int(math.ceil(len(train) / BATCH) * cfg["epochs"])
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(opt, int(0.1 * steps), steps)
    rng, step, t0 = random.Random(13), 0, time.time()
    model.train()
    while step < steps:
        order = list(range(len(train)))
        rng.shuffle(order)
        for a in range(0, len(order), BATCH):
            if step >= steps:
                break
            enc, st, en = encode(tok, [train[i] for i in order[a:a + BATCH]], cfg["max_len"], device)
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=device == "cuda"):
                loss = model(**enc, start_positions=st, end_positions=en).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
    seconds = time.time() - t0
    model.eval()
    scores = []
    with torch.inference_mode():
        for row in json.loads(cands.read_text(encoding="utf-8"))[:30 if smoke else None]:
            texts = [candidate_text(c["text"], c["previous"]) for c in row["candidates"]]
            if not texts:
                scores.append([])
                continue
            enc = tok([row["question"]] * len(texts), texts, truncation="only_second", max_length=cfg["max_len"],
                      padding=True, return_tensors="pt")
            ctx = torch.tensor([[sid == 1 for sid in enc.sequence_ids(k)] for k in range(len(texts))], device=device)
            o = model(**{k: v.to(device) for k, v in enc.items()})
            scores.append([round(float(x), 4) for x in span_scores(o.start_logits.float(), o.end_logits.float(), ctx)])
    summary = {"pairs": len(train), "dropped_positives": dropped, "steps": step, "train_seconds": round(seconds, 1),
               "settings": {"epochs": cfg["epochs"], "learning_rate": cfg["lr"], "max_tokens": cfg["max_len"],
                            "device": device}}
    (out / f"{name}.json").write_text(json.dumps({"name": name, "summary": summary, "logits": scores}),
                                      encoding="utf-8")
    print(f"{name}: {step} steps in {seconds:.0f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="benchmarks/reader_span_probe.py")
    p.add_argument("candidates")
    p.add_argument("out")
    p.add_argument("--device", default="cpu")
    p.add_argument("--base", default=None, help="the all-MiniLM-L6-v2 folder (default: the packaged one)")
    p.add_argument("--data", default=str(ROOT / "eval" / "data"))
    p.add_argument("--variants", nargs="+", choices=sorted(VARIANTS), default=list(VARIANTS))
    p.add_argument("--smoke", action="store_true", help="two steps on 64 pairs: check the plumbing")
    a = p.parse_args(argv)
    if a.base is None:
        from index.embed import default_model_dir
        a.base = str(default_model_dir())
    Path(a.out).mkdir(parents=True, exist_ok=True)
    for name in a.variants:
        run(name, Path(a.candidates), Path(a.out), Path(a.data), a.base, a.device, a.smoke)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
