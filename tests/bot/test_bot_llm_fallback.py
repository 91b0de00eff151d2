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
