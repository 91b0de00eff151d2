"""Answers -> Slack Block Kit messages within Slack's limits, each with a plain-text fallback.

Limits respected: a section's text <= 3000 characters, a message <= 50 blocks. A long answer is split across
sections and, past 50 blocks, across several messages; nothing is dropped.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from qa import Answer, Citation
from qa.types import OFF_TOPIC, in_quotes

SECTION_CHARS = 3000
MAX_BLOCKS = 50
FALLBACK_CHARS = 3000
QUOTE_CHARS = 280
FEEDBACK_BLOCK = "citebot_feedback"
VOTE_UP, VOTE_DOWN = "citebot_feedback_up", "citebot_feedback_down"
ABSTAIN_TEXT = ("I couldn't find that in the indexed documents. "
                "Try rephrasing, or ask about something the documents cover.")
WORKING_TEXT = ":hourglass_flowing_sand: Searching the documents…"


@dataclass(frozen=True)
class SlackMessage:
    """What chat.postMessage / chat.update / respond() take: ``text`` is the fallback, ``blocks`` the layout."""

    text: str
    blocks: tuple[dict, ...] = ()

    def kwargs(self) -> dict:
        return {"text": self.text, "blocks": list(self.blocks)}


def escape(text: str) -> str:
    """Slack's three control characters as entities (https://api.slack.com/reference/surfaces/formatting)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def split_text(text: str, limit: int = SECTION_CHARS) -> list[str]:
    """Pieces of at most ``limit`` characters whose concatenation is ``text``.

    Cuts at a paragraph, line, sentence or word boundary when one is in the second half of the window, and never
    inside an ``&amp;``-style entity.
    """
    if limit < 8:
        raise ValueError("limit must be at least 8")
    pieces: list[str] = []
    while len(text) > limit:
        cut = _cut_point(text, limit)
        pieces.append(text[:cut])
        text = text[cut:]
    if text or not pieces:
        pieces.append(text)
    return pieces


def _cut_point(text: str, limit: int) -> int:
    window = text[:limit]
    for sep in ("\n\n", "\n", ". ", " "):
        i = window.rfind(sep)
        if i >= limit // 2:
            return i + len(sep)
    amp = window.rfind("&", limit - 6)
    if amp > 0 and ";" not in window[amp:]:
        return amp
    return limit


