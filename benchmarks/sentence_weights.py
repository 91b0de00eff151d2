"""Which weights of the extractive answerer's sentence score put a sentence holding the answer first.

    .venv/bin/python benchmarks/sentence_weights.py [--squad eval/data/squad-v2.0-train-sample.json] [--top 10]

Chooses on the SQuAD train sample only, never on the gold sets or the dev file. Indexes the file with citebot in a
temporary folder (one document per paragraph, as eval.squad.write_documents), retrieves every answerable question
as ``ask`` does (qa.retriever.HybridSearch with the default SearchSettings, k=5) and takes each retrieved
sentence's score parts once from the answerer itself (ExtractiveAnswerer.features: dense cosine, share of the
question's idf mass covered, passage rank, whether it offers the kind of answer asked for) with whether its text
holds a gold answer (qa.textmatch.contains_answer). Then, offline in numpy, for every lexical_weight x type_penalty x
rank_weight of the grid below it scores the sentences as ExtractiveAnswerer.candidates does and prints:
- top-1: the share of answerable questions whose best sentence holds a gold answer (no candidate: a miss), over all
  ten articles and over each half (the first five articles of the file, the last five); how many questions each
  half gains and loses against the current weights (ExtractiveSettings()) with a two-sided sign-test p; on how many
  articles top-1 is at least the current one; and the share of answerable questions the answerer would abstain on
  (best score below min_evidence or no sentence within min_dense), which the weights move since they move the score;
  and the weights best on each half with their gains and losses on the other half;
- the selection (ExtractiveAnswerer.select and compose on Candidates carrying the new scores: the best sentence and
  up to two more within keep_ratio of it, other_doc_ratio for other documents, at most max_chars) for several
  keep_ratio at the best weights and the current ones: answer recall when it never abstains and when it abstains as
  the answerer does, and the median answer length.
A setting is called robustly better when it gains more questions than it loses on both halves with sign-test
p < 0.05 on each. Checks first that the numpy score reproduces ExtractiveAnswerer.candidates' order. Not part of
the test run.
"""
from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dense_units import ROOT, TRAIN, squad_index
from qa.extractive import ExtractiveSettings

ANAPHOR_WEIGHT = ExtractiveSettings().anaphor_weight

LEXICAL = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
TYPE_PENALTY = (0.0, 0.1, 0.2, 0.3, 0.5)
RANK = (0.0, 0.05, 0.1, 0.2)
KEEP_RATIOS = (0.4, 0.5, 0.6, 0.7, 0.8)
K = 5                    # passages retrieved per question, as ask's default
HALF = 5                 # articles [0, HALF) form the first half, the rest the second
CHECKED = 100            # questions whose numpy order is checked against the answerer's own candidates
WEIGHT_NAMES = ("lexical_weight", "type_penalty", "rank_weight")

Weights = tuple[float, float, float]


@dataclass(frozen=True)
class Asked:
    article: int
    question: str
    answers: tuple[str, ...]
    passages: tuple          # the retrieved Passages
    features: tuple          # ExtractiveAnswerer.features, reading order


@dataclass(frozen=True)
class Table:
    """The score parts of every question's sentences, one row per question, padded (``valid`` false)."""

    dense: np.ndarray
    lexical: np.ndarray
    rank: np.ndarray         # 1 + the passage's rank
    type_ok: np.ndarray
    hit: np.ndarray          # the sentence holds a gold answer
    valid: np.ndarray
    article: np.ndarray


def ask_all(ix, items) -> list[Asked]:
    from qa.extractive import ExtractiveAnswerer
    from qa.retriever import HybridSearch

    search, answerer = HybridSearch(ix), ExtractiveAnswerer(ix)
    out = []
    for item in items:
        passages = tuple(search.retrieve(item.question, K))
        out.append(Asked(int(item.docs[0].split("_")[0]), item.question, item.answers, passages,
                         tuple(answerer.features(item.question, passages))))
    return out


