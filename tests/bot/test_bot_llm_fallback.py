"""The bot's default engine (qa.ask with the CITEBOT_LLM_* settings) when the LLM fails: the mention is still
answered, with the extractive answer and a note naming the endpoint and the cause (real sockets)."""
from __future__ import annotations

import pytest
from bot_fakes import BOT_TOKEN, SECRET
from bot_steps import CHANNEL, ask_in_channel, finished, section_texts
from fake_slack import BOT_USER_ID

import qa
from bot import format as fmt
from bot.app import _default_answer_fn
from bot.settings import BotSettings
from qa.llm import LLMError
from tests.qa.llm_servers import StatusServer, closed_port_url

pytestmark = pytest.mark.slow  # starts servers
QUESTION = "When did the harbour bridge reopen?"
LLM_ENV = ("CITEBOT_LLM_MODEL", "CITEBOT_LLM_BASE_URL", "CITEBOT_LLM_TIMEOUT", "CITEBOT_LLM_RETRIES")


@pytest.fixture
def failing_llm(request):
    """The base URL of a closed port or of a server answering HTTP 500."""
    if request.param != 500:
        yield closed_port_url()
        return
    server = StatusServer(500, "overloaded")
    yield server.url
    server.close()


@pytest.mark.parametrize("failing_llm", ["closed port", 500], indirect=True)
def test_a_failing_llm_still_gets_the_extractive_answer_with_a_note(make_bot, news_index, failing_llm, monkeypatch):
    ix = news_index[1]
    for name in LLM_ENV:
        monkeypatch.delenv(name, raising=False)
    extractive = qa.ask(QUESTION, index_dir=ix)  # no LLM configured yet
    for name, value in (("CITEBOT_LLM_MODEL", "m"), ("CITEBOT_LLM_BASE_URL", failing_llm),
                        ("CITEBOT_LLM_RETRIES", "0")):
        monkeypatch.setenv(name, value)
    with pytest.raises(LLMError) as e:  # what ask() raises by default: the line the note must carry
        qa.ask(QUESTION, index_dir=ix)
    assert failing_llm in str(e.value)
    bot = make_bot(_default_answer_fn(BotSettings(bot_token=BOT_TOKEN, signing_secret=SECRET, http=True)),
                   index_dir=str(ix))

    msg = ask_in_channel(bot, f"<@{BOT_USER_ID}> {QUESTION}")
    [reply] = finished(bot.fake, CHANNEL, msg.ts)

    assert not extractive.abstained and section_texts(reply.blocks)[0] == fmt.answer_sections(extractive)[0]
    assert f"_Note: showing the extractive answer: {fmt.escape(str(e.value))}_" in str(reply.blocks)


def test_the_placeholder_shows_the_llms_words_while_it_writes_then_the_checked_answer(make_bot, news_index,
                                                                                      monkeypatch):
    from tests.qa.test_llm_stub import StubOpenAI

    stub = StubOpenAI()
    stub.replies.append("The harbour bridge reopened on Friday after two years of repairs [1].")
    for name, value in (("CITEBOT_LLM_MODEL", "m"), ("CITEBOT_LLM_BASE_URL", stub.url),
                        ("CITEBOT_LLM_RETRIES", "0")):
        monkeypatch.setenv(name, value)
    stub.pause()
    try:
        bot = make_bot(_default_answer_fn(BotSettings(bot_token=BOT_TOKEN, signing_secret=SECRET, http=True)),
                       index_dir=str(news_index[1]))
        msg = ask_in_channel(bot, f"<@{BOT_USER_ID}> {QUESTION}")
        [update] = bot.fake.wait_for(lambda: [c for c in bot.fake.of("chat.update")
                                              if "still writing" in c.params.get("text", "")], timeout=60)
        assert not stub.finished.is_set()  # a partial update while the model is still generating
        assert update.params["text"].startswith("The harbour")
        stub.hold.set()
        [reply] = finished(bot.fake, CHANNEL, msg.ts)
    finally:
        stub.hold.set()
        stub.server.shutdown()
    assert "still writing" not in reply.text and "two years of repairs" in section_texts(reply.blocks)[0]
    assert "[1]" in section_texts(reply.blocks)[0]
