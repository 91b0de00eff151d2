"""A sentence that opens by pointing back ("This way, …", "It …") is read with the sentence before it: the question's
words that only the sentence before holds count for it, at ExtractiveSettings.anaphor_weight."""
import pytest

from qa.extractive import ExtractiveAnswerer, ExtractiveSettings

DOC = ("Docstring style\n\nPlace the closing quotes of a multi-line docstring on a line by themselves. "
       "This way, the editor's fill-paragraph command can be used on it. "
       "Summary lines fit on one line.\n")
QUESTION = "Which editor command works when the closing quotes of a docstring are on a line by themselves?"


@pytest.fixture()
def index(one_document):
    return one_document("style.txt", DOC)


def passages(ix_and_passages):
    return ix_and_passages[1]


def test_an_anaphoric_sentence_counts_the_words_of_the_one_before(index):
    feats = {f.text.split()[0]: f for f in ExtractiveAnswerer(index[0]).features(QUESTION, passages(index))}
    this_way, place, summary = feats["This"], feats["Place"], feats["Summary"]
    assert this_way.lexical_with_previous > this_way.lexical  # "closing quotes … line by themselves" from before
    assert place.lexical_with_previous == place.lexical and summary.lexical_with_previous == summary.lexical


def test_the_weight_sets_how_much_the_sentence_before_counts(index):
    def score(weight):
        a = ExtractiveAnswerer(index[0], ExtractiveSettings(anaphor_weight=weight))
        return next(c.score for c in a.candidates(QUESTION, passages(index)) if c.text.startswith("This way"))
    assert score(0.0) < score(0.5) < score(1.0)


def test_anaphor_weight_is_checked():
    with pytest.raises(Exception, match="anaphor_weight"):
        ExtractiveSettings(anaphor_weight=1.5)


def test_a_quote_carries_the_next_sentence_when_that_one_points_back(index):
    ix, ps = index
    a = ExtractiveAnswerer(ix)
    cands = a.candidates(QUESTION, ps)
    place = next(c for c in cands if c.text.startswith("Place"))
    c = a.compose(QUESTION, ps, [place], cands, None).citations[0]
    assert c.quote == ("Place the closing quotes of a multi-line docstring on a line by themselves. "
                       "This way, the editor's fill-paragraph command can be used on it.")
    assert DOC[c.start:c.end] == c.quote
    summary = next(c for c in cands if c.text.startswith("Summary"))
    assert a.compose(QUESTION, ps, [summary], cands, None).citations[0].quote == "Summary lines fit on one line."
    tight = ExtractiveAnswerer(ix, ExtractiveSettings(max_chars=80))  # no room: the quote stays one sentence
    assert tight.compose(QUESTION, ps, [place], cands, None).citations[0].quote.endswith("by themselves.")