def table(asked: list[Asked]) -> Table:
    from qa.textmatch import contains_answer

    width = max(1, max(len(a.features) for a in asked))
    shape = (len(asked), width)
    t = Table(np.zeros(shape), np.zeros(shape), np.ones(shape), np.ones(shape, dtype=bool),
              np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool), np.array([a.article for a in asked]))
    for i, a in enumerate(asked):
        for j, f in enumerate(a.features):
            lexical = f.lexical + ANAPHOR_WEIGHT * (f.lexical_with_previous - f.lexical)  # as candidates() reads it
            t.dense[i, j], t.lexical[i, j], t.rank[i, j] = f.dense, lexical, 1 + f.rank
            t.type_ok[i, j], t.valid[i, j] = f.type_ok, True
            t.hit[i, j] = contains_answer(f.text, a.answers)
    return t


def scores(t: Table, w: Weights) -> np.ndarray:
    """ExtractiveAnswerer.candidates' score, the same operations in the same order; -inf where no sentence."""
    lexical_weight, type_penalty, rank_weight = w
    s = t.dense + lexical_weight * t.lexical + rank_weight / t.rank
    s = np.where(t.type_ok, s, s - type_penalty)
    return np.where(t.valid, s, -np.inf)


def top1_hits(t: Table, w: Weights) -> np.ndarray:
    """Per question: its best sentence (the first of equals, as the stable sort) holds a gold answer."""
    best = np.argmax(scores(t, w), axis=1)
    return t.hit[np.arange(len(best)), best] & t.valid[:, 0]


def abstains(t: Table, w: Weights) -> np.ndarray:
    """Per question: the answerer would abstain (ExtractiveAnswerer.answer's test)."""
    s = ExtractiveSettings()
    top = scores(t, w).max(axis=1)
    dense = np.where(t.valid, t.dense, -np.inf).max(axis=1)
    return ~t.valid[:, 0] | (top < s.min_evidence) | (dense < s.min_dense)


def check_order(ix, asked: list[Asked], t: Table) -> None:
    """The numpy score gives ExtractiveAnswerer.candidates' scores and order (first CHECKED questions)."""
    from qa.extractive import ExtractiveAnswerer

    answerer, row = ExtractiveAnswerer(ix), scores(t, current_weights())
    for i, a in enumerate(asked[:CHECKED]):
        cands = answerer.candidates(a.question, list(a.passages))
        order = np.argsort(-row[i][:len(a.features)], kind="stable")
        if [(a.features[j].row, float(row[i, j])) for j in order] != [(c.row, c.score) for c in cands]:
            raise SystemExit(f"numpy score differs from ExtractiveAnswerer.candidates on {a.question!r}")


def current_weights() -> Weights:
    s = ExtractiveSettings()
    return s.lexical_weight, s.type_penalty, s.rank_weight


def label(w: Weights) -> str:
    return ",".join(f"{n}={v:g}" for n, v in zip(WEIGHT_NAMES, w))


def sweep(t: Table, top: int) -> Weights:
    """Prints the top-1 table; returns the best weights (highest top-1 over all questions)."""
    from eval.metrics import sign_test as sign_p  # two-sided exact sign test of gains against losses

    current = current_weights()
    grid = list(itertools.product(LEXICAL, TYPE_PENALTY, RANK))
    hits = {w: top1_hits(t, w) for w in {*grid, current}}
    halves = [t.article < HALF, t.article >= HALF]
    articles = sorted(set(t.article.tolist()))
    ranked = sorted(hits, key=lambda w: (-hits[w].mean(), w != current))
    shown = ranked[:top] + ([current] if current not in ranked[:top] else [])
    robust = []
    print(f"  {'lexical type rank':18s} {'top-1':>6s} {'half 1':>6s} {'half 2':>6s}  {'half 1 +/- (p)':>18s}  "
          f"{'half 2 +/- (p)':>18s}  articles>=  abstains")
    for w in ranked:
        h, c = hits[w], hits[current]
        gl = [(int((h & ~c & m).sum()), int((~h & c & m).sum())) for m in halves]
        better = all(g > lo and sign_p(g, lo) < 0.05 for g, lo in gl)
        if better and w != current:
            robust.append(w)
        if w not in shown:
            continue
        at_least = sum(h[t.article == a].mean() >= c[t.article == a].mean() for a in articles)
        cells = "  ".join(f"{f'+{g}/-{lo} ({sign_p(g, lo):.2g})':>18s}" for g, lo in gl)
        mark = " current" if w == current else " robust" if better else ""
        print(f"  {w[0]:<7g} {w[1]:<4g} {w[2]:<5g} {h.mean():6.3f} {h[halves[0]].mean():6.3f} "
              f"{h[halves[1]].mean():6.3f}  {cells}  {at_least:>5d}/{len(articles)}   "
              f"{abstains(t, w).mean():7.3f}{mark}")
    print(f"  rank of the current weights: {ranked.index(current) + 1} of {len(ranked)}")
    for n, (chosen_on, other) in enumerate(((halves[0], halves[1]), (halves[1], halves[0])), start=1):
        w = max(hits, key=lambda w: (hits[w][chosen_on].mean(), w == current))
        h, c = hits[w][other], hits[current][other]
        g, lo = int((h & ~c).sum()), int((~h & c).sum())
        print(f"  best on half {n}: {label(w)}; on the other half top-1 {h.mean():.3f} (current {c.mean():.3f}), "
              f"+{g}/-{lo} (p {sign_p(g, lo):.2g})")
    print("  robustly better than the current weights (gains > losses, sign test p < 0.05, on both halves): "
          + (", ".join(label(w) for w in robust[:5]) + (" …" if len(robust) > 5 else "") if robust else "none"))
    return ranked[0]


