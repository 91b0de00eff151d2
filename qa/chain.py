"""The retrieval chain as a LangChain Runnable: {"question": ...} -> retriever -> answerer -> Answer."""
from __future__ import annotations

from operator import itemgetter

from langchain_core.runnables import Runnable, RunnableLambda, RunnableParallel

from .protocols import Answerer
from .retriever import CitebotRetriever, from_langchain

MAX_QUESTION_CHARS = 2000


def build_chain(retriever: CitebotRetriever, answerer: Answerer) -> Runnable:
    def answer(x: dict):
        return answerer.answer(x["question"], [from_langchain(d) for d in x["documents"]])

    return (RunnableParallel(question=itemgetter("question"),
                             documents=itemgetter("question") | retriever)
            | RunnableLambda(answer)).with_config(run_name="citebot")
