"""`citebot feedback`: the votes of a real bot file as JSON Lines and CSV, read without changing the file."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import sqlite3

import pytest
from bot_fakes import sample_answer, version_1_file

from bot import db
from bot.export import CSV_COLUMNS, utc
from bot.feedback import COLUMNS_ADDED, Asked, FeedbackStore, read_feedback
from citebot.cli import main


@pytest.fixture
def voted(tmp_path):
    """A bot file with three votes: two on a sure answer (one user changed theirs), one on a refusal."""
    from qa import Answer

    path = tmp_path / "bot.sqlite3"
    now = [1_780_000_000.0]
    store = FeedbackStore(path, clock=lambda: now[0])
    sure = dataclasses.replace(sample_answer("Who?"), answerer="guarded", confidence=0.83)
    refusal = Answer.abstain("=1+1 capital of Peru?", answerer="guarded", confidence=0.01, off_topic=True,
                             closest=[sample_answer("x").citations[1]])
    a = store.record_answer(sure, Asked("Who?", "ctx Who?", "UA", "C1", "1.0", "T1"))
    b = store.record_answer(refusal, Asked(refusal.question, refusal.question, "UB", "C1"))
    for answer_id, user, vote in ((a, "UB", "down"), (b, "UC", "down"), (a, "UC", "up"), (a, "UB", "up")):
        now[0] += 60
        store.record_vote(answer_id, user, vote, "C1", "2.0")
    return path


def export(capsys, *argv):
    code = main(["feedback", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_lines_hold_every_vote_oldest_first_with_its_answer_and_sources(voted, capsys):
    code, out, err = export(capsys, "--feedback-db", str(voted))
    assert code == 0 and err == ""
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["question"], r["user_id"], r["vote"]) for r in rows] == [
        ("=1+1 capital of Peru?", "UC", "down"), ("Who?", "UC", "up"), ("Who?", "UB", "up")]  # UB changed theirs
    refusal, sure = rows[0], rows[2]
    assert sure["citations"][0]["source"] == "seeds/000.txt" and sure["citations"][0]["start"] == 10
    assert (sure["answerer"], sure["confidence"], sure["abstained"], sure["asked"]) == ("guarded", 0.83, False,
                                                                                      "ctx Who?")
    assert refusal["abstained"] and refusal["off_topic"] and refusal["citations"] == []
    assert refusal["closest"][0]["source"] == "seeds/001.txt"
    assert sure["voted_at"] == utc(1_780_000_240.0) == "2026-05-28T20:30:40Z"


def test_csv_has_one_row_per_vote_and_keeps_formulas_out_of_spreadsheets(voted, capsys):
    code, out, _ = export(capsys, "--feedback-db", str(voted), "--format", "csv", "--vote", "down")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == CSV_COLUMNS
    [row] = rows  # the other down-vote was changed to up
    assert row["question"] == "'=1+1 capital of Peru?"  # a cell starting with "=" would run as a formula
    assert row["vote"] == "down" and row["abstained"] == "True" and row["confidence"] == "0.01"
    assert row["sources"] == "" and row["closest"].startswith("seeds/001.txt [5-100]")
    assert row["channel_id"] == "C1" and row["answerer"] == "guarded"


def test_out_writes_a_file_and_says_how_many(voted, tmp_path, capsys):
    target = tmp_path / "votes.jsonl"
    target.write_text("an earlier export\n", encoding="utf-8")
    code, out, err = export(capsys, "--feedback-db", str(voted), "--out", str(target))
    assert code == 0 and out == "" and err.strip() == f"citebot feedback: 3 votes written to {target}"
    assert len(target.read_text(encoding="utf-8").splitlines()) == 3
    code, _, err = export(capsys, "--feedback-db", str(voted), "--vote", "down", "--out", str(target))
    assert code == 0 and err.strip() == f"citebot feedback: 1 vote written to {target}"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_the_file_is_read_not_changed(voted, capsys):
    before = voted.read_bytes()
    assert export(capsys, "--feedback-db", str(voted))[0] == 0
    assert voted.read_bytes() == before


def test_an_older_file_is_read_as_it_is_not_upgraded(tmp_path, capsys):
    path = version_1_file(tmp_path / "bot.sqlite3")
    [record] = read_feedback(path)
    assert (record.answer_id, record.vote, record.closest, record.answerer, record.confidence) == \
        ("a1", "up", (), None, None)
    assert not record.low_confidence and not record.off_topic
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 1
    code, out, _ = export(capsys, "--feedback-db", str(path), "--format", "csv")
    assert code == 0 and len(out.splitlines()) == 2


def test_every_column_a_migration_adds_has_a_value_for_older_files(tmp_path):
    def columns(path):
        with sqlite3.connect(path) as c:
            return {r[1] for r in c.execute("PRAGMA table_info(answers)")}

    old = db.connect(tmp_path / "v1.sqlite3")
    for statement in db.MIGRATIONS[0]:
        old.execute(statement)
    old.close()
    db.migrate(tmp_path / "now.sqlite3")
    assert columns(tmp_path / "now.sqlite3") - columns(tmp_path / "v1.sqlite3") == set(COLUMNS_ADDED)


def test_a_missing_file_is_one_line_and_is_not_created(tmp_path, capsys):
    missing = tmp_path / "nowhere.sqlite3"
    code, out, err = export(capsys, "--feedback-db", str(missing))
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert "does not exist" in err and str(missing) in err
    assert not missing.exists()


@pytest.mark.parametrize("content, words", [
    (b"not a database at all" * 100, "not a usable SQLite file"),
    (None, "not the Slack bot's"),           # another program's SQLite file: no schema version
    (b"", "is empty"),
])
def test_a_file_that_is_not_the_bots_is_one_line(tmp_path, capsys, content, words):
    path = tmp_path / "other.sqlite3"
    if content is None:
        sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    else:
        path.write_bytes(content)
    before = path.read_bytes()
    code, _, err = export(capsys, "--feedback-db", str(path))
    assert code == 2 and len(err.splitlines()) == 1 and words in err and "--feedback-db" in err
    assert path.read_bytes() == before


def test_a_folder_is_not_a_file(tmp_path, capsys):
    code, _, err = export(capsys, "--feedback-db", str(tmp_path))
    assert code == 2 and "is not a file" in err


def test_a_file_from_a_newer_citebot_is_refused(tmp_path, capsys):
    path = tmp_path / "bot.sqlite3"
    db.migrate(path)
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    code, _, err = export(capsys, "--feedback-db", str(path))
    assert code == 2 and "newer than this citebot's" in err


def test_an_unwritable_out_leaves_nothing_behind(voted, tmp_path, capsys):
    code, out, err = export(capsys, "--feedback-db", str(voted), "--out", str(tmp_path / "no" / "such" / "v.csv"))
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and "--out" in err


def test_the_database_path_comes_from_the_environment(voted, monkeypatch, capsys):
    monkeypatch.setenv("CITEBOT_SLACK_DB", str(voted))
    code, out, _ = export(capsys, "--vote", "up")
    assert code == 0 and len(out.splitlines()) == 2


def test_bad_choices_name_the_valid_ones(capsys):
    with pytest.raises(SystemExit) as e:
        main(["feedback", "--format", "xlsx"])
    assert e.value.code == 2 and "'jsonl', 'csv'" in capsys.readouterr().err