def selection(ix, asked: list[Asked], t: Table, w: Weights, keep_ratio: float) -> tuple[float, float, float, float]:
    """Answer recall never abstaining, answer recall abstaining as the answerer does, mean sentences quoted and
    median answer characters of ExtractiveAnswerer.select + compose on Candidates scored with ``w``."""
    from eval.metrics import strip_markers
    from qa.extractive import Candidate, ExtractiveAnswerer, ExtractiveSettings
    from qa.textmatch import contains_answer

    answerer = ExtractiveAnswerer(ix, ExtractiveSettings(keep_ratio=keep_ratio))
    s, skip = scores(t, w), abstains(t, w)
    hit, kept, sentences, chars = [], [], [], []
    for i, a in enumerate(asked):
        if not a.features:
            hit.append(False)
            kept.append(False)
            continue
        cands = sorted((Candidate(f.row, f.passage, f.start, f.end, f.text, f.dense, float(s[i, j]), f.previous)
                        for j, f in enumerate(a.features)), key=lambda c: -c.score)
        chosen = answerer.select(cands)
        text = answerer.compose(a.question, list(a.passages), chosen, cands, None).text
        hit.append(contains_answer(strip_markers(text), a.answers))
        kept.append(hit[-1] and not skip[i])
        sentences.append(len(chosen))
        chars.append(len(text))
    return float(np.mean(hit)), float(np.mean(kept)), float(np.mean(sentences)), statistics.median(chars)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from index import get_embedder

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--squad", type=Path, default=TRAIN)
    p.add_argument("--top", type=int, default=10, help="weight settings shown, best top-1 first")
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        squad, ix, items = squad_index(a.squad, Path(tmp), get_embedder())
        asked = ask_all(ix, items)
        t = table(asked)
        check_order(ix, asked, t)
        reachable = t.hit.any(axis=1)
        print(f"{a.squad.name}: {len(asked)} answerable questions, articles 0-{HALF - 1} | {HALF}-"
              f"{t.article.max()}: {int((t.article < HALF).sum())} | {int((t.article >= HALF).sum())}; "
              f"a retrieved sentence holds an answer for {reachable.mean():.3f} (top-1 ceiling)")
        print("top-1: the best sentence holds a gold answer; +/-: questions gained/lost against the current weights")
        best = sweep(t, a.top)
        current = current_weights()
        print("selection (best + up to 2 within keep_ratio, other_doc_ratio for other documents, <= max_chars): "
              "answer recall never abstaining | abstaining as the answerer does, sentences, median characters")
        for name, w in (("best", best), ("current", current)):
            print(f"  {name}: {label(w)}")
            for r in KEEP_RATIOS:
                rec, kept, n, chars = selection(ix, asked, t, w, r)
                print(f"    keep_ratio {r:<4g} recall {rec:.3f} | {kept:.3f}  sentences {n:.2f}  median {chars:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
