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
