"""Training pairs for the reader from SQuAD 2.0 JSON: (question, candidate sentence + context, label).

Positive: a sentence of the question's paragraph that holds a gold answer span. Negative: every other sentence,
and every sentence of an unanswerable question's paragraph (the one holding SQuAD's "plausible answer" first).
Retrieval hands the reader sentences from several paragraphs of the same article, so:

* article: the question against the sentences of the article's other paragraphs that share most words with it
  (never one holding a gold answer text).

Two kinds of negatives teach what an on-topic question whose detail is missing looks like:

* swap: the question with one key word (a capitalised name or a number that the answer sentence shares with it)
  replaced by one of the same kind from another article, against the sentence that answered the original;
* other: the question against a sentence of another article that shares one of its rarer words.

Everything is drawn from a seeded ``random.Random``: the same files and seed give the same pairs.
"""
from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.errors import check_range
from index.sentences import split_sentences
from index.types import Span

from qa.reader.text import candidate_text

_WORD = re.compile(r"\w+")
_KEY = re.compile(r"\b(?:[A-Z][\w'’\-]*[a-z][\w'’\-]*|\d[\d,.]*)\b")
_STOP = frozenset("""a an the of in on at to for from by with and or but is are was were be been being what which who
whom whose when where why how did does do that this these those it its as into than then there their they he she
his her not no many much""".split())


@dataclass(frozen=True)
class PairSettings:
    """How many negatives of each kind a question gets (benchmarks/reader_sweep.py compares other mixes)."""

    hard_negatives: int = 2           # the paragraph's other sentences sharing most words with the question
    random_negatives: int = 0         # any other sentence of the paragraph
    article_negatives: int = 2        # sentences of the article's other paragraphs sharing most words with it
    unanswerable_negatives: int = 3   # sentences of an unanswerable question's paragraph
    swap_share: float = 0.5           # share of answerable questions that also get a swapped-word negative
    other_share: float = 0.3          # share of questions that also get a sentence of another article

    def __post_init__(self) -> None:
        for name in ("hard_negatives", "random_negatives", "article_negatives", "unanswerable_negatives"):
            check_range(name, getattr(self, name), lo=0)
        for name in ("swap_share", "other_share"):
            check_range(name, getattr(self, name), lo=0.0, hi=1.0)


@dataclass(frozen=True)
class Question:
    article: str
    text: str
    answers: tuple[tuple[int, int], ...]  # gold spans in the paragraph; empty when unanswerable
    plausible: tuple[tuple[int, int], ...]  # SQuAD's plausible (wrong) answer spans of an unanswerable question


@dataclass(frozen=True)
class Paragraph:
    article: str
    text: str
    sentences: tuple[Span, ...]
    questions: tuple[Question, ...]

    def sentence(self, i: int) -> str:
        return self.text[self.sentences[i].start:self.sentences[i].end]

    def candidate(self, i: int) -> str:
        return candidate_text(self.sentence(i), self.sentence(i - 1) if i > 0 else None)

    def holding(self, spans: Iterable[tuple[int, int]]) -> set[int]:
        """Sentences that overlap any of the spans."""
        return {i for a, b in spans for i, s in enumerate(self.sentences) if s.start < max(b, a + 1) and a < s.end}


@dataclass(frozen=True)
class Pair:
    question: str
    text: str
    label: int
    kind: str      # positive | paragraph | article | unanswerable | swap | other
    article: str


def load_squad(path: str | Path, articles: Sequence[str] | None = None) -> list[Paragraph]:
    """Paragraphs of a SQuAD 2.0 file (only the named articles, when given), split as the indexer splits."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    out = []
    for art in data:
        if articles is not None and art["title"] not in articles:
            continue
        for p in art["paragraphs"]:
            ctx = p["context"]
            qs = tuple(Question(art["title"], q["question"].strip(), _spans(q.get("answers", [])),
                                _spans(q.get("plausible_answers", []))) for q in p["qas"])
            out.append(Paragraph(art["title"], ctx, tuple(split_sentences(ctx, Span(0, len(ctx)))), qs))
    return out


def article_titles(path: str | Path) -> list[str]:
    return sorted(a["title"] for a in json.loads(Path(path).read_text(encoding="utf-8"))["data"])


def _spans(answers: list[dict]) -> tuple[tuple[int, int], ...]:
    return tuple(sorted({(a["answer_start"], a["answer_start"] + len(a["text"])) for a in answers}))


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


class _Swapper:
    """Key words (names, numbers) by article, to replace one in a question with another article's."""

    def __init__(self, paragraphs: Sequence[Paragraph]):
        self.names: dict[str, list[str]] = defaultdict(list)
        self.numbers: dict[str, list[str]] = defaultdict(list)
        for p in paragraphs:
            for w in set(_KEY.findall(p.text)):
                (self.numbers if w[0].isdigit() else self.names)[p.article].append(w)
        self.articles = sorted(self.names)

    def swap(self, rng: random.Random, q: Question, sentence: str) -> str | None:
        keys = [w for w in set(_KEY.findall(q.text)) if w in sentence and w.lower() not in _STOP]
        if not keys or len(self.articles) < 2:
            return None
        word = rng.choice(sorted(keys))
        pool_by = self.numbers if word[0].isdigit() else self.names
        others = [a for a in self.articles if a != q.article and pool_by.get(a)]
        if not others:
            return None
        pool = [w for w in pool_by[rng.choice(others)] if w.lower() not in sentence.lower()]
        if not pool:
            return None
        new = rng.choice(sorted(pool))
        return re.sub(rf"\b{re.escape(word)}\b", new, q.text)


