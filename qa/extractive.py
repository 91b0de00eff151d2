"""Default answerer, no LLM needed: quote the best-supported sentences of the retrieved passages."""
from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass


from index import LoadedIndex
from index.clean import SECTION_SEPARATOR
from index.errors import check_range

from .answer_type import AnswerType, offers, offers_measure, question_type
from .sources import current_text
from .types import Answer, Citation, Passage


@dataclass(frozen=True)
class ExtractiveSettings:
    """Weights of the sentence score and the evidence threshold (calibrated on gold data, see eval/)."""

    lexical_weight: float = 1.0    # share of the question's idf mass found in the sentence
    anaphor_weight: float = 0.5    # a sentence opening with "This", "It", "Such"… is read with the one before it:
                                   # this share of the question words only that one holds counts (held-out SQuAD,
                                   # 2026-12-07: 4 questions more right, 2 fewer; docs/answering.md)
    heading_weight: float = 0.5    # ... and so is the heading of the section it stands in ("--no-defaults: don't
                                   # run default passes" over "This flag is deprecated."; docs/answering.md)
    type_penalty: float = 0.2      # sentence lacks the kind of answer asked for (a name, number, date)
    rank_weight: float = 0.05      # prior for sentences of higher-ranked passages
    min_evidence: float = 0.6      # best sentence score below this -> abstain
    min_dense: float = 0.25        # ... and so does a best passage this far from the question
    keep_ratio: float = 0.5        # further sentences must score within this share of the best
    other_doc_ratio: float = 0.7   # ... and this share when they come from another document
    max_sentences: int = 3
    max_chars: int = 400
    duplicate_similarity: float = 0.9  # sentences this close (cosine) from other docs merge into one

    def __post_init__(self) -> None:
        check_range("max_sentences", self.max_sentences, lo=1, hi=10)
        check_range("max_chars", self.max_chars, lo=50)
        check_range("keep_ratio", self.keep_ratio, lo=0.0, hi=1.0)
        check_range("other_doc_ratio", self.other_doc_ratio, lo=0.0, hi=1.0)
        check_range("duplicate_similarity", self.duplicate_similarity, lo=0.0, hi=1.0)
        check_range("anaphor_weight", self.anaphor_weight, lo=0.0, hi=1.0)
        check_range("heading_weight", self.heading_weight, lo=0.0, hi=1.0)


@dataclass(frozen=True)
class Candidate:
    row: int               # sentence row in the index
    passage: Passage
    start: int
    end: int
    text: str              # plain text of the sentence
    dense: float
    score: float
    previous: str | None = None  # the sentence before it in its chunk (the reader's context)


@dataclass(frozen=True)
class Features:
    """The parts of one sentence's score, before the settings weigh them (benchmarks/sentence_weights.py)."""

    row: int
    passage: Passage
    start: int
    end: int
    text: str
    previous: str | None
    dense: float           # cosine of the sentence and the question
    lexical: float         # share of the question's idf mass the sentence covers
    lexical_with_previous: float  # ... the sentence and the one before it cover, where it opens with an anaphor
                                  # ("This way, Emacs' fill-paragraph …"); else the same as lexical
    lexical_with_heading: float   # ... those and the heading of the section it stands in (not the document's
                                  # title, which every sentence shares)
    rank: int              # its passage's rank, 0 first
    type_ok: bool          # it offers the kind of answer the question asks for


