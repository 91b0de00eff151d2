"""Training examples for the highlighter: (question, sentence, the answer's characters in it).

Positive: a sentence of the question's paragraph that holds a gold answer text; the span is that text's first
occurrence in the sentence (the shortest gold answer when several fit). Negative (no span): another sentence of the
paragraph, for a seeded share of the answerable questions, so the highlighter learns to mark nothing where the
sentence does not hold the answer. The highlighter reads a cited sentence alone (a citation carries no context).
"""
from __future__ import annotations

import random
import re
import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from index.errors import check_range

from .pairs import Paragraph


@dataclass(frozen=True)
class SpanExample:
    question: str
    text: str                          # the sentence, whitespace collapsed (how the highlighter reads it)
    span: tuple[int, int] | None       # the answer's characters in ``text``; None: the sentence holds no answer
    answers: tuple[str, ...]           # every gold answer text of the question (for exact match and F1)
    article: str


def answer_texts(p: Paragraph, spans: Sequence[tuple[int, int]]) -> tuple[str, ...]:
    """The gold answers with whitespace collapsed, as the sentences are, shortest first."""
    return tuple(sorted({" ".join(p.text[a:b].split()) for a, b in spans} - {""}, key=lambda t: (len(t), t)))


def span_examples(paragraphs: Sequence[Paragraph], seed: int = 13, negative_share: float = 0.5) -> list[SpanExample]:
    """Every positive of these paragraphs and the seeded negatives, shuffled with ``seed``."""
    check_range("negative_share", negative_share, lo=0.0, hi=1.0)
    rng = random.Random(seed)
    out: list[SpanExample] = []
    for p in paragraphs:
        for q in p.questions:
            if not q.answers:
                continue
            answers = answer_texts(p, q.answers)
            holding = p.holding(q.answers)
            for i in sorted(holding):
                sentence = " ".join(p.sentence(i).split())
                found = [(sentence.find(a), a) for a in answers if a in sentence]
                if found:
                    start, a = found[0]
                    out.append(SpanExample(q.text, sentence, (start, start + len(a)), answers, q.article))
            others = [i for i in range(len(p.sentences)) if i not in holding]
            if others and rng.random() < negative_share:
                sentence = " ".join(p.sentence(rng.choice(others)).split())
                out.append(SpanExample(q.text, sentence, None, answers, q.article))
    rng.shuffle(out)
    return out


_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize(text: str) -> str:
    """SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in string.punctuation)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(words: str, answers: Sequence[str]) -> float:
    """1.0 when ``words`` equal one of the answers once normalised (SQuAD's exact match), else 0.0."""
    return float(any(normalize(words) == normalize(a) for a in answers))


def span_f1(words: str, answers: Sequence[str]) -> float:
    """SQuAD's F1: the best word-overlap F1 of ``words`` against any of the answers."""
    def f1(pred: list[str], gold: list[str]) -> float:
        common = sum((Counter(pred) & Counter(gold)).values())
        if not pred or not gold:
            return float(pred == gold)
        if not common:
            return 0.0
        p, r = common / len(pred), common / len(gold)
        return 2 * p * r / (p + r)

    return max((f1(normalize(words).split(), normalize(a).split()) for a in answers), default=0.0)
