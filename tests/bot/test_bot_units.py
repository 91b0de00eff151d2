"""Settings, question text, thread context, rate limit, the SQLite store and dedupe, token redaction."""
from __future__ import annotations

import dataclasses
import io
import json
import logging
import sqlite3
import threading

import pytest
from bot_fakes import sample_answer, version_1_file

from bot import db, redact
from bot.dedupe import EventDeduper
from bot.feedback import Asked, FeedbackStore
from bot.ratelimit import RateLimiter
from bot.settings import BotSettings, ConfigError
from bot.text import ThreadMessage, clean_question, earlier_questions, with_context

HTTP_ENV = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "shh"}

# -- settings ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("env, options, names", [
    ({}, {"http": True}, "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, {"http": True}, "SLACK_SIGNING_SECRET"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, {}, "SLACK_APP_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": "s"}, {"http": True}, "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-wrong"}, {}, "SLACK_APP_TOKEN"),
    ({**HTTP_ENV, "SLACK_API_URL": "ftp://x"}, {"http": True}, "SLACK_API_URL"),
    ({**HTTP_ENV, "CITEBOT_SLACK_RATE_LIMIT": "lots"}, {"http": True}, "CITEBOT_SLACK_RATE_LIMIT"),
    (HTTP_ENV, {"http": True, "rate_limit": -1}, "--rate-limit"),
    (HTTP_ENV, {"http": True, "port": 70000}, "--port"),
    (HTTP_ENV, {"http": True, "slash_response": "everyone"}, "--slash-response"),
    (HTTP_ENV, {"http": True, "allowed_channels": ["#general"]}, "--allow-channel"),
    ({**HTTP_ENV, "CITEBOT_ANSWERER": "oracle"}, {"http": True}, "CITEBOT_ANSWERER (--answerer) must be one of "
                                                                "guarded, heuristic, reader"),
])
def test_bad_configuration_names_the_variable(env, options, names):
    with pytest.raises(ConfigError) as e:
        BotSettings.from_env(env, **options)
    message = str(e.value)
    assert names in message and "\n" not in message
    for secret in env.values():
        if secret.startswith("xox") and len(secret) > 6:
            assert secret not in message


def test_settings_from_env_and_options():
    env = {**HTTP_ENV, "SLACK_API_URL": "http://127.0.0.1:9/api", "CITEBOT_INDEX_DIR": "/idx",
           "CITEBOT_SLACK_CHANNELS": "C01, C02", "CITEBOT_SLACK_RATE_LIMIT": "3"}
    s = BotSettings.from_env(env, http=True, port=8080, rate_limit=None, allowed_channels=None)
    assert (s.api_url, s.index_dir, s.port, s.rate_limit) == ("http://127.0.0.1:9/api/", "/idx", 8080, 3)
    assert s.allowed_channels == {"C01", "C02"}
    s = BotSettings.from_env(env, http=True, allowed_channels=["C09"], rate_limit=0)
    assert s.allowed_channels == {"C09"} and s.rate_limit == 0
    assert "xoxb" not in repr(s) and "shh" not in repr(s)
    socket = BotSettings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert socket.socket_mode and socket.api_url == "https://slack.com/api/"
    assert socket.answerer == "guarded"  # qa's default answerer
    assert BotSettings.from_env({**env, "CITEBOT_ANSWERER": "reader"}, http=True).answerer == "reader"
    assert BotSettings.from_env({**env, "CITEBOT_ANSWERER": "reader"}, http=True, answerer="heuristic").answerer \
        == "heuristic"  # the command line wins


def test_the_default_answer_function_uses_the_configured_answerer():
    from bot.app import _default_answer_fn

    fn = _default_answer_fn(BotSettings.from_env({**HTTP_ENV, "CITEBOT_ANSWERER": "reader"}, http=True))
    assert fn.keywords == {"answerer": "reader", "on_llm_error": "fallback"}  # an LLM failure: a note, not an error


# -- text ----------------------------------------------------------------------------------------------------


def test_clean_question():
    text = "<@UBOT> what did <@U123|ann> say about <https://x.org/a|the report> &amp; <#C1|general>? &lt;3 <!here>"
    assert clean_question(text, "UBOT") == "what did @ann say about the report & #general? <3 @here"
    assert clean_question("<@UBOT>   ", "UBOT") == ""


