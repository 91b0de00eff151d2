"""Training examples for the highlighter: (question, sentence, the answer's characters in it).

Positive: a sentence of the question's paragraph that holds a gold answer text; the span is that text's first
occurrence in the sentence (the shortest gold answer when several fit). Negative (no span): another sentence of the
paragraph, for a seeded share of the answerable questions, so the highlighter learns to mark nothing where the
sentence does not hold the answer. The highlighter reads a cited sentence alone (a citation carries no context).
"""
from __future__ import annotations

import random
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
