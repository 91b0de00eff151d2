"""citebot.qa: a question -> a cited answer. The public API other tools call."""
from .api import DEFAULT_INDEX_DIR, QuestionError, ask, get_chain, resolve_index_dir, retrieve
from .extractive import ExtractiveAnswerer, ExtractiveSettings
from .llm import LLMAnswerer, LLMSettings
from .protocols import Answerer, PassageRetriever
from .retriever import CitebotRetriever, HybridSearch
from .types import ABSTAIN_MESSAGE, Answer, Citation, Passage

__all__ = ["ask", "retrieve", "get_chain", "Answer", "Citation", "Passage", "ABSTAIN_MESSAGE", "QuestionError",
           "DEFAULT_INDEX_DIR", "resolve_index_dir", "ExtractiveAnswerer", "ExtractiveSettings", "LLMAnswerer",
           "LLMSettings", "Answerer", "PassageRetriever", "CitebotRetriever", "HybridSearch"]
