"""Evaluation metrics as pure functions (definitions: eval/README.md). No models, no files opened here."""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence

from qa.squadmatch import exact_match, span_f1
from qa.stats import auc
from qa.textmatch import contains_answer, normalize

from .records import QuestionResult, Scores, Verdict

MARKER = re.compile(r"\[\d+\]")
RETRIEVAL_DEPTH = 10
EVIDENCE_OVERLAP = 0.5


# -- text matching -------------------------------------------------------------------------------

def strip_markers(text: str) -> str:
    """Answer text without citation markers such as [1]."""
    return MARKER.sub(" ", text)


def evidence_overlap(quote: str, evidence: str) -> float:
    """Share of the evidence's distinct normalized words that the quote contains (0 without evidence)."""
    ev = set(normalize(evidence).split())
    return len(ev & set(normalize(quote).split())) / len(ev) if ev else 0.0


def supports(quote: str, answers: Sequence[str], evidence: str, threshold: float = EVIDENCE_OVERLAP) -> bool:
    """A citation supports the answer: its quote holds a gold answer or covers most of the gold evidence."""
    return contains_answer(quote, answers) or evidence_overlap(quote, evidence) >= threshold


def offset_ok(source_text: str, start: int, end: int, quote: str) -> bool:
    return 0 <= start <= end <= len(source_text) and source_text[start:end] == quote


# -- retrieval (document level) --------------------------------------------------------------------

def dedupe(ids: Iterable[str]) -> list[str]:
    """First occurrence of each id, order kept: passage doc_ids -> a document ranking."""
    return list(dict.fromkeys(ids))


def hit_at(ranked: Sequence[str], gold: Iterable[str], k: int) -> float:
    gold = set(gold)
    return float(any(d in gold for d in dedupe(ranked)[:k]))


def reciprocal_rank(ranked: Sequence[str], gold: Iterable[str], k: int = RETRIEVAL_DEPTH) -> float:
    gold = set(gold)
    for rank, d in enumerate(dedupe(ranked)[:k], start=1):
        if d in gold:
            return 1.0 / rank
    return 0.0


def ndcg_at(ranked: Sequence[str], gold: Iterable[str], k: int = RETRIEVAL_DEPTH) -> float:
    """Binary-relevance nDCG: sum 1/log2(rank+1) over gold docs in the top k, over the ideal sum."""
    gold = set(gold)
    if not gold:
        return 0.0
    dcg = sum(1.0 / math.log2(r + 1) for r, d in enumerate(dedupe(ranked)[:k], start=1) if d in gold)
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(len(gold), k) + 1))
    return dcg / ideal


# -- retrieval (passage level) ---------------------------------------------------------------------

def evidence_spans(text: str, evidence: str) -> list[tuple[int, int]]:
    """Every [start, end) of ``evidence`` in ``text``, any run of whitespace matching any other (a line break in the
    source, a space in the gold quote); [] when it is not there or the evidence is blank."""
    words = evidence.split()
    if not words:
        return []
    return [m.span() for m in re.finditer(r"\s+".join(map(re.escape, words)), text)]


def evidence_rank(r: QuestionResult, read_source: Callable[[str], str]) -> int | None:
    """1-based rank of the first retrieved passage of a gold document whose [start, end) overlaps the gold evidence
    there (RETRIEVAL_DEPTH deep), 0 when none does; None when the question cannot be judged so: unanswerable, no
    evidence, no passages from the system, a gold source that cannot be read, or every gold document retrieved and
    the evidence in none of them (a gold-file problem, not a retrieval miss)."""
    item = r.item
    if not (item.answerable and item.evidence.strip() and r.ranked_passages):
        return None
    gold, spans, read = set(item.docs), {}, set()
    for rank, p in enumerate(r.ranked_passages[:RETRIEVAL_DEPTH], start=1):
        if p.doc_id not in gold:
            continue
        read.add(p.doc_id)
        if p.source not in spans:
            try:
                spans[p.source] = evidence_spans(read_source(p.source), item.evidence)
            except (OSError, UnicodeDecodeError):
                return None
        if any(s < p.end and p.start < e for s, e in spans[p.source]):
            return rank
    return None if read == gold and not any(spans.values()) else 0


