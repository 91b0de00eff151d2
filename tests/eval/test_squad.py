"""The SQuAD adapter on a small file in the SQuAD 2.0 format."""
import json

import pytest

from eval.gold import GoldError
from eval.gold import spread
from eval.squad import load_squad, parse_squad, sentence_around, write_documents

CTX0 = "The Normans were people. They gave their name to Normandy, a region in France. Rollo led them."
CTX1 = "Dunes move with the wind.  Sand is made of quartz!"
DATA = {"version": "v2.0", "data": [
    {"title": "Normans", "paragraphs": [{"context": CTX0, "qas": [
        {"id": "a", "question": "In what country is Normandy?", "is_impossible": False,
         "answers": [{"text": "France", "answer_start": CTX0.index("France")},
                     {"text": "France", "answer_start": CTX0.index("France")},
                     {"text": "in France", "answer_start": CTX0.index("in France")}]},
        {"id": "b", "question": "Who gave their name to Gascony?", "is_impossible": True, "answers": [],
         "plausible_answers": [{"text": "Normans", "answer_start": 4}]}]}]},
    {"title": "Sand", "paragraphs": [{"context": "Unused paragraph.", "qas": []},
                                     {"context": CTX1, "qas": [
        {"id": "c", "question": "What is sand made of?", "answers": [{"text": "quartz", "answer_start": 43}]}]}]},
]}


def test_paragraphs_become_documents_with_stable_ids(tmp_path):
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(DATA), encoding="utf-8")
    squad = load_squad(path)
    assert squad.name == "mini"
    assert [p.doc_id for p in squad.paragraphs] == ["000_000", "001_000", "001_001"]
    a, b, c = squad.items
    assert (a.kind, a.answers, a.docs) == ("single", ("France", "in France"), ("000_000",))
    assert a.evidence == "They gave their name to Normandy, a region in France."
    assert (b.kind, b.answers, b.docs) == ("unanswerable", (), ())
    assert (c.docs, c.evidence) == (("001_001",), "Sand is made of quartz!")
    folder = write_documents(squad, tmp_path / "docs")
    assert sorted(f.name for f in folder.iterdir()) == ["000_000.txt", "001_000.txt", "001_001.txt"]
    with open(folder / "000_000.txt", encoding="utf-8") as f:
        assert f.read() == CTX0


def test_sentence_around():
    text = "One. Two is here. Three!"
    assert sentence_around(text, text.index("Two"), text.index("Two") + 3) == "Two is here."
    assert sentence_around(text, 0, 3) == "One."
    assert sentence_around(text, text.index("Three"), len(text)) == "Three!"


def test_limit_spreads_over_the_file():
    items = list(range(10))
    assert spread(items, 3) == [0, 3, 6]
    assert spread(items, None) == items and spread(items, 99) == items
    with pytest.raises(GoldError):
        spread(items, 0)


@pytest.mark.parametrize("data, message", [
    ({"version": "x"}, "no top-level 'data' list"),
    ({"data": [{"paragraphs": [{"qas": []}]}]}, "data[0].paragraphs[0]: needs a non-empty 'context'"),
    ({"data": [{"paragraphs": [{"context": "x", "qas": [{"id": "q", "question": "?", "answers": []}]}]}]},
     "data[0].paragraphs[0].qas[0]: answerable question without answers"),
    ({"data": [{"paragraphs": [{"context": "x", "qas": [{"id": "q"}]}]}]}, "needs 'id' and 'question'"),
    ({"data": [{"paragraphs": [{"context": "x", "qas": []}]}]}, "no questions found"),
])
def test_malformed_files(data, message):
    with pytest.raises(GoldError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_squad(data, "f.json")


def test_missing_and_invalid_json(tmp_path):
    with pytest.raises(GoldError, match="SQuAD file not found"):
        load_squad(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text('{"data": [\n', encoding="utf-8")
    with pytest.raises(GoldError, match=r"bad.json:2: invalid JSON"):
        load_squad(tmp_path / "bad.json")


def test_absent_paragraphs_are_left_out_and_their_questions_expect_an_abstention(tmp_path):
    from eval.squad import withheld

    ids = [f"{a:03d}_{p:03d}" for a in range(20) for p in range(20)]
    left = [i for i in ids if withheld(i, 0.25)]
    assert 0.18 < len(left) / len(ids) < 0.32                 # about the share asked for
    assert left == [i for i in ids if withheld(i, 0.25)]      # the same ones every time
    assert set(left) <= {i for i in ids if withheld(i, 0.5)}  # a larger share keeps leaving these out
    assert not any(withheld(i, 0.0) for i in ids)

    path = tmp_path / "mini.json"
    path.write_text(json.dumps(DATA), encoding="utf-8")
    full = load_squad(path)
    paragraph_of = {"a": "000_000", "b": "000_000", "c": "001_001"}  # the questions' paragraphs in DATA
    share = next(s for s in (0.1, 0.3, 0.5, 0.7, 0.9) if withheld("000_000", s) != withheld("001_001", s))
    squad = load_squad(path, absent=share)
    assert [p.doc_id for p in squad.paragraphs] == [p.doc_id for p in full.paragraphs if not withheld(p.doc_id, share)]
    assert squad.name == f"mini-absent{share:g}"
    for before, now in zip(full.items, squad.items):
        assert (now.id, now.question) == (before.id, before.question)
        if withheld(paragraph_of[before.id], share):
            assert (now.kind, now.answers, now.docs, now.evidence) == ("absent", (), (), "")
        else:
            assert now == before


@pytest.mark.parametrize("share", [-0.1, 0.95])
def test_absent_share_out_of_range_is_one_line(tmp_path, share):
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(DATA), encoding="utf-8")
    with pytest.raises(Exception, match=r"--absent must be between 0.0 and 0.9 \(got"):
        load_squad(path, absent=share)
