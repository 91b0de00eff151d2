"""What kind of answer a question asks for, and whether a sentence offers one that the question lacks."""
import pytest

from qa.answer_type import AnswerType, offers, question_type, offers_measure


@pytest.mark.parametrize("question, kind", [
    ("How many people came?", AnswerType.NUMBER),
    ("What percentage of the vote did she win?", AnswerType.NUMBER),
    ("By what factor is the new parser faster?", AnswerType.NUMBER),
    ("At what maximum line length are lines folded?", AnswerType.NUMBER),   # a quantity, one word between
    ("What is the minimum number of replicas?", AnswerType.NUMBER),
    ("What is the maximum of the two?", AnswerType.ANY),
    ("When did the bridge open?", AnswerType.TIME),
    ("In what year did the war end?", AnswerType.TIME),
    ("Who designed the bridge?", AnswerType.PERSON),
    ("Where did they meet?", AnswerType.NAME),
    ("Which city hosted the talks?", AnswerType.NAME),
    ("In which city did she hold the meeting?", AnswerType.NAME),     # after a preposition
    ("From what country did the ministers come?", AnswerType.NAME),
    ("What is the name of the new program?", AnswerType.NAME),
    ("What were the names of the two lawyers?", AnswerType.NAME),
    ("What did she say about the economy?", AnswerType.ANY),
    ("Why did the talks fail?", AnswerType.ANY),
])
def test_question_type(question, kind):
    assert question_type(question) is kind


@pytest.mark.parametrize("question, sentence, expected", [
    # a number the question lacks; an ordinal says which one, not how many
    ("How many votes did she receive?", "She received four thousand votes.", True),
    ("How many votes did she receive?", "She received 4,200 votes.", True),
    # a list item's number says which item; a number word inside a dotted name ("pdfminer.six") is a name
    ("At what maximum line length are lines folded?", "2) Any non-empty line MAY be folded.", False),
    ("At what maximum line length are lines folded?", "2) Lines are folded at 76 characters.", True),
    ("By what factor is pymupdf faster?", "pymupdf is faster than pdfminer.six and pdfplumber.", False),
    ("How many votes did she get out of 5,000?", "Of the 5,000 votes cast she won most.", False),
    ("How many votes did she receive?", "She was elected to a second term.", False),
    ("How many of the twelve politicians were from Honduras?", "A list labelled twelve politicians as corrupt.",
     False),
    ("How much did the city spend?", "The city spent half its budget.", True),
    # a date or time word
    ("When did the bridge open?", "The bridge opened in March.", True),
    ("When did the bridge open?", "The bridge opened to traffic.", False),
    # a run of capitalised words the question lacks; a possessive is the same name
    ("Who criticised Giammattei?", "Rep. Alexandria Ocasio-Cortez criticised the stance.", True),
    ("Who criticised Giammattei?", "Critics of Giammattei’s government were arrested.", False),
    ("Who is the president of Honduras?", "Honduras's President spoke.", False),
    # a capitalised word the question lacks, not the sentence's first
    ("In which city did they meet?", "They met in Guatemala City on Monday.", True),
    ("What are the names of the lawyers critical of Giammattei?",
     "Two lawyers who criticise Giammattei’s administration were arrested.", False),
    ("What did she say?", "Anything at all.", True),  # no kind asked: every sentence offers one
])
def test_offers(question, sentence, expected):
    assert offers(question_type(question), sentence, question) is expected


@pytest.mark.parametrize("answerer", ["heuristic", "guarded"])
def test_a_how_many_question_answered_with_no_number_abstains(news_index, answerer):
    """Quotes about the topic that hold no number do not answer "how many": an abstention that shows them as
    closest; the same question where a quote holds a number is answered."""
    from qa import ask

    _, ix = news_index
    a = ask("How many cyclists welcomed the new lanes?", index_dir=ix, answerer=answerer)
    assert a.abstained and a.citations == [] and "Cyclists welcomed the new lanes." in [c.quote for c in a.closest]
    a = ask("How many years did the bridge repairs take?", index_dir=ix, answerer=answerer)
    assert not a.abstained and "two years" in a.text


@pytest.mark.parametrize("question, sentence, expected", [
    # a measure the question names: its number must come in its units
    ("How much memory does the Grobid server need?", "Don't worry if it gets stuck at 87%.", False),
    ("How much memory does the Grobid server need?", "Grobid needs at least 4 GB of RAM.", True),
    ("How much memory does the server need?", "It needs 512MB.", True),
    ("What is the maximum file size allowed for an upload?", "Files of up to 10 MB can be uploaded.", True),
    ("What is the maximum file size allowed for an upload?", "Up to 3 files can be uploaded.", False),
    ("What percentage of the documents did the labeling succeed for?", "It succeeds for 76% of them.", True),
    ("What share of jobs are with foreign companies?", "One out of ten private sector jobs is.", True),
    ("What fraction of residents graduated from college?", "In 2005, three in five residents were graduates.", True),
    ("What percentage of the vote did she win?", "She won 12,000 votes in 2020.", False),
    ("What maximum line length does the style guide set?", "Limit all lines to a maximum of 79 characters.", True),
    ("What maximum line length does the style guide set?", "The example is therefore 3 lines long.", False),
    ("What maximum line length does the linter use?", "max-line-length = 88", True),
    ("What is the maximum length of a file name in the header?", "It is a 255-byte field.", True),
    ("What is the maximum length of a file name in the header?", "The header holds 2 names.", False),
    ("How long does Grobid take per PDF?", "It processes tests/pdf/N18-3011.pdf on port 8070.", False),
    ("How long does Grobid take per PDF?", "Each PDF takes about 3 seconds.", True),
    ("How long did the rupture last?", "The rupture lasted close to 120 sec.", True),
    ("what was the vote count on the mailing list", "After a vote, the current name won out.", False),
    ("what was the vote count on the mailing list", "The name won 12 votes to 3.", True),
    # no measure named: any number, as before
    ("How many retries before the daemon gives up?", "The daemon retries five times.", True),
])
def test_offers_measure(question, sentence, expected):
    assert question_type("Who was the count of Apulia?") is not AnswerType.NUMBER  # a noble, not a number
    assert question_type(question) is AnswerType.NUMBER
    assert offers_measure(sentence, question) is expected