def test_earlier_questions_only_those_the_bot_answered():
    thread = [ThreadMessage("1.0", "<@UBOT> What did Harris announce?", user="UA"),
              ThreadMessage("2.0", "answer", user="UBOT", bot_id="B1"),
              ThreadMessage("3.0", "nice", user="UC"),
              ThreadMessage("4.0", "<@UBOT> and who criticized it?", user="UA")]
    assert earlier_questions(thread, "4.0", "UBOT", "B1") == ["What did Harris announce?"]
    assert earlier_questions(thread[:1] + thread[2:], "4.0", "UBOT", "B1") == []  # bot never answered
    assert with_context(["What did Harris announce?"], "and who criticized it?") == \
        "What did Harris announce? and who criticized it?"
    assert with_context([], "alone?") == "alone?"
    assert len(with_context(["x " * 1000], "tail?")) <= 400 + len(" tail?")
    assert with_context(["a?", "b?", "c?"], "d?") == "a? c? d?"


# -- rate limit ----------------------------------------------------------------------------------------------


def test_rate_limit_sliding_window():
    now = [0.0]
    limiter = RateLimiter(2, window=60, clock=lambda: now[0])
    assert limiter.check("u").allowed and limiter.check("u").allowed
    refused = limiter.check("u")
    assert not refused.allowed and refused.retry_after == 60 and "60 seconds" in refused.message()
    assert limiter.check("other").allowed
    now[0] = 60.5
    assert limiter.check("u").allowed
    assert RateLimiter(0).check("u").allowed


# -- SQLite store and dedupe ---------------------------------------------------------------------------------


def test_feedback_store_persists_in_a_real_file(tmp_path):
    path = tmp_path / "sub" / "bot.sqlite3"
    store = FeedbackStore(path)
    answer = sample_answer("Who?")
    answer_id = store.record_answer(answer, Asked("Who?", "ctx Who?", "UA", "C1", "1.0", "T1"))
    assert store.record_vote(answer_id, "UB", "up", "C1", "2.0").up == 1
    assert store.record_vote(answer_id, "UC", "down").down == 1
    assert store.record_vote("unknown", "UB", "up") is None
    with pytest.raises(ValueError):
        store.record_vote(answer_id, "UB", "sideways")
    records = FeedbackStore(path).feedback()  # reopened
    assert [(r.user_id, r.vote) for r in records] == [("UB", "up"), ("UC", "down")]
    assert records[0].citations == tuple(answer.citations) and records[0].asked == "ctx Who?"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION


def test_a_refusal_keeps_its_closest_passage_and_its_marks(tmp_path):
    from qa import Answer

    path = tmp_path / "bot.sqlite3"
    store = FeedbackStore(path)
    cites = sample_answer("Who?").citations
    closest = [dataclasses.replace(cites[0], highlight=(4, 12)), cites[1]]
    answer_id = store.record_answer(Answer.abstain("Who?", closest=closest), Asked("Who?", "Who?", "UA"))
    store.record_vote(answer_id, "UB", "down")
    [record] = FeedbackStore(path).feedback()
    assert record.abstained and record.citations == () and record.closest == tuple(closest)


def test_each_answer_keeps_its_answerer_and_how_sure_it_was(tmp_path):
    from qa import Answer

    path = tmp_path / "bot.sqlite3"
    store = FeedbackStore(path)
    sure = dataclasses.replace(sample_answer("Who?"), answerer="guarded", confidence=0.83)
    near = dataclasses.replace(sample_answer("Who else?"), answerer="guarded", confidence=0.09, low_confidence=True)
    far = Answer.abstain("Capital of Peru?", answerer="guarded", confidence=0.01, off_topic=True)
    llm = dataclasses.replace(sample_answer("Why?"), answerer="llm")            # an LLM answer has no confidence
    for answer, user in ((sure, "UA"), (near, "UB"), (far, "UC"), (llm, "UD")):
        store.record_vote(store.record_answer(answer, Asked(answer.question, answer.question, user)), user, "down")
    rows = {r.question: r for r in FeedbackStore(path).feedback()}
    got = [(r.answerer, r.confidence, r.low_confidence, r.off_topic, r.abstained) for r in rows.values()]
    assert got == [("guarded", 0.83, False, False, False), ("guarded", 0.09, True, False, False),
                   ("guarded", 0.01, False, True, True), ("llm", None, False, False, False)]
    with sqlite3.connect(path) as conn:  # what a team queries: the down-voted answers, least sure first
        assert conn.execute("SELECT a.question FROM feedback f JOIN answers a ON a.id = f.answer_id"
                            " WHERE f.vote = 'down' AND a.confidence IS NOT NULL ORDER BY a.confidence"
                            ).fetchall() == [("Capital of Peru?",), ("Who else?",), ("Who?",)]


