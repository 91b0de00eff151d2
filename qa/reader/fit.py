"""Fit the calibrator on SQuAD articles the reader never saw, with article-level cross-validation, and choose
the abstention threshold from the out-of-fold probabilities (``citebot train-reader`` runs it after training;
``python -m qa.reader.pipeline --package-only`` runs it alone).

Every paragraph of the held-out articles is indexed as one document (as ``citebot eval squad`` does), every
question is retrieved and its candidates read exactly as ``ask`` would; a candidate is positive when it holds a
gold answer. The calibrator (qa.reader.calibrator) is fit per held-out article on the other articles; from
those out-of-fold confidences come the figures and the threshold: the highest that abstains on at most
``max_false_abstention`` of the answerable questions.
"""
from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..extractive import ExtractiveAnswerer
from ..retriever import HybridSearch
from ..stats import auc
from ..textmatch import contains_answer
from .answerer import ReaderSettings
from .calibrator import Calibrator, fit_logistic
from .model import Reader
from .text import candidate_text

MAX_FALSE_ABSTENTION = 0.05


@dataclass(frozen=True)
class QuestionFeatures:
    article: str
    answerable: bool
    heuristic: np.ndarray  # the heuristic's scores of the candidates, best first
    logits: np.ndarray     # the reader's logit for each
    y: np.ndarray          # 1 where the candidate holds a gold answer


READER_WEIGHTS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5)


@dataclass(frozen=True)
class Asked:
    article: str
    question: str
    answers: tuple[str, ...]
    candidates: tuple  # the heuristic's Candidates, best first, at most max_candidates


def ask_all(squad_file: str, articles: Sequence[str], k: int = 5, settings: ReaderSettings = ReaderSettings(),
            limit: int | None = None) -> list[Asked]:
    """Index the articles' paragraphs as documents and retrieve every question's candidates as ``ask`` does
    (the first ``limit`` questions of each article)."""
    from index import build_index, get_embedder, open_index

    data = [a for a in json.loads(Path(squad_file).read_text(encoding="utf-8"))["data"] if a["title"] in articles]
    out = []
    with tempfile.TemporaryDirectory(prefix="citebot-fit-") as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        for ai, art in enumerate(data):
            for pi, p in enumerate(art["paragraphs"]):
                (docs / f"{ai:03d}_{pi:03d}.txt").write_text(p["context"], encoding="utf-8")
        build_index([str(docs)], Path(tmp) / "index", get_embedder())
        index = open_index(Path(tmp) / "index")
        search, heuristic = HybridSearch(index), ExtractiveAnswerer(index)
        for art in data:
            for q in [q for p in art["paragraphs"] for q in p["qas"]][:limit]:
                question = " ".join(q["question"].split())
                cands = heuristic.candidates(question, search.retrieve(question, k))[:settings.max_candidates]
                answers = tuple(a["text"] for a in q.get("answers", []))
                out.append(Asked(art["title"], question, answers, tuple(cands)))
    return out


