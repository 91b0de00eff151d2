"""Which sentence of a cited passage supports a claim, and how well: the check behind every LLM citation.

A claim (one sentence of an LLM's answer) cites passages; in each, every sentence the index holds is scored
against the claim as the extractive answerer scores sentences against a question: the cosine of the two
(the claim embedded like a query) plus the idf-weighted share of the claim's words the sentence holds
(``qa.extractive``). The citation quotes the best-scoring sentence that also states every number and name the claim
states (a model that writes "$310 million from Microsoft" where the passage has "$310 million in U.S. aid" is
on topic, scores high, and is wrong); a claim whose cited sentences all fall short of ``threshold``, or none of
which states its numbers and names, is not supported by what it cites. The rule and the threshold were chosen on
hand-judged LLM answer sentences (``benchmarks/support_check.py``; docs/answering.md).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index import LoadedIndex
from index.errors import check_range
from index.sentences import SENTENCE_STARTERS

from .claims import Claim
from .extractive import ExtractiveAnswerer
from .types import Citation, Passage

SUPPORT_THRESHOLD = 0.9  # the middle of the plateau of agreement on the seeds judgements (0.8-1.1)
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][\w'’\-]*[\w]")  # a capitalised word not opening a sentence


def stated(claim: str) -> set[str]:
    """The numbers and names a claim states (lower case, straight apostrophes): its capitalised words, the first
    too unless it is a common sentence opener ("The", "In", "This")."""
    claim = claim.strip()
    first = re.match(r"[A-Z][\w'’\-]*\w", claim)
    opener = [first.group(0)] if first and first.group(0).lower() not in SENTENCE_STARTERS else []
    return {_plain(w) for w in _NUMBER.findall(claim) + _NAME.findall(claim) + opener}


def states(sentence: str, terms: set[str]) -> bool:
    """Whether ``sentence`` states every one of ``terms`` (see ``stated``)."""
    text = _plain(sentence)
    return all(t in text for t in terms)


def _plain(text: str) -> str:
    return text.replace("’", "'").lower()


@dataclass(frozen=True)
class Support:
    """The sentence of one cited passage that best supports a claim."""

    passage: Passage
    start: int
    end: int
    score: float
    states: bool = True  # the sentence states every number and name of the claim

    def citation(self, n: int) -> Citation:
        return Citation.of(n, self.passage, self.start, self.end, round(self.score, 4))


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
        """The passage's best-scoring sentence that states the claim's numbers and names, else its best-scoring
        sentence (``states`` False); None when the index holds none of it."""
        w = self.scorer.settings.lexical_weight
        scored = sorted(((f.dense + w * f.lexical, f) for f in self.scorer.features(claim, [passage])),
                        key=lambda sf: (-sf[0], sf[1].start))
        if not scored:
            return None
        terms = stated(claim)
        score, f = next(((s, f) for s, f in scored if states(f.text, terms)), scored[0])
        return Support(passage, f.start, f.end, score, states(f.text, terms))

    def supports(self, s: Support | None) -> bool:
        return s is not None and s.states and s.score >= self.threshold

    def check(self, claims: Sequence[Claim], passages: Sequence[Passage]) -> list[Checked]:
        """Each claim with the best sentence of every passage it cites that scores at least the threshold."""
        out = []
        for c in claims:
            found = (self.best(c.text, passages[n - 1]) for n in c.cites)
            out.append(Checked(c, tuple(s for s in found if self.supports(s))))
        return out
