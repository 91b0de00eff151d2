"""The public Python API: ask() and retrieve(), loading each index and model once per process."""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from index import open_index
from index.errors import CitebotError, check_range
from index.paths import DEFAULT_INDEX_DIR, resolve_index_dir  # noqa: F401  (qa re-exports both)

from .chain import MAX_QUESTION_CHARS, build_chain
from .extractive import ExtractiveAnswerer, ExtractiveSettings
from .highlighting import HighlightingAnswerer
from .llm import ON_ERROR, LLMAnswerer, LLMSettings
from .reader.answerer import GuardedAnswerer, ReaderAnswerer, ReaderSettings
from .retriever import MODES, CitebotRetriever, HybridSearch, SearchSettings
from .sources import SourceCheck
from .types import ANSWERERS, CALIBRATED, DEFAULT_ANSWERER, Answer, Passage

log = logging.getLogger(__name__)


class QuestionError(CitebotError, ValueError):
    pass


def check_question(question: object) -> tuple[str, str | None]:
    """The question to use and an optional notice; an error for empty or non-text questions."""
    if not isinstance(question, str) or not question.strip():
        raise QuestionError("the question is empty; ask something, e.g. citebot ask \"Who did Harris meet?\"")
    question = " ".join(question.split())
    if len(question) > MAX_QUESTION_CHARS:
        notice = f"question truncated to {MAX_QUESTION_CHARS} of {len(question)} characters"
        log.warning(notice)
        return question[:MAX_QUESTION_CHARS], notice
    return question, None


_CHAINS: dict[tuple, object] = {}
_LOCK = threading.Lock()


def check_answerer(answerer: str) -> None:
    if answerer not in ANSWERERS:
        raise QuestionError(f"invalid answerer {answerer!r}; valid values: {', '.join(ANSWERERS)}")


def make_answerer(index, answerer: str = DEFAULT_ANSWERER, settings: ExtractiveSettings | None = None,
                  reader_settings: ReaderSettings | None = None):
    """The extractive answerer by name: guarded (the shipped reader and highlighter, each loaded once per process:
    the highlighter chooses which of the heuristic's sentences to quote first, and its evidence enters the
    confidence), reader, or the heuristic."""
    check_answerer(answerer)
    if answerer == "heuristic":
        return ExtractiveAnswerer(index, settings)
    from .reader.calibrator import Calibrator
    from .reader.highlight import get_highlighter
    from .reader.model import get_reader
    from .reader.rerank import order_of

    reader = get_reader()
    calibrator = Calibrator.load(reader.folder)
    highlighter = get_highlighter() if calibrator.uses_span or answerer == "guarded" else None
    if answerer == "reader":
        return ReaderAnswerer(index, reader, calibrator, settings, reader_settings, marker=highlighter)
    return GuardedAnswerer(index, reader, calibrator, settings, reader_settings, order_of(highlighter),
                           marker=highlighter)


@dataclass(frozen=True)
class Pipeline:
    """One configuration's parts: retrieval, the answerer, the check against the files now, and the chain of
    the three (a LangChain Runnable)."""

    retriever: CitebotRetriever
    answerer: object
    sources: SourceCheck
    chain: object


def get_chain(index_dir=None, k: int = 5, mode: str = "hybrid", llm: LLMSettings | None = None,
              settings: ExtractiveSettings | None = None, answerer: str = DEFAULT_ANSWERER,
              reader_settings: ReaderSettings | None = None, on_llm_error: str = "raise",
              search: SearchSettings | None = None, highlight: bool = True):
    """A cached Runnable for (index generation, k, mode, llm, settings, answerer, reader settings, on_llm_error,
    search settings, highlight)."""
    return get_pipeline(index_dir, k, mode, llm, settings, answerer, reader_settings, on_llm_error, search,
                        highlight).chain


def get_pipeline(index_dir=None, k: int = 5, mode: str = "hybrid", llm: LLMSettings | None = None,
                 settings: ExtractiveSettings | None = None, answerer: str = DEFAULT_ANSWERER,
                 reader_settings: ReaderSettings | None = None, on_llm_error: str = "raise",
                 search: SearchSettings | None = None, highlight: bool = True) -> Pipeline:
    """The cached Pipeline for these options (see get_chain)."""
    index = open_index(resolve_index_dir(index_dir))
    search = search or SearchSettings()
    key = (id(index), k, mode, llm, settings, answerer, reader_settings, on_llm_error, search, highlight)
    with _LOCK:
        if key not in _CHAINS:
            if len(_CHAINS) > 64:
                _CHAINS.clear()
            hybrid = HybridSearch(index, mode, search)
            answerer = make_answerer(index, answerer, settings, reader_settings)
            if highlight:
                from .reader.highlight import get_highlighter

                answerer = HighlightingAnswerer(answerer, get_highlighter())
            if llm is not None:
                from .support import SentenceSupport

                answerer = LLMAnswerer(llm.chat_model(), fallback=answerer, support=SentenceSupport(index),
                                       settings=llm, on_error=on_llm_error)
            retriever, sources = CitebotRetriever(search=hybrid, k=k), SourceCheck(index.manifest["documents"])
            _CHAINS[key] = Pipeline(retriever, answerer, sources, build_chain(retriever, answerer, sources))
        return _CHAINS[key]