def answer_labels(answers: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    """1.0 for each candidate text holding a gold answer (all 0 for an unanswerable question)."""
    return np.array([bool(answers) and contains_answer(t, answers) for t in texts], dtype=float)


def read_all(asked: Sequence[Asked], reader: Reader) -> list[QuestionFeatures]:
    """The reader's logits and the labels of every asked question's candidates."""
    out = []
    for a in asked:
        cands = list(a.candidates)
        logits = reader.logits(a.question, [candidate_text(c.text, c.previous) for c in cands])
        y = answer_labels(a.answers, [c.text for c in cands])
        out.append(QuestionFeatures(a.article, bool(a.answers), np.array([c.score for c in cands]), logits, y))
    return out


def top_index(q: QuestionFeatures, weight: float) -> int:
    return int(np.argmax(q.heuristic + weight * q.logits))


def top1(qs: Sequence[QuestionFeatures], weight: float) -> float:
    """Share of answerable questions whose best-scoring candidate holds the answer."""
    hits = [bool(q.y[top_index(q, weight)]) for q in qs if q.answerable and len(q.y)]
    misses = sum(1 for q in qs if q.answerable and not len(q.y))
    return sum(hits) / max(1, len(hits) + misses)


def fit_calibrator(qs: Sequence[QuestionFeatures], l2: float = 1e-3) -> Calibrator:
    """The reader weight with the best top-1 selection, then Platt scaling of the best score into the
    probability that the chosen sentence holds the answer (threshold left at 0: chosen from held-out folds)."""
    weight = max(READER_WEIGHTS, key=lambda w: (round(top1(qs, w), 6), -w))
    usable = [q for q in qs if len(q.y)]
    best = np.array([[float((q.heuristic + weight * q.logits).max())] for q in usable])
    right = np.array([float(q.answerable and q.y[top_index(q, weight)]) for q in usable])
    (scale,), bias = fit_logistic(best, right, l2)
    return Calibrator(weight, float(scale), float(bias), 0.0)


def confidence(cal: Calibrator, q: QuestionFeatures) -> float:
    return float(cal.probability(cal.scores(q.heuristic, q.logits).max())) if len(q.y) else 0.0


def out_of_fold(qs: Sequence[QuestionFeatures]) -> tuple[np.ndarray, np.ndarray]:
    """(confidence, chosen candidate holds the answer) per question, each from a calibrator fit on the other
    articles."""
    conf, right = np.zeros(len(qs)), np.zeros(len(qs), dtype=bool)
    for held in sorted({q.article for q in qs}):
        cal = fit_calibrator([q for q in qs if q.article != held])
        for i, q in enumerate(qs):
            if q.article == held:
                conf[i] = confidence(cal, q)
                right[i] = bool(len(q.y)) and q.answerable and bool(q.y[top_index(q, cal.reader_weight)])
    return conf, right


def threshold_for(answerable_conf: Sequence[float], max_false_abstention: float = MAX_FALSE_ABSTENTION) -> float:
    """The highest threshold abstaining (confidence < threshold) on at most that share of answerable questions."""
    conf = np.sort(np.asarray(answerable_conf, float))
    allowed = int(np.floor(max_false_abstention * len(conf)))
    return float(conf[allowed]) if len(conf) else 0.0


def fit(qs: Sequence[QuestionFeatures], max_false_abstention: float = MAX_FALSE_ABSTENTION) -> tuple[Calibrator, dict]:
    """The shipped calibrator (fit on all questions, threshold from the out-of-fold confidences) and its
    cross-validated figures."""
    conf, right = out_of_fold(qs)
    ans = np.array([q.answerable for q in qs])
    threshold = threshold_for(conf[ans], max_false_abstention)
    heur = np.array([q.heuristic.max() if len(q.y) else -9.0 for q in qs])
    cal = dataclasses.replace(fit_calibrator(qs), threshold=round(threshold, 4))
    figures = {"questions": len(qs), "answerable": int(ans.sum()), "articles": sorted({q.article for q in qs}),
               "auc_confidence": _rounded(auc(conf[ans], conf[~ans])),
               "auc_heuristic": _rounded(auc(heur[ans], heur[~ans])),
               "top1_holds_answer_reader": round(float(right[ans].mean()), 4),
               "top1_holds_answer_heuristic": round(top1(qs, 0.0), 4),
               "top1_holds_answer_reader_alone": round(top1([dataclasses.replace(q, heuristic=0 * q.heuristic)
                                                             for q in qs], 1.0), 4),
               "threshold": round(threshold, 4),
               "false_abstention": round(float((conf[ans] < threshold).mean()), 4),
               "abstention_unanswerable": round(float((conf[~ans] < threshold).mean()), 4),
               "reader_weight": cal.reader_weight}
    return cal, figures


def _rounded(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
