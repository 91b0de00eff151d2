"""A sentence is read with the heading of the section it stands in: the question's words that only that heading
holds count for it, at ExtractiveSettings.heading_weight ("--no-defaults: don't run default passes" over "This
flag is deprecated."). The document's title, which every sentence shares, does not count."""
import pytest

from qa.extractive import ExtractiveAnswerer, ExtractiveSettings

DOC = ("# Tool manual\n\nThe tool copies files between hosts.\n\n"
       "## --no-defaults: skip the default passes\n\nThis flag is deprecated. Do not use it.\n\n"
       "## --out-dir: output directory\n\nThe tool writes into the current directory unless told otherwise.\n")
QUESTION = "is the no-defaults flag that skips default passes still ok to use?"


@pytest.fixture()
def index(one_document):
    return one_document("manual.md", DOC)


def test_a_sentence_counts_the_words_of_its_subsection_heading(index):
    ix, ps = index
    feats = {f.text.split()[0]: f for f in ExtractiveAnswerer(ix).features(QUESTION, ps)}
    deprecated, copies = feats["This"], feats["The"]
    assert deprecated.lexical_with_heading > deprecated.lexical_with_previous  # "no-defaults … default passes"
    assert copies.lexical_with_heading == copies.lexical_with_previous  # under the title only


def test_the_heading_weight_sets_how_much_the_heading_counts(index):
    ix, ps = index

    def score(weight):
        a = ExtractiveAnswerer(ix, ExtractiveSettings(heading_weight=weight))
        return next(c.score for c in a.candidates(QUESTION, ps) if c.text.startswith("This flag"))
    assert score(0.0) < score(0.5) < score(1.0)
    with pytest.raises(Exception, match="heading_weight"):
        ExtractiveSettings(heading_weight=-0.1)


def test_the_answer_names_a_heading_that_holds_question_words_its_quote_lacks(index):
    ix, ps = index
    a = ExtractiveAnswerer(ix)
    cands = a.candidates(QUESTION, ps)
    deprecated = next(c for c in cands if c.text.startswith("This flag"))
    answer = a.compose(QUESTION, ps, [deprecated], cands, None)
    assert answer.text.startswith("Under “--no-defaults: skip the default passes”: This flag is deprecated.")
    assert answer.citations[0].quote.startswith("This flag is deprecated.")  # the quote stays the document's text
    # a quote that holds the question's words itself, or a sentence under the title only, is not prefixed
    question = "where does the tool write its files unless told otherwise?"
    cands = a.candidates(question, ps)
    writes = next(c for c in cands if c.text.startswith("The tool writes"))
    assert a.compose(question, ps, [writes], cands, None).text.startswith("The tool writes")
    copies = next(c for c in cands if c.text.startswith("The tool copies"))
    assert a.compose(QUESTION, ps, [copies], cands, None).text.startswith("The tool copies")