def trim(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut + "…"


def section(mrkdwn: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def context(mrkdwn: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": trim(mrkdwn, SECTION_CHARS)}]}


def status(text: str) -> SlackMessage:
    """A one-section message (placeholder, apology, hint); ``text`` is already mrkdwn."""
    return SlackMessage(trim(text, FALLBACK_CHARS), (section(trim(text, SECTION_CHARS)),))


def cited_title(c: Citation) -> str:
    """The cited document's title in bold (its file name where it has none), with its date."""
    title = c.title.strip() or os.path.basename(c.source) or c.doc_id
    date = f" ({c.date})" if c.date else ""
    place = f" · {escape(trim(c.where, 150))}" if getattr(c, "where", "") else ""
    return f"*{escape(trim(title, 150))}*{date}{place}"


def source_line(c: Citation) -> str:
    return f"[{c.n}] {cited_title(c)} — {escape(in_quotes(trim(c.text, QUOTE_CHARS)))}"


def sources_blocks(citations: Sequence[Citation]) -> list[dict]:
    """A "Sources" header then ``[n] title — "quote"`` lines, packed into sections of <= 3000 characters."""
    seen: set[int] = set()
    lines = []
    for c in sorted(citations, key=lambda c: c.n):
        if c.n not in seen:
            seen.add(c.n)
            lines.append(source_line(c))
    text = "*Sources*\n" + "\n".join(lines)
    return [section(piece) for piece in split_text(text)]


def feedback_block(answer_id: str, up: int = 0, down: int = 0) -> dict:
    def button(action_id: str, label: str, count: int) -> dict:
        text = f"{label} {count}" if up or down else label
        return {"type": "button", "action_id": action_id, "value": answer_id,
                "text": {"type": "plain_text", "text": text, "emoji": True}}

    return {"type": "actions", "block_id": FEEDBACK_BLOCK,
            "elements": [button(VOTE_UP, ":+1: Helpful", up), button(VOTE_DOWN, ":-1: Not helpful", down)]}


def with_feedback_counts(blocks: Sequence[dict], answer_id: str, up: int, down: int) -> list[dict]:
    """A posted message's blocks with the feedback buttons showing the vote counts."""
    return [feedback_block(answer_id, up, down) if b.get("block_id") == FEEDBACK_BLOCK else b for b in blocks]


def answer_blocks(answer: Answer, header: str | None = None) -> list[dict]:
    """All content blocks of an answer (no feedback buttons), possibly more than one message holds."""
    blocks: list[dict] = [context(header)] if header else []
    if answer.abstained:
        blocks.append(section(f":mag: {escape(ABSTAIN_TEXT)}"))
    else:
        blocks.extend(section(piece) for piece in answer_sections(answer))
    if answer.low_confidence and not answer.abstained:
        blocks.append(context(f"_Low confidence ({answer.confidence:.2f}): check the sources below._"))
    if answer.notice:
        blocks.append(context(f"_Note: {escape(answer.notice)}_"))
    if answer.citations and not answer.abstained:
        blocks.extend(sources_blocks(answer.citations))
    if answer.abstained and answer.closest:
        blocks.extend(section(piece) for piece in split_text(closest_text(answer)))
    if answer.abstained and answer.off_topic:
        blocks.append(context(f"_{OFF_TOPIC}_"))
    elif answer.abstained and (line := related_line(answer)):
        blocks.append(context(line))
    return blocks


def closest_text(answer: Answer) -> str:
    """An abstention's closest sentences (the heuristic would have quoted them; the reader was not confident), each
    with its document, under a heading that says they are not confirmed as an answer."""
    how = "" if answer.confidence is None else f" (confidence {answer.confidence:.2f})"
    lines = [f"_{answer.closest_heading}{how}:_"]
    for c in answer.closest:
        quote = trim(c.text, QUOTE_CHARS)
        shown = bolded(quote, c.highlight) if quote == c.text else None  # unchanged by trim: the offsets hold
        lines.append(f"> {shown and in_quotes(shown) or escape(in_quotes(quote))} — {cited_title(c)}")
    return "\n".join(lines)


def answer_sections(answer: Answer) -> list[str]:
    """The answer text as mrkdwn sections, the answer's words in bold when the highlighter marked them (only when
    the text fits one section, so the bold is never cut in two)."""
    text = answer.text.strip() or ABSTAIN_TEXT
    if answer.highlight is not None and answer.text.strip():
        lead = len(answer.text) - len(answer.text.lstrip())
        marked = bolded(text, (answer.highlight[0] - lead, answer.highlight[1] - lead))
        if marked is not None and len(marked) <= SECTION_CHARS:
            return [marked]
    return split_text(escape(text))


def bolded(text: str, span: tuple[int, int] | None) -> str | None:
    """``text`` escaped with ``text[a:b]`` in bold; None where the span is not a clean run of words inside it."""
    if span is None:
        return None
    a, b = span
    words = text[a:b] if 0 <= a < b <= len(text) else ""
    if not words or words.strip() != words or "*" in words:
        return None
    return f"{escape(text[:a])}*{escape(words)}*{escape(text[b:])}"


def related_line(answer: Answer, n: int = 3) -> str | None:
    """The titles of the retrieved documents under an abstention (not those quoted as closest), marked as not an
    answer; None when there are none to offer."""
    titles = list(dict.fromkeys((p.title.strip() or os.path.basename(p.source)) for p in answer.related(n)))
    if not titles:
        return None
    return "_Related, not an answer:_ " + "; ".join(escape(trim(t, 120)) for t in titles)


def render_answer(answer: Answer, answer_id: str | None = None, header: str | None = None) -> list[SlackMessage]:
    """One or more messages (<= 50 blocks each); the feedback buttons go on the last one."""
    blocks = answer_blocks(answer, header)
    per_message = MAX_BLOCKS - 1 if answer_id else MAX_BLOCKS
    chunks = [blocks[i:i + per_message] for i in range(0, len(blocks), per_message)] or [[]]
    if answer_id:
        chunks[-1].append(feedback_block(answer_id))
    fallback = ABSTAIN_TEXT if answer.abstained else answer.text.strip()
    messages = []
    for i, chunk in enumerate(chunks):
        text = escape(trim(fallback, FALLBACK_CHARS)) if i == 0 else f"(continued {i + 1}/{len(chunks)})"
        messages.append(SlackMessage(text, tuple(chunk)))
    return messages