class ExtractiveAnswerer:
    name = "heuristic"

    def __init__(self, index: LoadedIndex, settings: ExtractiveSettings | None = None,
                 order: Callable[[str, list[Candidate]], list[Candidate]] | None = None):
        self.index = index
        self.settings = settings or ExtractiveSettings()
        self.order = order  # which candidate to quote first, when not the best-scoring (qa.reader.rerank)
        self._row_of = {c.chunk_id: i for i, c in enumerate(index.chunks)}
        bm = index.bm25
        self._df = {t: int(bm.indptr[j + 1] - bm.indptr[j]) for t, j in bm.vocab.items()}

    def _idf(self, token: str) -> float:
        return math.log(1.0 + (self.index.bm25.n_docs + 1) / (self._df.get(token, 0) + 1))

    def candidates(self, question: str, passages: Sequence[Passage]) -> list[Candidate]:
        s, out = self.settings, []
        for f in self.features(question, passages):
            lexical = (f.lexical + s.anaphor_weight * (f.lexical_with_previous - f.lexical)
                       + s.heading_weight * (f.lexical_with_heading - f.lexical_with_previous))
            score = f.dense + s.lexical_weight * lexical + s.rank_weight / (1 + f.rank)
            if not f.type_ok:
                score -= s.type_penalty
            out.append(Candidate(f.row, f.passage, f.start, f.end, f.text, f.dense, score, f.previous))
        return sorted(out, key=lambda c: -c.score)

    def features(self, question: str, passages: Sequence[Passage]) -> list[Features]:
        """Each sentence of the passages once (first passage that holds it), in reading order, with its score's
        parts."""
        q = self.index.embedder.embed_query(question)
        q_tokens = sorted(set(self.index.bm25.tokenizer(question)))  # a fixed order: the same sums in every process
        weights = {t: self._idf(t) for t in q_tokens}
        total = sum(weights.values()) or 1.0
        kind = question_type(question)
        seen, out = set(), []
        heads: dict[str, set[str]] = {}
        for rank, p in enumerate(passages):
            row = self._row_of.get(p.chunk_id)
            if row is None:
                continue
            previous = None
            shift = p.start - self.index.chunks[row].start  # 0 unless the file changed and the passage moved
            for srow, span, text in self.index.chunk_sentences(row):
                prev, previous = previous, text
                if srow in seen:
                    continue
                seen.add(srow)
                dense = float(self.index.sentence_vectors[srow] @ q)
                toks = set(self.index.bm25.tokenizer(text))
                lex = sum(w for t, w in weights.items() if covers(toks, t)) / total
                with_prev = with_head = lex
                if prev and _ANAPHOR.match(text):
                    toks = toks | set(self.index.bm25.tokenizer(prev))
                    with_prev = with_head = sum(w for t, w in weights.items() if covers(toks, t)) / total
                head = _section_heading(p, span.start + shift)
                if head:
                    if head not in heads:
                        heads[head] = set(self.index.bm25.tokenizer(head))
                    if heads[head] - toks:
                        both = toks | heads[head]
                        with_head = sum(w for t, w in weights.items() if covers(both, t)) / total
                out.append(Features(srow, p, span.start + shift, span.end + shift, text, prev, dense, lex, with_prev,
                                    with_head, rank, offers(kind, text, question)))
        return out

    def answer(self, question: str, passages: Sequence[Passage], cands: list[Candidate] | None = None) -> Answer:
        """The best-supported sentences, or an abstention; ``cands``: this question's candidates when the caller
        already has them (``candidates(question, passages)``)."""
        cands = self.candidates(question, passages) if cands is None else cands
        confidence = round(cands[0].score, 4) if cands else None
        if self.abstains(cands):
            return Answer.abstain(question, passages, self.name, confidence=confidence, off_topic=self.far(cands))
        chosen = self.select(cands)
        if self.order:
            chosen = self.lead_with(self.order(question, cands)[0], chosen)
        answer = self.compose(question, passages, chosen, cands, confidence)
        if question_type(question) is AnswerType.NUMBER and not any(
                offers_measure(c.text, question) for c in answer.citations):
            # "how many …?" answered with no number at all (or "how much memory …?" with none in bytes): the quotes
            # are about the topic, not the answer
            return Answer.abstain(question, passages, self.name, confidence=confidence, closest=answer.citations)
        return answer

    def abstains(self, cands: list[Candidate]) -> bool:
        """Whether the evidence is too weak to answer: no candidate, a best score under min_evidence, or no
        sentence within min_dense of the question (``cands``: all of a question's candidates, best first)."""
        return self.far(cands) or cands[0].score < self.settings.min_evidence

    def far(self, cands: list[Candidate]) -> bool:
        """No candidate, or none within min_dense of the question: nothing retrieved is near it."""
        return not cands or max(c.dense for c in cands) < self.settings.min_dense

    def compose(self, question: str, passages: Sequence[Passage], chosen: list[Candidate],
                cands: list[Candidate], confidence: float | None) -> Answer:
        """The answer text quoting ``chosen`` (best first), each with its citations; a first sentence that
        introduces what follows it ("… the user will get this message:") is quoted with what follows, a list with
        all its items that fit, a sentence with the next when that one points back to it."""
        chosen = self.with_continuations(self.with_list(self.with_follower(chosen)), cands)
        groups = self._merge_duplicates(chosen, cands)
        parts, citations = [], []
        for group in groups:
            markers = []
            for c in group:
                n = len(citations) + 1
                citations.append(_citation(n, c))
                markers.append(f"[{n}]")
            parts.append(f"{group[0].text} {''.join(markers)}")
        head = self.telling_heading(question, groups[0][0]) if groups else None
        if head:
            parts[0] = f"Under “{head}”: {parts[0]}"
        return Answer(question, " ".join(parts), False, citations, list(passages), self.name,
                      confidence=confidence)

    def telling_heading(self, question: str, c: Candidate) -> str | None:
        """The heading of the section ``c`` stands in, where it holds question words the quote and the sentence
        before it lack ("rustdoc option to skip the default passes - still ok to use?" quoting "This flag is
        deprecated." -> "--no-defaults: don't run default passes"): the answer names it. Never the document's title;
        not past MAX_HEADING_CHARS."""
        head = _section_heading(c.passage, c.start)
        if not head or len(head) > MAX_HEADING_CHARS:
            return None
        tok = self.index.bm25.tokenizer
        have = set(tok(c.text)) | set(tok(c.previous or ""))
        heading = set(tok(head))
        return head if any(covers(heading, t) and not covers(have, t) for t in set(tok(question))) else None

    def select(self, cands: list[Candidate]) -> list[Candidate]:
        """The best candidate and up to max_sentences - 1 more scoring within the settings' ratios of it."""
        s = self.settings
        best = cands[0]
        chosen, used = [best], len(best.text)
        for c in cands[1:]:
            if len(chosen) >= s.max_sentences or c.score < s.keep_ratio * best.score:
                break
            if c.passage.doc_id != best.passage.doc_id and c.score < s.other_doc_ratio * best.score:
                continue
            if used + len(c.text) + 1 > s.max_chars or self._is_duplicate(c, chosen):
                continue
            chosen.append(c)
            used += len(c.text) + 1
        # Best sentence first; the others in reading order so the quotes read naturally.
        return [best] + sorted(chosen[1:], key=lambda c: (c.passage.doc_id, c.start))

    def lead_with(self, first: Candidate, chosen: list[Candidate]) -> list[Candidate]:
        """``chosen`` quoted after ``first`` (the sentence ``order`` puts first): every sentence the heuristic chose
        stays, its best second, except those that would take the quote past max_sentences or max_chars (the
        best is always kept). A ``first`` repeating a chosen sentence changes nothing."""
        if first is chosen[0]:
            return chosen
        rest = [c for c in chosen if c is not first]
        if len(rest) == len(chosen) and self._is_duplicate(first, chosen):
            return chosen
        out, used = [first, rest[0]], len(first.text) + len(rest[0].text) + 1
        for c in rest[1:]:
            if len(out) >= self.settings.max_sentences or used + len(c.text) + 1 > self.settings.max_chars:
                continue
            out.append(c)
            used += len(c.text) + 1
        return out

    def with_follower(self, chosen: list[Candidate]) -> list[Candidate]:
        """``chosen`` with the unit that its first sentence introduces quoted right after it, where it has one
        (the last quote gives way when that takes it past max_sentences)."""
        nxt = self.follower(chosen[0]) if chosen else None
        if nxt is None or any(c.row == nxt.row for c in chosen):
            return chosen
        return [chosen[0], nxt, *chosen[1:]][:max(2, self.settings.max_sentences)]

    def with_list(self, chosen: list[Candidate]) -> list[Candidate]:
        """A first quote that introduces a list (its lead-in ends in a colon: "… four fields to complete: “Description
        of Work …”") carries the rest of the list: the short units right after it in its passage, while the whole
        quote stays within max_chars ("… “Date data retrieved”")."""
        if not chosen:
            return chosen
        i = 1 if len(chosen) > 1 and chosen[1].previous == chosen[0].text and chosen[0].text.rstrip().endswith(":") \
            else 0
        head = chosen[i]
        colon = head.text.rfind(":")
        if colon < 0 or len(head.text) - colon > LIST_ITEM_CHARS:
            return chosen
        row = self._row_of.get(head.passage.chunk_id)
        if row is None:
            return chosen
        shift = head.passage.start - self.index.chunks[row].start
        end, texts = head.end, [head.text]
        used = sum(len(c.text) + 1 for c in chosen[:i + 1])
        for srow, span, text in self.index.chunk_sentences(row):
            if srow <= head.row:
                continue
            if (srow != head.row + len(texts) or len(text) > LIST_ITEM_CHARS or _ENDS_SENTENCE.search(text)
                    or used + len(text) + 1 > self.settings.max_chars):
                break
            end, used = span.end + shift, used + len(text) + 1
            texts.append(text)
        if len(texts) == 1:
            return chosen
        merged = dataclasses.replace(head, end=end, text=" ".join(texts))
        out = chosen[:i] + [merged]
        for c in chosen[i + 1:]:  # the other quotes, while they fit (the list comes first)
            inside = c.passage.doc_id == head.passage.doc_id and head.start <= c.start < end
            if not inside and used + len(c.text) + 1 <= self.settings.max_chars:
                out.append(c)
                used += len(c.text) + 1
        return out

    def with_continuations(self, chosen: list[Candidate], cands: list[Candidate]) -> list[Candidate]:
        """Each quote with the sentence right after it when that one points back to it ("… place the closing quotes
        on a line by themselves. This way, Emacs' fill-paragraph command can be used on it.") and scores within
        keep_ratio of the best: one citation, while the answer stays within max_chars."""
        if not chosen or not cands:
            return chosen
        floor = self.settings.keep_ratio * max(c.score for c in cands)
        by_row = {c.row: c for c in cands}
        taken = {c.row for c in chosen}
        used = sum(len(c.text) + 1 for c in chosen)
        out = []
        for c in chosen:
            nxt = by_row.get(c.row + 1)
            if (nxt is not None and nxt.row not in taken and nxt.passage.chunk_id == c.passage.chunk_id
                    and nxt.start >= c.end and _ANAPHOR.match(nxt.text) and nxt.score >= floor
                    and used + len(nxt.text) + 1 <= self.settings.max_chars):
                c = dataclasses.replace(c, end=nxt.end, text=f"{c.text} {nxt.text}")
                taken.add(nxt.row)
                used += len(nxt.text) + 1
            out.append(c)
        return out

    def follower(self, c: Candidate) -> Candidate | None:
        """The unit right after a lead-in (a sentence ending in a colon) in the same document: the list, table
        row, code block or sentence it introduces, which is what answers a question the lead-in matches. None
        where ``c`` is no lead-in, or the unit cannot be quoted exactly (its document changed since indexing)."""
        if not c.text.rstrip().endswith(":"):
            return None
        row = c.row + 1
        sents = self.index.sentences
        if row >= len(sents) or int(sents[row][0]) != int(sents[c.row][0]):
            return None
        chunk = int(self.index.sentence_chunks[row][0])
        p = c.passage
        if chunk != self._row_of.get(p.chunk_id):
            entry = self.index.manifest["documents"].get(p.doc_id, {})
            if current_text(p.source, entry.get("content_hash", ""), entry.get("file_sha256")) is not None:
                return None  # changed since indexing: the index's offsets may point at other text
            p = self.index.passage(chunk, p.score)
        shift = p.start - self.index.chunks[chunk].start
        for srow, span, text in self.index.chunk_sentences(chunk):
            if srow == row:
                return dataclasses.replace(c, row=row, passage=p, start=span.start + shift, end=span.end + shift,
                                           text=text, previous=c.text)
        return None

    def _sim(self, a: Candidate, b: Candidate) -> float:
        return float(self.index.sentence_vectors[a.row] @ self.index.sentence_vectors[b.row])

    def _is_duplicate(self, c: Candidate, chosen: list[Candidate]) -> bool:
        return any(self._sim(c, o) >= self.settings.duplicate_similarity for o in chosen)

    def _merge_duplicates(self, chosen: list[Candidate], cands: list[Candidate]) -> list[list[Candidate]]:
        """Each chosen sentence with the same statement from other documents (one citation each)."""
        groups = []
        for c in chosen:
            group, docs = [c], {c.passage.doc_id}
            for o in cands:
                if o.passage.doc_id not in docs and self._sim(c, o) >= self.settings.duplicate_similarity:
                    group.append(o)
                    docs.add(o.passage.doc_id)
            groups.append(group)
        return groups


