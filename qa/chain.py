"""The retrieval chain as a LangChain Runnable: {"question": ...} -> retriever -> answerer -> Answer."""
from __future__ import annotations

from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from .protocols import Answerer
from .retriever import CitebotRetriever, from_langchain
from .sources import SourceCheck

MAX_QUESTION_CHARS = 2000


def build_chain(retriever: CitebotRetriever, answerer: Answerer, sources: SourceCheck | None = None) -> Runnable:
    """retriever | answerer, run in the caller's thread (no per-call thread pool as RunnableParallel has).

    With ``sources``, the answerer answers from the passages as their files are now (see qa.sources).
    """

    def retrieve(x: dict, config: RunnableConfig) -> dict:
        return {"question": x["question"], "documents": retriever.invoke(x["question"], config=config)}

    def answer(x: dict):
        passages = [from_langchain(d) for d in x["documents"]]
        if sources is None:
            return answerer.answer(x["question"], passages)
        return sources.answered(x["question"], passages, answerer.answer)

    return (RunnableLambda(retrieve, name="retrieve") | RunnableLambda(answer, name="answer")).with_config(
        run_name="citebot")
