"""Which sentence of a cited passage supports a claim, and how well: the check behind every LLM citation.

A claim (one sentence of an LLM's answer) cites passages; in each, every sentence the index holds is scored
against the claim as the extractive answerer scores sentences against a question: the cosine of the two
(the claim embedded like a query) plus the idf-weighted share of the claim's words the sentence holds
(``qa.extractive``). The best sentence is what the citation quotes; a claim whose best cited sentence scores under
``threshold`` is not supported by what it cites. The threshold was chosen on hand-judged LLM answer sentences
(docs/answering.md, "Checking LLM answers").
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index import LoadedIndex
from index.errors import check_range

from .claims import Claim
from .extractive import ExtractiveAnswerer
from .types import Citation, Passage

SUPPORT_THRESHOLD = 0.6


@dataclass(frozen=True)
class Support:
    """The sentence of one cited passage that best supports a claim."""

    passage: Passage
    start: int
    end: int
    score: float

    def citation(self, n: int) -> Citation:
        p = self.passage
        return Citation.of(n, p, p.text[self.start - p.start:self.end - p.start], self.start, self.end,
                           round(self.score, 4))


@dataclass(frozen=True)
class Checked:
    """A claim with the sentences that support it (empty: nothing it cites does)."""

    claim: Claim
    support: tuple[Support, ...]


class SentenceSupport:
    """Scores claims against the sentences of the passages they cite (one index generation)."""

    def __init__(self, index: LoadedIndex, threshold: float = SUPPORT_THRESHOLD):
        check_range("support threshold", threshold, lo=0.0)
        self.scorer = ExtractiveAnswerer(index)
        self.threshold = threshold

    def best(self, claim: str, passage: Passage) -> Support | None:
        """The passage's sentence that best supports ``claim`` (None when the index holds none of it)."""
        w = self.scorer.settings.lexical_weight
        scored = [(f.dense + w * f.lexical, f) for f in self.scorer.features(claim, [passage])]
        if not scored:
            return None
        score, f = max(scored, key=lambda sf: (sf[0], -sf[1].start))
        return Support(passage, f.start, f.end, score)

    def check(self, claims: Sequence[Claim], passages: Sequence[Passage]) -> list[Checked]:
        """Each claim with the best sentence of every passage it cites that scores at least the threshold."""
        out = []
        for c in claims:
            found = (self.best(c.text, passages[n - 1]) for n in c.cites)
            out.append(Checked(c, tuple(s for s in found if s is not None and s.score >= self.threshold)))
        return out
