"""Block Kit rendering: escaping, Slack's size limits, sources, abstention, fallback text."""
from __future__ import annotations

from bot_fakes import sample_answer
from hypothesis import given
from hypothesis import strategies as st

from bot import format as fmt
from qa import Answer, Citation


def sections(messages):
    return [b["text"]["text"] for m in messages for b in m.blocks if b["type"] == "section"]


def test_escape_only_the_three_control_characters():
    assert fmt.escape("a < b > c & d *e* _f_") == "a &lt; b &gt; c &amp; d *e* _f_"
    assert fmt.escape("&lt;") == "&amp;lt;"


def test_answer_then_sources_then_feedback_buttons():
    [m] = fmt.render_answer(sample_answer("q"), "abc123")
    kinds = [b["type"] for b in m.blocks]
    assert kinds == ["section", "section", "actions"]
    assert m.blocks[0]["text"]["type"] == "mrkdwn"
    sources = m.blocks[1]["text"]["text"].splitlines()
    assert sources[0] == "*Sources*"
    assert sources[1].startswith("[1] *Harris visits Guatemala* — “Harris’s advisers")
    assert sources[2].startswith("[2] *001.txt* — “Republican critics")  # no title: the file name
    assert all(e["value"] == "abc123" for e in m.blocks[2]["elements"])
    assert m.text == fmt.escape(sample_answer("q").text)


def test_long_quotes_are_trimmed_at_a_word():
    quote = "word " * 200
    c = Citation(1, "d", "s.txt", "T", quote, 0, len(quote), 1.0)
    line = fmt.source_line(c)
    inner = line.split("“", 1)[1].rstrip("”")
    assert inner.endswith("…") and len(inner) <= fmt.QUOTE_CHARS and inner[:-1].endswith("word")


def test_sources_show_the_date_the_decoded_text_and_no_doubled_quotation_marks():
    raw = "Tickets cost &pound;42 &amp; up <b>today</b>."
    fares = Citation(1, "d", "/x/fares.html", "Ferry fares", raw, 10, 10 + len(raw), 0.9, "2023-04-12")
    line = fmt.source_line(fares)
    assert line.startswith("[1] *Ferry fares* (2023-04-12) — “Tickets cost £42 &amp; up today.")
    assert "&pound;" not in line and "<b>" not in line  # what the answer shows, not the raw HTML
    said = "“First, asylum is legal,” she wrote."
    undated = Citation(2, "d", "/x/d.txt", "Doc", said, 0, len(said), 0.5)
    assert fmt.source_line(undated) == f"[2] *Doc* — {said}"


def test_abstention_is_friendly_without_sources():
    [m] = fmt.render_answer(Answer.abstain("q"), "id1")
    assert sections([m]) == [f":mag: {fmt.ABSTAIN_TEXT}"]
    assert "Sources" not in str(m.blocks) and m.text == fmt.ABSTAIN_TEXT


def test_notice_is_shown():
    answer = Answer("q", "text [1]", False, sample_answer("q").citations, notice="question truncated to 2000")
    [m] = fmt.render_answer(answer)
    assert any(b["type"] == "context" and "truncated" in b["elements"][0]["text"] for b in m.blocks)


def test_long_answer_split_within_limits_and_never_dropped():
    text = "\n\n".join(f"Paragraph {i}: " + "Harris & <Guatemala> met leaders. " * 40 for i in range(400))
    messages = fmt.render_answer(sample_answer("q", text), "id")
    assert len(messages) > 1
    assert all(len(m.blocks) <= fmt.MAX_BLOCKS for m in messages)
    assert all(len(s) <= fmt.SECTION_CHARS for s in sections(messages))
    assert "".join(sections(messages)[:-1]) == fmt.escape(text.strip())
    assert all(m.text for m in messages) and all(len(m.text) <= 5 * fmt.FALLBACK_CHARS for m in messages)
    assert [b["type"] for b in messages[-1].blocks][-1] == "actions"
    assert not any(b["type"] == "actions" for m in messages[:-1] for b in m.blocks)


def test_many_sources_are_split_into_sections():
    cites = [Citation(i, f"d{i}", f"s{i}.txt", f"Title {i}", "q " * 150, 0, 300, 0.5) for i in range(1, 60)]
    blocks = fmt.sources_blocks(cites)
    assert len(blocks) > 1 and all(len(b["text"]["text"]) <= fmt.SECTION_CHARS for b in blocks)
    lines = "\n".join(b["text"]["text"] for b in blocks)
    assert all(f"[{i}] *Title {i}*" in lines for i in range(1, 60))


def test_feedback_counts_replace_only_the_buttons():
    [m] = fmt.render_answer(sample_answer("q"), "id9")
    updated = fmt.with_feedback_counts(m.blocks, "id9", 3, 1)
    assert updated[:-1] == list(m.blocks[:-1])
    assert [e["text"]["text"] for e in updated[-1]["elements"]] == [":+1: Helpful 3", ":-1: Not helpful 1"]


