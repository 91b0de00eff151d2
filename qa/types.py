"""The public records of a cited answer."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from index.markup import markup_of, readable
from index.types import Passage

ABSTAIN_MESSAGE = "I couldn't find that in the indexed documents."
OFF_TOPIC = "Nothing in the documents is close to this question."  # a refusal with Answer.off_topic
# The extractive answerers ask() accepts, its default first. guarded: the heuristic's answer, its first sentence
# chosen with the trained highlighter (qa.reader.rerank), abstaining where the trained reader's calibrated
# probability that the passages hold an answer is below its threshold; heuristic:
# qa.extractive's sentence score alone; reader: the same re-ranked by the reader (qa.reader), with that
# probability as its confidence.
ANSWERERS = ("guarded", "heuristic", "reader")
DEFAULT_ANSWERER = ANSWERERS[0]
CALIBRATED = ("reader", "guarded")  # answerers whose confidence is the reader's probability (min_confidence applies)


@dataclass(frozen=True)
class Citation:
    """Marker ``[n]`` in the answer text -> an exact slice ``source[start:end] == quote``.

    ``quote`` is the file's raw text (HTML tags and entities, markdown links as written); ``text`` is the same
    passage as a person reads it (``index.markup.readable``: HTML decoded), what the terminal and Slack show.
    """

    n: int
    doc_id: str
    source: str
    title: str
    quote: str
    start: int
    end: int
    score: float
    date: str | None = None  # the document's publication date, ISO YYYY-MM-DD, when one was found
    text: str = ""           # filled from ``quote`` when not given
    highlight: tuple[int, int] | None = None  # the answer's words, text[start:end], where the highlighter found them
    page: int | None = None      # 1-based page of the quote's start (PDF)
    section: str | None = None   # heading path above the quote ("Design › Locking"), where the format has headings

    def __post_init__(self) -> None:
        if not self.text:
            object.__setattr__(self, "text", readable(self.quote, markup_of(self.source)))

    @classmethod
    def of(cls, n: int, p: Passage, start: int, end: int, score: float) -> "Citation":
        """A citation of the document text [start, end), which lies inside the retrieved passage ``p``."""
        quote = p.text[start - p.start:end - p.start]
        return cls(n, p.doc_id, p.source, p.title, quote, start, end, score, p.date,
                   page=p.layout.page(start), section=p.layout.section(start))

    @property
    def where(self) -> str:
        """Section and page as people write them: "Design › Locking, p. 4" ("" when the format has neither)."""
        return where(self.section, self.page)


def where(section: str | None, page: int | None) -> str:
    return ", ".join(x for x in (section, f"p. {page}" if page else None) if x)


def in_quotes(text: str) -> str:
    """``text`` between “ ” for a Sources list, unless it already opens with a quotation mark."""
    return text if text[:1] in "“\"„«‘" else f"“{text}”"


@dataclass(frozen=True)
class Mark:
    """The words answering the question in one sentence, ``sentence[start:end]``, and how far the highlighter
    scored them above "no answer here"."""

    start: int
    end: int
    margin: float


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    answerer: str = "extractive"
    notice: str | None = None  # e.g. the question was truncated; sources changed since indexing
    stale_sources: tuple[str, ...] = ()  # cited or retrieved files that changed since indexing (qa.sources)
    # How sure the answerer is that its best sentence answers: the reader's calibrated probability (0-1); the
    # heuristic answerer's best sentence score (not a probability); None for an LLM answer.
    confidence: float | None = None
    low_confidence: bool = False  # answered, but close to the abstention threshold
    highlight: tuple[int, int] | None = None  # the answer's words in ``text`` (qa.highlighting), when marked
    # On an abstention: the sentences the heuristic would have quoted (exact offsets, as citations), shown as "closest,
    # not confirmed as an answer". Filled only where the heuristic's own evidence was strong enough to answer and
    # the reader's confidence was not; empty otherwise (and always on an answer).
    closest: list[Citation] = field(default_factory=list)
    # On an abstention: no retrieved sentence is near the question (the heuristic's min_dense), so no document is
    # offered as related to it.
    off_topic: bool = False
    # an LLM's reply as the support check read it: (sentences it wrote, sentences a citation supports, citations it
    # made, citations that support their sentence); None when no LLM replied
    checked: tuple[int, int, int, int] | None = None

    @property
    def closest_heading(self) -> str:
        """How a refusal introduces ``closest``: "Closest passage(s), not confirmed as an answer"."""
        return f"Closest {'passages' if len(self.closest) > 1 else 'passage'}, not confirmed as an answer"

    def related(self, n: int) -> list[Passage]:
        """A refusal's first ``n`` retrieved passages, one per document, leaving out documents ``closest`` quotes;
        none for an off-topic question."""
        if self.off_topic:
            return []
        quoted = {c.doc_id for c in self.closest}
        return [p for p in {p.doc_id: p for p in self.passages}.values() if p.doc_id not in quoted][:n]

    def with_notice(self, notice: str) -> "Answer":
        """This answer with ``notice`` added to any it already has."""
        return replace(self, notice=f"{self.notice}; {notice}" if self.notice else notice)

    @classmethod
    def abstain(cls, question: str, passages=(), answerer: str = "extractive", notice: str | None = None,
                confidence: float | None = None, closest=(), off_topic: bool = False):
        return cls(question, ABSTAIN_MESSAGE, True, [], list(passages), answerer, notice, confidence=confidence,
                   closest=list(closest), off_topic=off_topic)


__all__ = ["Answer", "Citation", "Passage", "ABSTAIN_MESSAGE"]
