"""citebot.index: files on disk -> cleaned documents -> sentence chunks -> a persisted FAISS + BM25 index."""
from .build import DEFAULT_CHUNK_SIZE, DEFAULT_OVERLAP, IndexReport, build_index
from .embed import Embedder, SentenceTransformerEmbedder, get_embedder
from .errors import CitebotError, IndexIncompatible, IndexNotFound, ModelError, SettingError
from .reader import LoadedIndex, open_index
from .types import Chunk, Document, Passage, Span

__all__ = ["build_index", "IndexReport", "DEFAULT_CHUNK_SIZE", "DEFAULT_OVERLAP", "Embedder",
           "SentenceTransformerEmbedder", "get_embedder", "CitebotError", "IndexIncompatible", "IndexNotFound",
           "ModelError", "SettingError", "LoadedIndex", "open_index", "Chunk", "Document", "Passage", "Span"]