@given(st.text(alphabet=st.sampled_from("ab &<>;\n.x"), max_size=400), st.integers(min_value=8, max_value=60))
def test_split_text_keeps_everything_within_the_limit(text, limit):
    escaped = fmt.escape(text)
    pieces = fmt.split_text(escaped, limit)
    assert "".join(pieces) == escaped
    assert all(len(p) <= limit for p in pieces)
    assert all(p for p in pieces) or escaped == ""
    for p in pieces:  # no piece ends inside an entity
        tail = p[p.rfind("&"):] if "&" in p else ""
        assert not tail or ";" in tail


def test_low_confidence_and_related_passages_are_shown():
    from qa import Answer, Citation, Passage

    from bot.format import answer_blocks

    c = Citation(1, "d", "/x/d.txt", "Doc", "Quote.", 0, 6, 0.4)
    low = Answer("q?", "Quote. [1]", False, [c], confidence=0.41, low_confidence=True)
    texts = [str(b) for b in answer_blocks(low)]
    assert any("Low confidence (0.41)" in t for t in texts)
    p = Passage("c", "d", "/x/d.txt", "Harbour news", "text", 0, 4, 1.0)
    abstained = Answer.abstain("q?", [p], "reader", confidence=0.1)
    texts = [str(b) for b in answer_blocks(abstained)]
    assert any("Related, not an answer" in t and "Harbour news" in t for t in texts)
    assert not any("Low confidence" in t for t in texts)


def test_a_refusal_shows_its_closest_passage_as_not_confirmed_with_its_document():
    cites = sample_answer("q").citations
    refused = Answer.abstain("q", answerer="guarded", confidence=0.04, closest=cites)
    [m] = fmt.render_answer(refused, "id2")
    got = sections([m])
    assert got[0] == f":mag: {fmt.ABSTAIN_TEXT}" and m.text == fmt.ABSTAIN_TEXT  # still a refusal
    closest = got[1].splitlines()
    assert closest[0] == "_Closest passages, not confirmed as an answer (confidence 0.04):_"
    assert closest[1] == ("> “Harris’s advisers said she will meet community leaders, workers &amp; "
                          "entrepreneurs.” — *Harris visits Guatemala*")
    assert closest[2].startswith("> “Republican critics &lt;and&gt; the media") and closest[2].endswith("*001.txt*")
    assert "Sources" not in str(m.blocks)
    assert len(sections(fmt.render_answer(Answer.abstain("q"), "id3"))) == 1  # none to show: none shown
    import dataclasses

    marked = dataclasses.replace(cites[0], highlight=(cites[0].text.index("workers"), cites[0].text.index(" &")))
    [m] = fmt.render_answer(Answer.abstain("q", closest=[marked]))
    bold = "> “Harris’s advisers said she will meet community leaders, *workers* &amp; entrepreneurs.”"
    assert bold in sections([m])[1]
    assert sections([m])[1].startswith("_Closest passage, not confirmed")  # one passage


def test_related_documents_leave_out_those_quoted_as_closest():
    from qa import Passage

    cites = sample_answer("q").citations
    passages = [Passage("c1", "d1", "seeds/000.txt", "Harris visits Guatemala", "t", 0, 1, 1.0),
                Passage("c2", "d9", "seeds/009.txt", "Border numbers", "t", 0, 1, 0.5)]
    refused = Answer.abstain("q", passages, confidence=0.04, closest=cites[:1])
    [line] = [b["elements"][0]["text"] for b in fmt.answer_blocks(refused) if b["type"] == "context"]
    assert line == "_Related, not an answer:_ Border numbers"
    only_quoted = Answer.abstain("q", passages[:1], confidence=0.04, closest=cites[:1])
    assert not any(b["type"] == "context" for b in fmt.answer_blocks(only_quoted))


def test_the_answers_words_are_bold_and_escaped_around_the_mark():
    import dataclasses

    plain = sample_answer("q")
    words = "workers & entrepreneurs"
    at = plain.text.index(words)
    marked = dataclasses.replace(plain, highlight=(at, at + len(words)))
    [m] = fmt.render_answer(marked)
    first = sections([m])[0]
    assert first == ("She will meet community leaders, *workers &amp; entrepreneurs* [1]. "
                     "Critics call it &lt;a border job&gt; [2].")
    assert m.text == fmt.escape(plain.text)  # the notification fallback stays plain
    assert sections(fmt.render_answer(plain))[0] == fmt.escape(plain.text)


def test_an_off_topic_refusal_says_nothing_is_close_instead_of_listing_related_documents():
    from qa import Passage

    p = Passage("c1", "d1", "seeds/000.txt", "Harris visits Guatemala", "t", 0, 1, 1.0)
    refused = Answer.abstain("What is the capital of Peru?", [p], off_topic=True)
    contexts = [b["elements"][0]["text"] for b in fmt.answer_blocks(refused) if b["type"] == "context"]
    assert contexts == ["_Nothing in the documents is close to this question._"]


def test_sources_name_the_section_and_page_of_a_pdf_quote():
    c = Citation(1, "spec.pdf", "/docs/spec.pdf", "Spec", "Locks are taken in order.", 10, 35, 1.0,
                 page=4, section="Design › Locking")
    [m] = fmt.render_answer(Answer("q", "Locks are taken in order. [1]", False, [c]), "id1")
    line = m.blocks[1]["text"]["text"].splitlines()[1]
    assert line.startswith("[1] *Spec* · Design › Locking, p. 4 — “Locks are taken in order.”")
