"""Lexical coverage in the extractive score: stems the stemmer left apart still count as the same term."""
from index.bm25 import Tokenizer
from qa.extractive import covers

tok = Tokenizer()


def stems(text: str) -> set[str]:
    return set(tok(text))


def test_exact_stem_is_covered():
    assert covers(stems("The ministers were meeting."), tok("meetings")[0])


def test_derived_form_is_covered_both_ways():
    guatemalan = stems("She met the Guatemalan president.")
    assert covers(guatemalan, tok("Guatemala")[0])
    assert covers(stems("She flew to Guatemala."), tok("Guatemalan")[0])


def test_short_stems_need_an_exact_match():
    # "war" begins "warn": too short to be trusted as the same word
    assert not covers(stems("A warning was issued."), tok("war")[0])


def test_unrelated_words_are_not_covered():
    assert not covers(stems("Harris landed on Sunday."), tok("corruption")[0])