MIN_STEM_PREFIX = 5
LIST_ITEM_CHARS = 150  # a unit this short, without end punctuation, after a lead-in is an item of its list
_ENDS_SENTENCE = re.compile(r"[.!?][\"”’')\]]*\s*$")
# A sentence opening with a word that points back at the one before it (not a person's pronoun: those name
# someone the question may not)
_ANAPHOR = re.compile(r"^\W*(this|these|that|those|it|its|they|their|such|thus|therefore|here|there)\b", re.I)


def _section_heading(p: Passage, offset: int) -> str | None:
    """The heading of the section ``offset`` stands in, unless it is the document's title (which every sentence
    shares)."""
    path = p.layout.section(offset)
    head = path.rsplit(SECTION_SEPARATOR, 1)[-1] if path else None
    return head if head and head != p.title else None


MAX_HEADING_CHARS = 150  # a longer "heading" is a paragraph a reader took for one: not named in the answer


def covers(tokens: set[str], term: str) -> bool:
    """The sentence has the term, or a longer or shorter form of it that the stemmer did not merge.

    Snowball leaves derivations apart ("guatemala" / "guatemalan", "nation" / "nationalist"); two stems of at
    least MIN_STEM_PREFIX letters where one begins the other count as the same term.
    """
    if term in tokens:
        return True
    if len(term) < MIN_STEM_PREFIX:
        return False
    return any(len(t) >= MIN_STEM_PREFIX and (t.startswith(term) or term.startswith(t)) for t in tokens)


def _citation(n: int, c: Candidate) -> Citation:
    return Citation.of(n, c.passage, c.start, c.end, round(c.score, 4))
