"""A first quote that introduces a list carries the rest of the list, as one exact citation, within max_chars."""
import pytest

from qa.extractive import ExtractiveAnswerer, ExtractiveSettings

DOC = ("Wage data page\n\n"
       "The user should then see the prompt, followed by four fields to complete:\n\n"
       "- Description of work\n- Alternate data source used\n- Prevailing wage provided by source\n"
       "- Date data retrieved\n\n"
       "The page is saved when all four fields hold a value. Nothing else is asked on this page.\n")


@pytest.fixture()
def answerer(one_document):
    return one_document("wage.md", DOC)


def lead_in(a, passages):
    return next(c for c in a.candidates("fields", passages) if "four fields to complete" in c.text)


def test_the_lead_in_carries_its_whole_list(answerer):
    ix, passages = answerer
    a = ExtractiveAnswerer(ix)
    head = lead_in(a, passages)
    assert "Description of work" in head.text and "Date data retrieved" not in head.text  # joined with item one
    answer = a.compose("What is the last field?", passages, [head], [head], None)
    c = answer.citations[0]
    assert c.quote.endswith("Date data retrieved") and "Prevailing wage provided by source" in answer.text
    assert DOC[c.start:c.end] == c.quote  # one exact citation over the list
    assert "The page is saved" not in c.quote  # a sentence after the list is not an item


def test_the_list_stops_at_max_chars(answerer):
    ix, passages = answerer
    a = ExtractiveAnswerer(ix, ExtractiveSettings(max_chars=130))
    head = lead_in(a, passages)
    quote = a.compose("What is the last field?", passages, [head], [head], None).citations[0].quote
    assert len(quote.replace("\n", " ")) <= 140 and "Date data retrieved" not in quote
