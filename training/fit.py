"""Fit the calibrator on SQuAD articles the reader never saw, with article-level cross-validation, and choose
the abstention threshold from the out-of-fold probabilities (``citebot train-reader`` runs it after training;
``python -m training.pipeline --package-only`` runs it alone).

Every paragraph of the held-out articles is indexed as one document (as ``citebot eval squad`` does), every
question is retrieved and its candidates read exactly as ``ask`` would; a candidate is positive when it holds a
gold answer. The calibrator (qa.reader.calibrator) is fit per held-out article on the other articles; from
those out-of-fold confidences come the figures. The threshold is the highest that abstains on at most
``max_false_abstention`` of the answerable questions for the reader answerer's confidence and the guarded
answerer's (its best ``guard_candidates`` read in one batch), both out of fold and as the shipped calibrator scores
them.
"""
from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.extractive import ExtractiveAnswerer
from qa.retriever import HybridSearch
from qa.stats import auc
from qa.textmatch import contains_answer
from qa.reader.answerer import ReaderSettings
from qa.protocols import Marker
from qa.reader.calibrator import SPAN_TOP, Calibrator, fit_logistic, span_evidence, withheld
from qa.reader.model import Reader
from qa.reader.text import candidate_text

MAX_FALSE_ABSTENTION = 0.05


@dataclass(frozen=True)
class QuestionFeatures:
    article: str
    answerable: bool
    heuristic: np.ndarray  # the heuristic's scores of the candidates, best first
    logits: np.ndarray     # the reader's logit for each
    y: np.ndarray          # 1 where the candidate holds a gold answer
    guard_logits: np.ndarray | None = None  # the logits of the best few read in one batch, as the guarded answerer
                                            # reads them (int8 activations are quantised per batch: they differ a
                                            # little from the first of ``logits``); None: use those
    span: float | None = None  # the highlighter's evidence (calibrator.span_evidence); None: not read
    absent: bool = False       # its paragraph was left out of the index (on topic, not answerable from it)
    heuristic_abstains: bool = False  # the heuristic's own evidence is too weak: the guarded answerer abstains


READER_WEIGHTS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5)
ABSENT_SHARE = 0.2  # paragraphs left out of the index when calibrating: their questions are on topic but not
                    # answerable from the documents, what users ask most when the answer is not there (the share
                    # `citebot eval squad --absent 0.2` leaves out, by the same hash)




@dataclass(frozen=True)
class Asked:
    article: str
    question: str
    answers: tuple[str, ...]  # empty for an unanswerable question and for one about a left-out paragraph
    candidates: tuple  # the heuristic's Candidates, best first, at most max_candidates
    absent: bool = False
    heuristic_abstains: bool = False


def ask_all(squad_file: str, articles: Sequence[str], k: int = 5, settings: ReaderSettings = ReaderSettings(),
            limit: int | None = None, absent: float = 0.0) -> list[Asked]:
    """Index the articles' paragraphs as documents and retrieve every question's candidates as ``ask`` does
    (the first ``limit`` questions of each article); ``absent``: the share of paragraphs left out (``withheld``)."""
    from index import build_index, get_embedder, open_index

    data = [a for a in json.loads(Path(squad_file).read_text(encoding="utf-8"))["data"] if a["title"] in articles]
    out = []
    with tempfile.TemporaryDirectory(prefix="citebot-fit-") as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        gone = set()
        for ai, art in enumerate(data):
            for pi, p in enumerate(art["paragraphs"]):
                name = f"{ai:03d}_{pi:03d}"
                if withheld(name, absent):
                    gone.add(name)
                else:
                    (docs / f"{name}.txt").write_text(p["context"], encoding="utf-8")
        build_index([str(docs)], Path(tmp) / "index", get_embedder())
        index = open_index(Path(tmp) / "index")
        search, heuristic = HybridSearch(index), ExtractiveAnswerer(index)
        for ai, art in enumerate(data):
            asked = [(q, f"{ai:03d}_{pi:03d}" in gone) for pi, p in enumerate(art["paragraphs"]) for q in p["qas"]]
            for q, left_out in asked[:limit]:
                question = " ".join(q["question"].split())
                cands = heuristic.candidates(question, search.retrieve(question, k))
                answers = () if left_out else tuple(a["text"] for a in q.get("answers", []))
                out.append(Asked(art["title"], question, answers, tuple(cands[:settings.max_candidates]), left_out,
                                 heuristic.abstains(cands)))
    return out