class _OtherArticles:
    """Sentences by word, to find a sentence of another article that shares a rarer word with a question."""

    def __init__(self, paragraphs: Sequence[Paragraph]):
        self.by_word: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.paragraphs = paragraphs
        for pi, p in enumerate(paragraphs):
            for si in range(len(p.sentences)):
                for w in _words(p.sentence(si)):
                    self.by_word[w].append((pi, si))

    def pick(self, rng: random.Random, q: Question) -> str | None:
        words = sorted(w for w in _words(q.text) if len(w) > 3 and self.by_word.get(w))
        rng.shuffle(words)
        for w in words[:3]:
            hits = [h for h in self.by_word[w] if self.paragraphs[h[0]].article != q.article]
            if hits:
                pi, si = rng.choice(hits)
                return self.paragraphs[pi].candidate(si)
        return None


class _SameArticle:
    """The sentences of each article with their words, to find another paragraph's sentence like a question."""

    def __init__(self, paragraphs: Sequence[Paragraph]):
        self.by_article: dict[str, list[tuple[int, int, set[str]]]] = defaultdict(list)
        self.paragraphs = paragraphs
        for pi, p in enumerate(paragraphs):
            for si in range(len(p.sentences)):
                self.by_article[p.article].append((pi, si, _words(p.sentence(si))))

    def closest(self, q: Question, home: int, n: int) -> list[str]:
        """The ``n`` sentences of other paragraphs of the article sharing most words with the question, none
        holding a gold answer text."""
        qw = _words(q.text)
        answers = {self.paragraphs[home].text[a:b].lower() for a, b in q.answers}
        scored = sorted(((len(qw & w), pi, si) for pi, si, w in self.by_article[q.article] if pi != home),
                        key=lambda x: (-x[0], x[1], x[2]))
        out = []
        for overlap, pi, si in scored:
            if len(out) >= n or overlap == 0:
                break
            sentence = self.paragraphs[pi].sentence(si).lower()
            if not any(a and a in sentence for a in answers):
                out.append(self.paragraphs[pi].candidate(si))
        return out


def build_pairs(paragraphs: Sequence[Paragraph], seed: int = 13,
                settings: PairSettings = PairSettings()) -> list[Pair]:
    """All training pairs for these paragraphs, shuffled with ``seed``."""
    s = settings
    rng = random.Random(seed)
    swapper, others, article = _Swapper(paragraphs), _OtherArticles(paragraphs), _SameArticle(paragraphs)
    pairs: list[Pair] = []
    for home, p in enumerate(paragraphs):
        n = len(p.sentences)
        for q in p.questions:
            add = lambda text, label, kind: pairs.append(Pair(q.text, text, label, kind, q.article))  # noqa: E731
            qw = _words(q.text)
            by_overlap = sorted(range(n), key=lambda i: (-len(qw & _words(p.sentence(i))), i))
            if q.answers:
                pos = p.holding(q.answers)
                for i in sorted(pos):
                    add(p.candidate(i), 1, "positive")
                rest = [i for i in by_overlap if i not in pos]
                negs = rest[:s.hard_negatives]
                tail = rest[s.hard_negatives:]
                negs += rng.sample(tail, min(s.random_negatives, len(tail)))
                for i in negs:
                    add(p.candidate(i), 0, "paragraph")
                if rng.random() < s.swap_share:
                    i = min(pos)
                    swapped = swapper.swap(rng, q, p.sentence(i))
                    if swapped:
                        pairs.append(Pair(swapped, p.candidate(i), 0, "swap", q.article))
            else:
                first = sorted(p.holding(q.plausible))
                negs = first + [i for i in by_overlap if i not in first]
                for i in negs[:s.unanswerable_negatives]:
                    add(p.candidate(i), 0, "unanswerable")
            for text in article.closest(q, home, s.article_negatives if q.answers else 1):
                add(text, 0, "article")
            if rng.random() < s.other_share:
                text = others.pick(rng, q)
                if text:
                    add(text, 0, "other")
    rng.shuffle(pairs)
    return pairs
