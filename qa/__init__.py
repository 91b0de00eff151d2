"""citebot.qa: a question -> a cited answer. The public API other tools call.

Names are loaded on first use (PEP 562), so ``import qa.textmatch`` or ``import qa.types`` stays light.
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    ".api": ("ask", "stream", "retrieve", "get_chain", "QuestionError", "DEFAULT_INDEX_DIR", "resolve_index_dir"),
    ".errors": ("CitebotError", "IndexIncompatible", "IndexNotFound", "ModelError", "SettingError"),
    ".extractive": ("ExtractiveAnswerer", "ExtractiveSettings"),
    ".llm": ("LLMAnswerer", "LLMSettings"),
    ".protocols": ("Answerer", "PassageRetriever"),
    ".reader.answerer": ("ReaderAnswerer", "ReaderSettings", "GuardedAnswerer"),
    ".retriever": ("CitebotRetriever", "HybridSearch", "SearchSettings"),
    ".types": ("Answer", "Citation", "Passage", "ABSTAIN_MESSAGE", "ANSWERERS"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'qa' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
