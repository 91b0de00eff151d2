"""Property tests: every chunk and sentence is an exact slice of the raw text, cut only between sentences."""
from hypothesis import given, settings
from hypothesis import strategies as st

from index.clean import clean_text
from index.sentences import chunk_block, split_sentences
from index.types import Span

words = st.sampled_from(["Harris", "met", "the", "U.S.", "Mr.", "president", "on", "Monday", "3.5", "“quote”",
                         "(AP)", "—", "e.g.", "J.", "Smith", "said", "![img](u)", "[link](http://x.y)", "…",
                         "Guatemala", "x", "©", "Do", "not", "come"])
enders = st.sampled_from([".", "!", "?", ".”", "", ":"])
sentence = st.builds(lambda ws, e: " ".join(ws) + e, st.lists(words, min_size=1, max_size=12), enders)
line = st.builds(" ".join, st.lists(sentence, min_size=1, max_size=5))
texts = st.builds(lambda ls, sep: sep.join(ls), st.lists(line, min_size=1, max_size=8),
                  st.sampled_from(["\n", "\n\n", "\n \n\t", "\r\n"]))


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(20, 400), st.integers(0, 3))
def test_chunks_and_sentences_are_exact_slices(raw, size, overlap):
    raw = raw.replace("\r\n", "\n")
    cleaned = clean_text(raw)
    for block in cleaned.blocks:
        sents = split_sentences(raw, block)
        # Sentences tile the block: only whitespace lies between neighbours.
        assert raw[block.start:sents[0].start].strip() == ""
        for a, b in zip(sents, sents[1:]):
            assert a.end <= b.start and raw[a.end:b.start].strip() == ""
        assert raw[sents[-1].end:block.end].strip() == ""
        chunks = chunk_block("d", raw, block, size, overlap)
        starts = {s.start for s in sents}
        ends = {s.end for s in sents}
        covered = set()
        for c in chunks:
            assert raw[c.start:c.end] == c.text
            assert c.start in starts and c.end in ends  # never mid-sentence
            assert c.sentences[0].start == c.start and c.sentences[-1].end == c.end
            covered.update(c.sentences)
            if len(c.sentences) > 1:
                assert c.end - c.start <= size
        assert covered == set(sents)


def test_abbreviations_and_initials_do_not_split():
    raw = "Rep. Alexandria Ocasio-Cortez (D-NY) criticized the U.S. stance. Kirstjen M. Nielsen met Lt. Gen. Smith."

    got = [raw[s.start:s.end] for s in split_sentences(raw, Span(0, len(raw)))]
    assert got == ["Rep. Alexandria Ocasio-Cortez (D-NY) criticized the U.S. stance.",
                   "Kirstjen M. Nielsen met Lt. Gen. Smith."]


def test_a_line_ending_in_a_colon_joins_the_sentence_it_introduces():
    raw = "Commitments:\n\n  • Expand asylum capacity.\n  • Share data.\nThey agreed: more talks. Then lunch."
    got = [raw[s.start:s.end] for s in split_sentences(raw, Span(0, len(raw)))]
    assert got == ["Commitments:\n\n  • Expand asylum capacity.", "• Share data.", "They agreed: more talks.",
                   "Then lunch."]


def sentences(raw):
    return [raw[s.start:s.end] for s in split_sentences(raw, Span(0, len(raw)))]


def test_a_quotation_is_one_unit():
    issue = "She also delivered a direct warning to those considering the trek: “Do not come. Do not come.”"
    assert sentences(issue + " Then she left.") == [issue, "Then she left."]
    quote = "“First, asylum is legal. Second, the US spent decades there. We can’t help it.”"
    assert sentences(f"“This is sad,” she wrote. {quote} Others agreed.") == [
        "“This is sad,” she wrote.", quote, "Others agreed."]
    assert sentences('He said "Go home. Now." and left. They stayed.') == [
        'He said "Go home. Now." and left.', "They stayed."]


def test_an_unclosed_or_overlong_quotation_is_split_as_usual():
    # News style: a quote running on into the next paragraph has no closing mark on its line.
    assert sentences("He said: “We will stay. We will build.\n“And then we go.”") == [
        "He said: “We will stay.", "We will build.", "“And then we go.”"]
    long = "“" + " ".join(["This is one sentence of a long speech."] * 40) + "”"
    assert len(sentences(long)) == 40


@settings(max_examples=200, deadline=None)
@given(st.lists(sentence, min_size=1, max_size=6), st.lists(sentence, min_size=1, max_size=4))
def test_no_sentence_opens_a_closed_quotation_without_closing_it(before, quoted):
    inner = " ".join(quoted).replace("“", "").replace("”", "")
    raw = " ".join(before).replace("“", "").replace("”", "") + " She said: “" + inner + "” Done."
    for s in sentences(raw):
        assert s.count("“") == s.count("”")


def test_a_short_list_item_is_one_unit_and_a_long_one_is_split_as_prose():
    from index.readers.base import Block
    from index.sentences import ITEM_UNIT_CHARS

    item = "`resolution`: The desired number of pixels per inch. Default: `72`. Type: `int`."
    raw = f"- {item}\n"
    assert [raw[s.start:s.end] for s in split_sentences(raw, Block(2, len(raw), "item"))] == [item]
    long = " ".join(["The setting holds for every page of the file."] * (ITEM_UNIT_CHARS // 40))
    got = [long[s.start:s.end] for s in split_sentences(long, Block(0, len(long), "item"))]
    assert len(got) == ITEM_UNIT_CHARS // 40 and all(g == "The setting holds for every page of the file." for g in got)


def test_code_is_cut_between_lines_and_comments_go_with_what_follows():
    """Code is cut into runs of whole lines up to CODE_UNIT_CHARS; comment lines at the end of a run move to the
    next, so a comment is read (and quoted) with the line it explains."""
    from index.readers.base import Block
    from index.sentences import CODE_UNIT_CHARS, split_sentences

    setting = "\n".join(f"option_{i} = {i}" for i in range(12))  # about 170 characters
    comment = "# The next option sets how many attempts the daemon makes before it gives up on the server.\n" * 2
    raw = setting + "\n" + comment + "max_retries = 5\nmax_wait = 30"
    units = [raw[s.start:s.end] for s in split_sentences(raw, Block(0, len(raw), "code"))]
    assert len(units) == 2 and all(len(u) <= CODE_UNIT_CHARS for u in units)
    assert units[0] == setting and units[1].startswith("# The next option") and "max_retries = 5" in units[1]
    assert "".join(u.replace("\n", "") for u in units) == raw.replace("\n", "")  # whole lines, none lost


def test_leader_dots_do_not_end_a_sentence():
    """A table row with leader dots to its next cell ("AFM revisions ........ 1 work-hour") is one unit."""
    from index.readers.base import Block
    from index.sentences import split_sentences

    raw = "AFM revisions ............ 1 work-hour × $85 per hour = $85 ...... $0 ........ $85 ........ $6,205."
    assert [raw[s.start:s.end] for s in split_sentences(raw, Block(0, len(raw), "lines"))] == [raw]
