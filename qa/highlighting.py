"""Mark the answer's words in an extractive answer: the highlighter (``qa.reader.highlight``) reads the cited
sentences and the one it is surest of gets its words marked, in the answer text and in that citation.

It only adds offsets: the sentences, citations, confidence and the decision to answer stay as the answerer made
them.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from .protocols import Answerer, Marker
from .types import Answer, Passage


class HighlightingAnswerer:
    """Any answerer, with the answer's words marked in what it returns."""

    def __init__(self, inner: Answerer, marker: Marker):
        self.inner, self.marker = inner, marker
        self.name = inner.name

    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        return highlight(self.inner.answer(question, passages), self.marker)


def highlight(answer: Answer, marker: Marker) -> Answer:
    """``answer`` with ``highlight`` set on it and on one citation: the first quoted sentence (the answerer's
    best) when the highlighter marks words in it, else the one it marks with the highest margin."""
    if answer.abstained:
        return mark_closest(answer, marker)
    if not answer.citations:
        return answer
    quoted = [c for c in answer.citations if c.text and c.text in answer.text] or list(answer.citations)
    first = marker.marks(answer.question, [quoted[0].text])[0]  # the others are read only when it has no mark
    marked = [(quoted[0], first)] if first is not None else [
        (c, m) for c, m in zip(quoted[1:], marker.marks(answer.question, [c.text for c in quoted[1:]]))
        if m is not None]
    if not marked:
        return answer
    cited, m = max(marked, key=lambda cm: cm[1].margin)
    at = answer.text.find(cited.text)
    # where the answer text words it differently: the marked words where they occur once
    span = (at + m.start, at + m.end) if at >= 0 else moved(cited.text, (m.start, m.end), answer.text)
    citations = [dataclasses.replace(c, highlight=(m.start, m.end)) if c is cited else c
                 for c in answer.citations]
    return dataclasses.replace(answer, citations=citations, highlight=span)


def mark_closest(answer: Answer, marker: Marker) -> Answer:
    """An abstention with the words of its first closest sentence marked, where the highlighter finds any."""
    if not answer.closest:
        return answer
    first = answer.closest[0]
    m = marker.marks(answer.question, [first.text])[0]
    if m is None:
        return answer
    return dataclasses.replace(answer, closest=[dataclasses.replace(first, highlight=(m.start, m.end)),
                                                *answer.closest[1:]])


def moved(old: str, span: tuple[int, int] | None, new: str) -> tuple[int, int] | None:
    """Where the words ``old[span]`` are in ``new`` (an answer text after renumbering), if they occur once."""
    if span is None:
        return None
    words = old[span[0]:span[1]]
    at = new.find(words)
    return (at, at + len(words)) if words and at >= 0 and new.count(words) == 1 else None
