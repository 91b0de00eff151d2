"""SQuAD's answer matching: exact match and word-overlap F1 of marked words against the gold answers (eval's
highlighter figures and the highlighter's training card both use them)."""
from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence

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