def passage_scores(ranks: Sequence[int]) -> dict[str, float | None]:
    """Passage hit@1, hit@5 and MRR@10 from evidence ranks (0: not in the first RETRIEVAL_DEPTH)."""
    return {"passage_hit_at_1": mean(0 < k <= 1 for k in ranks), "passage_hit_at_5": mean(0 < k <= 5 for k in ranks),
            "passage_mrr_at_10": mean(1.0 / k if k else 0.0 for k in ranks)}


# -- aggregates ------------------------------------------------------------------------------------

def mean(values: Iterable[float | bool]) -> float | None:
    values = [float(v) for v in values]
    return sum(values) / len(values) if values else None


def sign_test(worse: int, better: int) -> float:
    """Two-sided exact sign test (binomial, p = 1/2) of ``worse`` against ``better`` paired changes: the chance of
    a split at least this uneven if each change were a coin toss. Ties (questions that did not change) do not count;
    no change at all gives 1."""
    if worse < 0 or better < 0:
        raise ValueError(f"counts must be at least 0 (got {worse}, {better})")
    n = worse + better
    tail = sum(math.comb(n, k) for k in range(min(worse, better) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def percentile(values: Iterable[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100), as numpy's default; None for no values."""
    xs = sorted(values)
    if not xs:
        return None
    pos = (len(xs) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


# -- per question and per run ------------------------------------------------------------------------

def count_bad_offsets(r: QuestionResult, read_source: Callable[[str], str]) -> int:
    bad = 0
    for c in r.citations:
        try:
            ok = offset_ok(read_source(c.source), c.start, c.end, c.quote)
        except (OSError, UnicodeDecodeError):
            ok = False
        bad += not ok
    return bad


def judge(r: QuestionResult, read_source: Callable[[str], str]) -> Verdict:
    """Score one answer; ``read_source(path)`` gives a cited file's text as open(path).read() does."""
    item, bad = r.item, count_bad_offsets(r, read_source)
    reasons = [f"{bad} citation(s) with wrong offsets"] if bad else []
    if not item.answerable:
        if not r.abstained:
            reasons.append("answered a question the corpus cannot answer")
        return Verdict(None, None, 0, len(r.citations), bad, tuple(reasons))
    hit = contains_answer(strip_markers(r.text), item.answers)
    cited = None if r.abstained else contains_answer(" ".join(c.quote for c in r.citations), item.answers)
    supported = sum(supports(c.quote, item.answers, item.evidence) for c in r.citations)
    if r.abstained:
        reasons.append("abstained on an answerable question")
    elif not hit:
        reasons.append("no gold answer in the answer text")
    if cited is False:
        reasons.append("no gold answer in the cited quotes")
    return Verdict(hit, cited, supported, len(r.citations), bad, tuple(reasons), evidence_rank(r, read_source))


def score(results: Sequence[QuestionResult], verdicts: Sequence[Verdict]) -> Scores:
    pairs = list(zip(results, verdicts))
    ans = [(r, v) for r, v in pairs if r.item.answerable]
    una = [r for r, _ in pairs if not r.item.answerable]
    answered = [(r, v) for r, v in ans if not r.abstained]
    cited = sum(v.cited for _, v in answered)
    all_cited = sum(v.cited for v in verdicts)
    ms = [r.seconds * 1000.0 for r in results]
    return Scores(
        questions=len(results), answerable=len(ans), unanswerable=len(una),
        hit_at_1=mean(hit_at(r.ranked_docs, r.item.docs, 1) for r, _ in ans),
        hit_at_5=mean(hit_at(r.ranked_docs, r.item.docs, 5) for r, _ in ans),
        mrr_at_10=mean(reciprocal_rank(r.ranked_docs, r.item.docs) for r, _ in ans),
        ndcg_at_10=mean(ndcg_at(r.ranked_docs, r.item.docs) for r, _ in ans),
        answer_recall=mean(v.answer_hit for _, v in ans),
        false_abstention=mean(r.abstained for r, _ in ans),
        median_answer_chars=percentile([len(r.text) for r, _ in answered], 50),
        citation_recall=mean(v.citation_hit for _, v in answered),
        citation_precision=sum(v.supported for _, v in answered) / cited if cited else None,
        exact_offsets=1.0 - sum(v.bad_offsets for v in verdicts) / all_cited if all_cited else None,
        abstention=mean(r.abstained for r in una),
        latency_p50_ms=percentile(ms, 50), latency_p95_ms=percentile(ms, 95),
        first_citation_hit=mean(contains_answer(r.citations[0].quote, r.item.answers)
                                for r, _ in answered if r.citations),
        confidence_auc=confidence_auc(results), closest_hit=closest_hit(results), **highlight_scores(ans),
        **passage_scores([v.evidence_rank for _, v in ans if v.evidence_rank is not None]), **llm_scores(results))


def llm_scores(results: Sequence[QuestionResult]) -> dict[str, float | None]:
    """Sentence-level citation recall and precision of an LLM's replies by the support check, pooled over replies."""
    checked = [r.checked for r in results if r.checked is not None]
    if not checked:
        return {}
    sentences, supported, cites, good = (sum(c[i] for c in checked) for i in range(4))
    return {"llm_sentence_support": supported / sentences if sentences else None,
            "llm_citation_precision": good / cites if cites else None}


def closest_hit(results: Sequence[QuestionResult]) -> float | None:
    """Of the answerable questions refused, the share whose closest passages (shown as not confirmed) hold a gold
    answer; None when no result carries a closest passage."""
    if not any(r.closest for r in results):
        return None
    return mean(contains_answer(" ".join(c.quote for c in r.closest), r.item.answers)
                for r in results if r.item.answerable and r.abstained)


def highlight_scores(answerable: Sequence[tuple[QuestionResult, Verdict]]) -> dict[str, float | None]:
    """How well the marked words match the gold answers, on answered questions whose answer holds one."""
    rows = [r for r, v in answerable if v.answer_hit and not r.abstained]
    if not any(r.highlight for r in rows):
        return {}
    words = [r.highlight or "" for r in rows]
    return {"highlight_marked": mean(bool(w) for w in words),
            "highlight_exact": mean(exact_match(w, r.item.answers) if w else 0.0 for w, r in zip(words, rows)),
            "highlight_f1": mean(span_f1(w, r.item.answers) if w else 0.0 for w, r in zip(words, rows))}


def confidence_auc(results: Sequence[QuestionResult]) -> float | None:
    """AUC of the answerer's confidence between answerable and unanswerable questions (None: no confidences)."""
    scored = [r for r in results if r.confidence is not None]
    return auc([r.confidence for r in scored if r.item.answerable],
               [r.confidence for r in scored if not r.item.answerable])


def by_kind(results: Sequence[QuestionResult], verdicts: Sequence[Verdict]) -> tuple[tuple[str, float | None], ...]:
    """Answer recall for each answerable kind, abstention for each other kind, in gold-kind order."""
    kinds = dedupe(r.item.kind for r in results)
    out = []
    for kind in kinds:
        rows = [(r, v) for r, v in zip(results, verdicts) if r.item.kind == kind]
        if rows[0][0].item.answerable:
            out.append((f"answer recall ({kind})", mean(v.answer_hit for _, v in rows)))
        else:
            out.append((f"abstention ({kind})", mean(r.abstained for r, _ in rows)))
    return tuple(out)
