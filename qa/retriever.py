"""Hybrid retrieval: dense (FAISS) and lexical (BM25) rankings fused by reciprocal rank."""
from __future__ import annotations

from dataclasses import dataclass

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index import LoadedIndex, Passage
from index.errors import check_choice, check_range

MODES = ("hybrid", "dense", "lexical")


def rrf(rankings: list[list[tuple[int, float]]], k: int, rrf_k: int = 60) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion: sum over rankings of 1 / (rrf_k + rank), rank from 1."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, (row, _) in enumerate(ranking, start=1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (rrf_k + rank)
    return sorted(fused.items(), key=lambda x: (-x[1], x[0]))[:k]


def convex(rankings: list[list[tuple[int, float]]], k: int, weights: tuple[float, ...]) -> list[tuple[int, float]]:
    """Weighted sum of min-max normalised scores; a row missing from a ranking scores 0 there."""
    fused: dict[int, float] = {}
    for ranking, w in zip(rankings, weights):
        if not ranking:
            continue
        hi, lo = ranking[0][1], ranking[-1][1]
        span = (hi - lo) or 1.0
        for row, score in ranking:
            fused[row] = fused.get(row, 0.0) + w * (score - lo) / span
    return sorted(fused.items(), key=lambda x: (-x[1], x[0]))[:k]


FUSIONS = ("convex", "rrf")


@dataclass(frozen=True)
class HybridSearch:
    """Our PassageRetriever: rows from both indexes, fused, as Passages."""

    index: LoadedIndex
    mode: str = "hybrid"
    depth: int = 50            # candidates taken from each ranking before fusion
    fusion: str = "convex"     # convex: 0.5 * dense + 0.5 * BM25, each min-max normalised; or rrf
    dense_weight: float = 0.5
    rrf_k: int = 60

    def __post_init__(self) -> None:
        check_choice("retrieval mode", self.mode, MODES)
        check_choice("fusion", self.fusion, FUSIONS)
        check_range("retrieval depth", self.depth, lo=1)
        check_range("dense weight", self.dense_weight, lo=0.0, hi=1.0)

    def ranked_rows(self, question: str, k: int) -> list[tuple[int, float]]:
        depth = max(self.depth, k)
        if self.mode == "dense":
            return self.index.dense_search(question, k)
        if self.mode == "lexical":
            return self.index.lexical_search(question, k)
        rankings = [self.index.dense_search(question, depth), self.index.lexical_search(question, depth)]
        if self.fusion == "rrf":
            return rrf(rankings, k, self.rrf_k)
        return convex(rankings, k, (self.dense_weight, 1.0 - self.dense_weight))

    def retrieve(self, question: str, k: int) -> list[Passage]:
        check_range("k", k, lo=1)
        return [self.index.passage(r, s) for r, s in self.ranked_rows(question, k)]


def to_langchain(p: Passage) -> LCDocument:
    return LCDocument(page_content=p.text, id=p.chunk_id, metadata={
        "chunk_id": p.chunk_id, "doc_id": p.doc_id, "source": p.source, "title": p.title,
        "start": p.start, "end": p.end, "score": p.score, "date": p.date})


def from_langchain(d: LCDocument) -> Passage:
    m = d.metadata
    return Passage(m["chunk_id"], m["doc_id"], m["source"], m["title"], d.page_content, m["start"], m["end"],
                   m["score"], m.get("date"))


class CitebotRetriever(BaseRetriever):
    """LangChain face of HybridSearch: Documents carry doc_id, source, title, start, end, score."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    search: HybridSearch
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [to_langchain(p) for p in self.search.retrieve(query, self.k)]