def test_a_version_1_file_is_upgraded_in_place_and_loses_nothing(tmp_path):
    path = version_1_file(tmp_path / "bot.sqlite3")
    store = FeedbackStore(path)
    [record] = store.feedback()
    assert (record.answer_id, record.vote, record.answer, record.closest) == ("a1", "up", "Selee. [1]", ())
    assert (record.answerer, record.confidence, record.low_confidence, record.off_topic) == (None, None, False, False)
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION == 3


def test_a_version_2_file_is_upgraded_in_place_and_loses_nothing(tmp_path):
    path = tmp_path / "bot.sqlite3"
    conn = db.connect(path)  # the file as schema version 2 wrote it: a refusal with a closest passage, voted on
    for statement in (*db.MIGRATIONS[0], *db.MIGRATIONS[1]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO answers (id, created_at, question, asked, answer, abstained, citations, closest) VALUES"
                 " ('a1', 1.0, 'Who?', 'Who?', 'No.', 1, '[]', ?)",
                 (json.dumps([dataclasses.asdict(sample_answer("Who?").citations[0])]),))
    conn.execute("INSERT INTO feedback (answer_id, user_id, vote, created_at, updated_at) VALUES"
                 " ('a1', 'UB', 'down', 2.0, 2.0)")
    conn.close()
    [record] = FeedbackStore(path).feedback()
    assert (record.answer_id, record.vote, record.abstained) == ("a1", "down", True)
    assert record.closest == (sample_answer("Who?").citations[0],)
    assert (record.answerer, record.confidence, record.low_confidence, record.off_topic) == (None, None, False, False)
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION


def test_schema_migration_is_idempotent_and_refuses_newer_files(tmp_path):
    path = tmp_path / "bot.sqlite3"
    assert db.migrate(path) == 0
    assert db.migrate(path) == db.SCHEMA_VERSION
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    with pytest.raises(ConfigError, match="CITEBOT_SLACK_DB"):
        FeedbackStore(path)
    (tmp_path / "junk").write_bytes(b"not a database at all" * 100)
    with pytest.raises(ConfigError, match="not a usable SQLite file"):
        db.migrate(tmp_path / "junk")


def test_dedupe_claims_each_key_once_across_threads_and_instances(tmp_path):
    path = tmp_path / "bot.sqlite3"
    a, b = EventDeduper(path), EventDeduper(path)  # like two processes sharing the file
    wins = []
    lock = threading.Lock()

    def claim(d, key):
        if d.first_time(key):
            with lock:
                wins.append(key)

    threads = [threading.Thread(target=claim, args=(d, f"event:{i % 10}")) for i in range(100) for d in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == sorted(f"event:{i}" for i in range(10))


def test_dedupe_forgets_after_the_ttl(tmp_path):
    now = [1000.0]
    d = EventDeduper(tmp_path / "bot.sqlite3", ttl=60, clock=lambda: now[0])
    assert d.first_time("k") and not d.first_time("k")
    now[0] += 61
    assert d.first_time("k")


# -- redaction -----------------------------------------------------------------------------------------------


def test_redactor_masks_tokens_and_secrets():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    redact.install(["my-signing-secret"], [handler])
    logger = logging.getLogger("test.redact")
    logger.addHandler(handler)
    try:
        logger.warning("token %s and xapp-1-A0-123-abc, secret my-signing-secret", "xoxb-123-456-abcdef")
        try:
            raise RuntimeError("boom xoxb-999-888-zzz")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "xoxb-" not in out and "xapp-" not in out and "my-signing-secret" not in out
    assert out.count("[redacted]") >= 4 and "RuntimeError" in out
