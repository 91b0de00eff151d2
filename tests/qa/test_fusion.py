"""Fusing the dense and BM25 rankings: the score normalisers, convex fusion with each, and the search settings."""
import pytest

from index.errors import SettingError
from qa.retriever import SearchSettings, by_top, convex, min_max, z_score

DENSE = [(1, 0.8), (2, 0.4)]          # rows best first, as LoadedIndex.dense_search returns them
LEXICAL = [(2, 10.0), (3, 5.0)]


def test_normalisers_against_hand_computed_values():
    assert min_max([4.0, 3.0, 2.0]) == pytest.approx([1.0, 0.5, 0.0])
    assert min_max([2.0, 2.0]) == [0.0, 0.0]
    assert z_score([3.0, 1.0]) == pytest.approx([1.0, -1.0])           # mean 2, standard deviation 1
    assert z_score([6.0, 2.0, 2.0, 2.0]) == pytest.approx([3 / 3 ** 0.5, -1 / 3 ** 0.5, -1 / 3 ** 0.5,
                                                            -1 / 3 ** 0.5])  # mean 3, sd sqrt(3)
    assert z_score([5.0, 5.0]) == [0.0, 0.0]
    assert by_top([4.0, 2.0, 1.0]) == pytest.approx([1.0, 0.5, 0.25])
    assert by_top([-2.0, -4.0]) == pytest.approx([-1.0, -2.0])         # a negative best score keeps the order


@pytest.mark.parametrize("normalise, expected", [
    # row 1: dense only; row 2: both; row 3: BM25 only. A missing row takes its ranking's lowest normalised score.
    ("min-max", [(1, 0.7 * 1 + 0.3 * 0), (2, 0.7 * 0 + 0.3 * 1), (3, 0.7 * 0 + 0.3 * 0)]),
    ("z-score", [(1, 0.7 * 1 + 0.3 * -1), (2, 0.7 * -1 + 0.3 * 1), (3, 0.7 * -1 + 0.3 * -1)]),
    ("top", [(1, 0.7 * 1 + 0.3 * 0.5), (2, 0.7 * 0.5 + 0.3 * 1), (3, 0.7 * 0.5 + 0.3 * 0.5)]),
])
def test_convex_fuses_normalised_scores(normalise, expected):
    fused = convex([DENSE, LEXICAL], 3, (0.7, 0.3), normalise)
    assert [r for r, _ in fused] == [r for r, _ in expected]
    assert [s for _, s in fused] == pytest.approx([s for _, s in expected])


def test_convex_defaults_to_min_max_and_skips_an_empty_ranking():
    assert convex([DENSE, LEXICAL], 3, (0.5, 0.5)) == convex([DENSE, LEXICAL], 3, (0.5, 0.5), "min-max")
    alone = convex([DENSE, []], 2, (0.7, 0.3), "top")
    assert [r for r, _ in alone] == [1, 2] and [s for _, s in alone] == pytest.approx([0.7, 0.35])


def test_search_settings_are_checked_with_one_line_errors():
    assert SearchSettings.with_changes({"normalise": "z-score", "dense_weight": 0.6}) == \
        SearchSettings(normalise="z-score", dense_weight=0.6)
    assert SearchSettings.with_changes({}) == SearchSettings()
    with pytest.raises(SettingError, match="invalid score normalisation 'softmax'; valid values: 'min-max', "
                                           "'z-score', 'top'"):
        SearchSettings(normalise="softmax")
    with pytest.raises(SettingError, match="invalid search setting 'weight'; valid values: 'depth', "):
        SearchSettings.with_changes({"weight": 0.7})
    with pytest.raises(SettingError, match="dense weight must be between"):
        SearchSettings(dense_weight=1.5)


@pytest.mark.slow
def test_retrieve_and_ask_use_the_search_settings(seeds_index):
    from index import open_index
    from qa import Answer, ask, get_chain, retrieve

    question, search = "When did Nielsen meet the ministers?", SearchSettings(normalise="top", dense_weight=0.7)
    ix = open_index(seeds_index)
    rows = convex([ix.dense_search(question, 50), ix.lexical_search(question, 50)], 5, (0.7, 0.3), "top")
    assert [p.chunk_id for p in retrieve(question, 5, seeds_index, search=search)] == \
        [ix.chunks[r].chunk_id for r, _ in rows]
    default = convex([ix.dense_search(question, 50), ix.lexical_search(question, 50)], 5, (0.5, 0.5), "min-max")
    assert [p.chunk_id for p in retrieve(question, 5, seeds_index)] == [ix.chunks[r].chunk_id for r, _ in default]
    assert isinstance(ask(question, seeds_index, search=search), Answer)
    assert get_chain(seeds_index, search=search) is get_chain(seeds_index, search=SearchSettings(
        normalise="top", dense_weight=0.7))
    assert get_chain(seeds_index, search=search) is not get_chain(seeds_index)