def check_options(k: int = 5, mode: str = "hybrid", answerer: str = DEFAULT_ANSWERER,
                  min_confidence: float | None = None, on_llm_error: str = "raise") -> ReaderSettings | None:
    """ask()'s options checked (one-line QuestionError naming the bad value); the reader settings they make."""
    if on_llm_error not in ON_ERROR:
        raise QuestionError(f"invalid on_llm_error {on_llm_error!r}; valid values: {', '.join(ON_ERROR)}")
    if mode not in MODES:
        raise QuestionError(f"invalid retrieval mode {mode!r}; valid values: {', '.join(MODES)}")
    check_range("k", k, lo=1)
    check_answerer(answerer)
    if min_confidence is None:
        return None
    if answerer not in CALIBRATED:
        raise QuestionError(f"min_confidence is the reader's threshold; use it with answerer "
                            f"{' or '.join(map(repr, CALIBRATED))} (got answerer {answerer!r})")
    return ReaderSettings(min_confidence=min_confidence)  # checks its range, with the settings' own message


def ask(question: str, index_dir: str | os.PathLike | None = None, k: int = 5, mode: str = "hybrid",
        llm: LLMSettings | None = None, settings: ExtractiveSettings | None = None, answerer: str = DEFAULT_ANSWERER,
        min_confidence: float | None = None, on_llm_error: str = "raise",
        search: SearchSettings | None = None, highlight: bool = True) -> Answer:
    """Answer a question from the index, citing exact passages (as the files are now), or abstain.

    ``answerer``: "guarded" (default: the heuristic's answer, its first sentence chosen with the trained
    highlighter, abstaining when the trained reader finds no answer likely), "heuristic" or "reader" (qa.types.ANSWERERS); ``min_confidence``: the reader's abstention threshold
    for "guarded" and "reader"
    (0-1; default: the calibrated one shipped with the model). Lower answers more, higher abstains more.
    ``on_llm_error``: when the LLM fails (unreachable, timeout, HTTP error), "raise" (default) raises
    ``qa.llm.LLMError`` (one line naming the endpoint and the cause); "fallback" returns the extractive answer
    with that line as its ``notice``. ``search``: how dense and BM25 rankings are fused (``SearchSettings``; default:
    the measured defaults). ``highlight``: mark the answer's words in an extractive answer (``Answer.highlight``,
    ``Citation.highlight``) with the shipped highlighter; it never changes what is answered or cited."""
    question, notice = check_question(question)
    reader_settings = check_options(k, mode, answerer, min_confidence, on_llm_error)
    chain = get_chain(index_dir, k, mode, llm if llm is not None else LLMSettings.from_env(), settings, answerer,
                      reader_settings, on_llm_error, search, bool(highlight))
    answer = chain.invoke({"question": question})
    return answer.with_notice(notice) if notice else answer


def stream(question: str, index_dir: str | os.PathLike | None = None, k: int = 5, mode: str = "hybrid",
           llm: LLMSettings | None = None, settings: ExtractiveSettings | None = None,
           answerer: str = DEFAULT_ANSWERER, min_confidence: float | None = None, on_llm_error: str = "raise",
           search: SearchSettings | None = None, highlight: bool = True) -> Iterator[str | Answer]:
    """ask(), streamed: the answer's text in pieces as an LLM writes it, then the ``Answer`` (the same one
    ``ask`` returns, checked: its text can differ from the pieces, which are the model's words before the check).
    An extractive answer comes as one piece. Options as ask's."""
    question, notice = check_question(question)
    reader_settings = check_options(k, mode, answerer, min_confidence, on_llm_error)
    pipe = get_pipeline(index_dir, k, mode, llm if llm is not None else LLMSettings.from_env(), settings, answerer,
                        reader_settings, on_llm_error, search, bool(highlight))
    passages, stale = pipe.sources.current(pipe.retriever.search.retrieve(question, pipe.retriever.k))
    if hasattr(pipe.answerer, "stream"):
        pieces = pipe.answerer.stream(question, passages)
    else:
        answer = pipe.answerer.answer(question, passages)
        pieces = iter([answer.text, answer])
    for piece in pieces:
        if isinstance(piece, Answer):
            piece = pipe.sources.flag(piece, stale)
            yield piece.with_notice(notice) if notice else piece
        else:
            yield piece


def retrieve(question: str, k: int = 5, index_dir: str | os.PathLike | None = None,
             mode: str = "hybrid", search: SearchSettings | None = None) -> list[Passage]:
    """The k best passages for a question (doc_id, source, title, text, start, end, score); ``search`` as ask's."""
    question, _ = check_question(question)
    index = open_index(resolve_index_dir(index_dir))
    hybrid = HybridSearch(index, mode, search or SearchSettings())
    return SourceCheck(index.manifest["documents"]).passages(hybrid.retrieve(question, k))
