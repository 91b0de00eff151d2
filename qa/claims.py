"""An LLM's reply read as claims: each sentence it wrote, with the passages it cites for that sentence.

Models place their ``[n]`` markers in several ways; each is read by one rule:
- after the sentence ("Harris met X [2]." or "Harris met X. [2]"): the markers are that sentence's;
- before it ("[1] Harris met X."): markers at the start of a sentence belong to the sentence before when that
  one has none of its own (it was "X. [1]"), else to the sentence they open;
- a list at the end ("… X. Sources: [1][2]", or a last line of markers): cites every earlier sentence that has
  no marker of its own, or, when all have one, the last sentence;
- a marker to no passage ("[7]" of five) is dropped; a sentence left with no marker cites nothing.
A reply with no words besides markers has no claim. (``NOT_FOUND`` written once per passage, "[1] NOT_FOUND
[2] NOT_FOUND", is read as claims; ``qa.llm`` takes a reply of nothing else for an abstention.)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.sentences import split_sentences
from index.types import Span

_MARKER = re.compile(r"\[(\d{1,3})\]")
# A sources line: "Sources: [1], [2]", "References - [1][3]"; the word alone before the markers.
_LIST_MARK = re.compile(r"^[ \t]*(?:[-*•]|\d{1,2}[.)])[ \t]+", re.M)
_LABEL = re.compile(r"^\W*(?:sources?|references?|citations?|cited|see)\W*$", re.I)


@dataclass(frozen=True)
class Claim:
    text: str                 # the sentence as the model wrote it, without markers
    cites: tuple[int, ...]    # the passages it cites, 1-based, in the order written


def claims(reply: str, passages: int) -> list[Claim]:
    """The reply's sentences with their markers, read by the rules above (``passages``: how many were given)."""
    reply = _LIST_MARK.sub("", reply)  # "1. Harris met …" is one sentence, not "1." and "Harris met …"
    parts: list[tuple[str, list[int], list[int]]] = []  # (words, leading markers, trailing markers)
    for span in split_sentences(reply, Span(0, len(reply))):
        sentence = reply[span.start:span.end]
        lead = re.match(r"(?:\s*\[\d{1,3}\])+", sentence)
        head = _numbers(lead.group(0)) if lead else []
        body = sentence[lead.end():] if lead else sentence
        words = _MARKER.sub("", body)
        if not _has_words(words) or _LABEL.match(words):
            head += _numbers(body)  # a run of markers, or "Sources: [1][2]": it opens nothing
            words, tail = "", []
        else:
            tail = _numbers(body)
        parts.append((_tidy(words), head, tail))
    out: list[tuple[str, list[int]]] = []
    for words, head, tail in parts:
        if not words:  # markers standing alone: a list for what came before
            for c in [c for c in out if not c[1]] or out[-1:]:
                c[1].extend(head)
            continue
        if head and out and not out[-1][1]:
            out[-1][1].extend(head)  # "X. [1] Y": [1] is X's
            head = []
        out.append((words, head + tail))
    return [Claim(words, tuple(_valid(cites, passages))) for words, cites in out]


def _numbers(text: str) -> list[int]:
    return [int(n) for n in _MARKER.findall(text)]


def _valid(cites: list[int], passages: int) -> list[int]:
    seen: list[int] = []
    for n in cites:
        if 1 <= n <= passages and n not in seen:
            seen.append(n)
    return seen


def _has_words(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _tidy(text: str) -> str:
    """Whitespace joined; no space before punctuation left where a marker was ("met X [2]." -> "met X.")."""
    text = " ".join(text.split())
    return re.sub(r"\s+([.,;:!?])", r"\1", text).strip()
