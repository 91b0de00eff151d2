"""An LLM reply read as claims: each sentence with the passages it cites, however the model placed its markers."""
import pytest

from qa.claims import Claim, claims


@pytest.mark.parametrize("reply, want", [
    # after the sentence, before or after its full stop
    ("Harris met Giammattei [2]. She warned migrants [1][2].",
     [("Harris met Giammattei.", (2,)), ("She warned migrants.", (1, 2))]),
    ("Harris met Giammattei. [2] She warned migrants. [1]",
     [("Harris met Giammattei.", (2,)), ("She warned migrants.", (1,))]),
    # before its sentence: the first sentence's, then each opens the next one (the one before has its own)
    ("[1] Harris met Giammattei. [2] She warned migrants.",
     [("Harris met Giammattei.", (1,)), ("She warned migrants.", (2,))]),
    # a list at the end: for every sentence without a marker of its own
    ("Harris met Giammattei. She warned migrants.\n\nSources: [1], [3]",
     [("Harris met Giammattei.", (1, 3)), ("She warned migrants.", (1, 3))]),
    ("Harris met Giammattei [1]. She warned migrants.\n[2][3]",
     [("Harris met Giammattei.", (1,)), ("She warned migrants.", (2, 3))]),
    ("Harris met Giammattei [1]. [2]", [("Harris met Giammattei.", (1, 2))]),
    # list markers are not sentences; numbers to no passage are dropped, repeats once
    ("1. Harris met Giammattei [1].\n2. She warned migrants [2][9][2].",
     [("Harris met Giammattei.", (1,)), ("She warned migrants.", (2,))]),
    # no marker: a claim that cites nothing (left out by the support check)
    ("Harris met Giammattei.", [("Harris met Giammattei.", ())]),
    # words besides markers: none
    ("[1] [2]", []), ("", []), ("Sources: [1]", []),
])
def test_claims(reply, want):
    assert claims(reply, 5) == [Claim(text, cites) for text, cites in want]


def test_the_numbers_and_names_a_claim_states():
    from qa.support import stated, states

    assert stated("Microsoft committed $310 million to the region.") == {"microsoft", "310"}
    assert stated("The president of the institute is Andrew Selee.") == {"andrew", "selee"}  # "The" opens it
    assert states("“Hello,” said Andrew Selee, who leads it; 310 in all.", {"andrew", "selee", "310"})
    assert not states("U.S. aid of $310 million", {"microsoft", "310"})
