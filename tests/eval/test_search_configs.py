"""--compare specs that change the search settings (fusion, dense weight, normalisation, depth)."""
import pytest

from eval.configs import CitebotConfig, CitebotSystem, parse_config, parse_configs
from index.errors import SettingError


def test_search_specs():
    c = parse_config("normalise=min-max,dense_weight=0.5")
    assert c.search == (("dense_weight", 0.5), ("normalise", "min-max")) and c.overrides == ()
    assert c.label == "hybrid,k=5,dense_weight=0.5,normalise=min-max"
    assert parse_config("fusion=rrf,rrf_k=10,depth=100").search == (("depth", 100), ("fusion", "rrf"), ("rrf_k", 10))
    assert parse_config("k=10", c).search == c.search  # changes from the base keep its search settings
    assert parse_configs(["normalise=z-score", "normalise=z-score"], CitebotConfig()) == [
        CitebotConfig(), CitebotConfig(search=(("normalise", "z-score"),))]


BAD = {"normalise=softmax": "invalid score normalisation 'softmax'; valid values: 'min-max', 'z-score', 'top'",
       "dense_weight=2": "dense weight must be between 0.0 and 1.0", "depth=0": "retrieval depth must be at least 1",
       "fusion=sum": "invalid fusion 'sum'", "dense_weight=x": "invalid value 'x' for dense_weight"}


def test_bad_search_specs_are_one_line_setting_errors():
    for spec, message in BAD.items():
        with pytest.raises(SettingError, match=message):
            parse_config(spec)


@pytest.mark.slow
def test_system_ranks_with_its_search_settings(seeds_index):
    from qa import retrieve

    from qa import SearchSettings

    question, config = "When did Nielsen meet the ministers?", parse_config("normalise=min-max,dense_weight=0.5")
    ranked = CitebotSystem(seeds_index, config).ranked_docs(question, 5)
    search = SearchSettings(normalise="min-max", dense_weight=0.5)
    assert ranked == [p.doc_id for p in retrieve(question, 5, seeds_index, search=search)]
    assert CitebotSystem(seeds_index, config).answer(question).text