def answer_labels(answers: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    """1.0 for each candidate text holding a gold answer (all 0 for an unanswerable question)."""
    return np.array([bool(answers) and contains_answer(t, answers) for t in texts], dtype=float)


def read_all(asked: Sequence[Asked], reader: Reader,
             guard_candidates: int | None = ReaderSettings().guard_candidates,
             marker: Marker | None = None) -> list[QuestionFeatures]:
    """The reader's logits and the labels of every asked question's candidates (and the guarded answerer's read of
    the best ``guard_candidates``, unless None; and the highlighter's evidence, with a ``marker``)."""
    out = []
    for a in asked:
        cands = list(a.candidates)
        texts = [candidate_text(c.text, c.previous) for c in cands]
        logits = reader.logits(a.question, texts)
        guard = (reader.logits(a.question, texts[:guard_candidates])
                 if guard_candidates is not None and 0 < guard_candidates < len(texts) else None)
        span = (span_evidence(marker.margins(a.question, [c.text for c in cands[:SPAN_TOP]]))
                if marker is not None else None)
        y = answer_labels(a.answers, [c.text for c in cands])
        out.append(QuestionFeatures(a.article, bool(a.answers), np.array([c.score for c in cands]), logits, y,
                                    guard, span, a.absent, a.heuristic_abstains))
    return out


def top_index(q: QuestionFeatures, weight: float) -> int:
    return int(np.argmax(q.heuristic + weight * q.logits))


def top1(qs: Sequence[QuestionFeatures], weight: float) -> float:
    """Share of answerable questions whose best-scoring candidate holds the answer."""
    hits = [bool(q.y[top_index(q, weight)]) for q in qs if q.answerable and len(q.y)]
    misses = sum(1 for q in qs if q.answerable and not len(q.y))
    return sum(hits) / max(1, len(hits) + misses)


def fit_calibrator(qs: Sequence[QuestionFeatures], l2: float = 1e-3) -> Calibrator:
    """The reader weight with the best top-1 selection, then logistic regression of the best score (and the
    highlighter's evidence, where every question has it) into the probability that the chosen sentence holds the
    answer (threshold left at 0: chosen from held-out folds)."""
    weight = max(READER_WEIGHTS, key=lambda w: (round(top1(qs, w), 6), -w))
    usable = [q for q in qs if len(q.y)]
    with_span = bool(usable) and all(q.span is not None for q in usable)
    x = np.array([[float((q.heuristic + weight * q.logits).max())] + ([q.span] if with_span else [])
                  for q in usable])
    right = np.array([float(q.answerable and q.y[top_index(q, weight)]) for q in usable])
    w, bias = fit_logistic(x, right, l2)
    return Calibrator(weight, float(w[0]), float(bias), 0.0, span_weight=float(w[1]) if with_span else 0.0)


def confidence(cal: Calibrator, q: QuestionFeatures) -> float:
    if not len(q.y):
        return 0.0
    return float(cal.probability(cal.scores(q.heuristic, q.logits).max(), q.span if cal.uses_span else None))


def out_of_fold(qs: Sequence[QuestionFeatures], read: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(confidence, chosen candidate holds the answer) per question, each from a calibrator fit on the other
    articles; ``read``: the confidence of the best ``read`` candidates only (the guarded answerer's)."""
    conf, right = np.zeros(len(qs)), np.zeros(len(qs), dtype=bool)
    for held in sorted({q.article for q in qs}):
        cal = fit_calibrator([q for q in qs if q.article != held])
        for i, q in enumerate(qs):
            if q.article == held:
                conf[i] = confidence(cal, q if read is None else first(q, read))
                right[i] = bool(len(q.y)) and q.answerable and bool(q.y[top_index(q, cal.reader_weight)])
    return conf, right


def guarded_view(qs: Sequence[QuestionFeatures], conf: Sequence[float]) -> np.ndarray:
    """The guarded answerer's confidences as abstentions see them: -1, below any threshold, where the heuristic
    itself abstains (the guarded answerer abstains there whatever the reader says)."""
    return np.array([-1.0 if q.heuristic_abstains else c for q, c in zip(qs, conf)])


def first(q: QuestionFeatures, n: int) -> QuestionFeatures:
    """The question as the guarded answerer reads it: its best ``n`` candidates only, with their logits read
    together where ``read_all`` read them so."""
    logits = q.logits[:n] if q.guard_logits is None else q.guard_logits
    if len(logits) != len(q.logits[:n]):
        raise ValueError(f"the guarded read holds {len(logits)} logits, not the best {n} candidates' "
                         f"{len(q.logits[:n])}: read_all and fit were given different guard_candidates")
    return dataclasses.replace(q, heuristic=q.heuristic[:n], logits=logits, y=q.y[:n], guard_logits=None)


def threshold_for(answerable_conf: Sequence[float], max_false_abstention: float = MAX_FALSE_ABSTENTION) -> float:
    """The highest threshold abstaining (confidence < threshold) on at most that share of answerable questions."""
    conf = np.sort(np.asarray(answerable_conf, float))
    allowed = int(np.floor(max_false_abstention * len(conf)))
    return float(conf[allowed]) if len(conf) else 0.0


def fit(qs: Sequence[QuestionFeatures], max_false_abstention: float = MAX_FALSE_ABSTENTION,
        guard_candidates: int = ReaderSettings().guard_candidates,
        also: Sequence[QuestionFeatures] = ()) -> tuple[Calibrator, dict]:
    """The shipped calibrator (fit on all questions, threshold from the out-of-fold confidences) and its
    cross-validated figures, the guarded answerer's (its confidence from the best ``guard_candidates``) included.
    ``also``: more held-out questions (the same articles with every paragraph indexed) on which the shipped
    calibrator must keep false abstention within the bound too."""
    conf, right = out_of_fold(qs)
    guarded = guarded_view(qs, out_of_fold(qs, guard_candidates)[0])
    ans = np.array([q.answerable for q in qs])
    shipped = fit_calibrator(qs)
    # One threshold for both answerers, the highest that abstains on at most the allowed share of answerable
    # questions in each view of these held-out articles: out of fold, and as the shipped calibrator (fit on all of
    # them) scores them, which is what `citebot eval squad --held-out` measures. The views differ by a few questions
    # at the threshold.
    views = [(conf, ans), (guarded, ans), (np.array([confidence(shipped, q) for q in qs]), ans),
             (guarded_view(qs, [confidence(shipped, first(q, guard_candidates)) for q in qs]), ans)]
    if also:
        more = np.array([q.answerable for q in also])
        views += [(np.array([confidence(shipped, q) for q in also]), more),
                  (guarded_view(also, [confidence(shipped, first(q, guard_candidates)) for q in also]), more)]
    # rounded down: rounding up could take the next answerable question below it
    threshold = max(0.0, float(np.floor(min(threshold_for(v[a], max_false_abstention) for v, a in views) * 1e4) / 1e4))
    heur = np.array([q.heuristic.max() if len(q.y) else -9.0 for q in qs])
    cal = dataclasses.replace(shipped, threshold=threshold)
    absent = np.array([q.absent for q in qs])
    unanswerable = ~ans & ~absent
    figures = {"questions": len(qs), "answerable": int(ans.sum()), "absent": int(absent.sum()),
               "articles": sorted({q.article for q in qs}),
               **_view(conf, ans, unanswerable, absent, threshold),
               "auc_heuristic": _rounded(auc(heur[ans], heur[unanswerable])),
               "top1_holds_answer_reader": round(float(right[ans].mean()), 4),
               "top1_holds_answer_heuristic": round(top1(qs, 0.0), 4),
               "top1_holds_answer_reader_alone": round(top1([dataclasses.replace(q, heuristic=0 * q.heuristic)
                                                             for q in qs], 1.0), 4),
               "threshold": threshold, "reader_weight": cal.reader_weight, "span_weight": round(cal.span_weight, 4),
               "guarded": {"candidates": guard_candidates, **_view(guarded, ans, unanswerable, absent, threshold)}}
    return cal, figures


def _view(conf: np.ndarray, ans: np.ndarray, unanswerable: np.ndarray, absent: np.ndarray, threshold: float) -> dict:
    """AUC against SQuAD's unanswerable questions and against questions about a left-out paragraph, and the
    abstention on each at the threshold."""
    def share(mask: np.ndarray) -> float | None:
        return round(float((conf[mask] < threshold).mean()), 4) if mask.any() else None

    return {"auc_confidence": _rounded(auc(conf[ans], conf[unanswerable])),
            "auc_absent": _rounded(auc(conf[ans], conf[absent])) if absent.any() else None,
            "false_abstention": share(ans), "abstention_unanswerable": share(unanswerable),
            "abstention_absent": share(absent)}


def _rounded(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
