"""--compare specs -> citebot configurations."""
import pytest

from eval.configs import CitebotConfig, parse_config, parse_configs
from index.errors import SettingError


def test_specs():
    base = CitebotConfig()
    assert parse_config("dense") == CitebotConfig("dense", 5)
    assert parse_config("k=10") == CitebotConfig("hybrid", 10)
    assert parse_config("lexical, k=3") == CitebotConfig("lexical", 3)
    assert parse_config("mode=dense,min-evidence=0.5") == CitebotConfig("dense", 5, (("min_evidence", 0.5),))
    assert parse_config("k=10", CitebotConfig("dense", 3)).label == "dense,k=10"
    assert parse_config("min_evidence=0.5,keep_ratio=0.7").label == "hybrid,k=5,keep_ratio=0.7,min_evidence=0.5"
    assert parse_configs(["dense", "hybrid", "k=5", "k=10"], base) == [
        base, CitebotConfig("dense"), CitebotConfig("hybrid", 10)]  # duplicates of the base dropped


def test_settings_overrides_build_extractive_settings():
    from qa import ExtractiveSettings

    s = parse_config("min_evidence=0.5,max_sentences=2").settings()
    assert isinstance(s, ExtractiveSettings) and s.min_evidence == 0.5 and s.max_sentences == 2
    assert CitebotConfig().settings() is None
    from eval.configs import setting_defaults

    assert set(setting_defaults()) == set(vars(ExtractiveSettings()))  # every field, new ones too


@pytest.mark.parametrize("spec, message", [
    ("fast", "invalid --compare spec 'fast'"),
    ("k=ten", "invalid value 'ten' for k"),
    ("k=0", "invalid k=0"),
    ("mode=magic", "invalid mode 'magic'"),
    ("keep_ratio=2", "keep_ratio must be between 0.0 and 1.0 \\(got 2.0\\)"),
])
def test_bad_specs_are_one_line_setting_errors(spec, message):
    with pytest.raises(SettingError, match=message):
        parse_config(spec)


def test_answerer_specs():
    assert parse_config("reader").answerer == "reader"
    assert parse_config("answerer=reader,dense").label == "reader,dense,k=5"
    assert parse_config("guarded") == CitebotConfig()  # the default answerer
    assert parse_config("heuristic").label == "heuristic,hybrid,k=5"
    c = parse_config("reader,min_confidence=0.3")
    assert c.answerer == "reader" and c.min_confidence == 0.3 and c.ask_options() == {
        "answerer": "reader", "min_confidence": 0.3}
    forced = CitebotConfig(answerer="heuristic").forced_version()
    assert forced.settings().min_evidence < -1e6 and forced.ask_options()["min_confidence"] is None
    assert CitebotConfig(answerer="reader").forced_version().ask_options() == {"answerer": "reader",
                                                                               "min_confidence": 0.0}
    guarded = CitebotConfig(answerer="guarded").forced_version()  # neither the heuristic's nor the reader's guard
    assert guarded.settings().min_evidence < -1e6 and guarded.ask_options()["min_confidence"] == 0.0
    with pytest.raises(SettingError, match="invalid answerer 'oracle'.*guarded, heuristic, reader"):
        parse_config("answerer=oracle")
    with pytest.raises(SettingError, match="min_confidence must be between 0 and 1"):
        parse_config("min_confidence=2")
