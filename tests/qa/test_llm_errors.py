"""An LLM that is unreachable, hangs or answers with an HTTP error: one line naming the endpoint and the cause,
raised by ask() or, with on_llm_error="fallback", a notice on the extractive answer (real sockets)."""
from __future__ import annotations

import pytest

from qa import LLMSettings, ask
from qa.llm import LLMAnswerer, LLMError, llm_error
from tests.qa.llm_servers import FAILURES, HangingServer, StatusServer, closed_port_url
from tests.qa.test_llm_stub import StubOpenAI

QUESTION = "When did the harbour bridge reopen?"
LLM_ENV = ("CITEBOT_LLM_MODEL", "CITEBOT_LLM_BASE_URL", "CITEBOT_LLM_TIMEOUT", "CITEBOT_LLM_RETRIES")


@pytest.fixture(autouse=True)
def no_llm_env(monkeypatch):
    for name in LLM_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture()
def hanging():
    server = HangingServer()
    yield server
    server.close()


@pytest.fixture()
def failing(request):
    server = StatusServer(request.param, FAILURES[request.param][0])
    yield server
    server.close()


def settings(url: str, **kw) -> LLMSettings:
    return LLMSettings(model="m", base_url=url, api_key="test-key", **{"retries": 0, **kw})


def raised(ix, llm: LLMSettings) -> str:
    with pytest.raises(LLMError) as e:
        ask(QUESTION, index_dir=ix, llm=llm)
    message = str(e.value)
    assert "\n" not in message and message.startswith(f"LLM at {llm.base_url} failed: ")
    return message


def test_closed_port_is_connection_refused(news_index):
    url = closed_port_url()
    assert "connection refused" in raised(news_index[1], settings(url))


def test_a_server_that_never_answers_times_out_after_the_timeout_setting(news_index, hanging):
    message = raised(news_index[1], settings(hanging.url, timeout=0.3))
    assert "timeout" in message and "0.3 s" in message and "--llm-timeout" in message
    assert hanging.accepted  # the request reached the socket


@pytest.mark.parametrize("failing", sorted(FAILURES), indirect=True)
def test_http_errors_name_the_status_and_the_cause(news_index, failing):
    message = raised(news_index[1], settings(failing.url))
    for words in FAILURES[failing.status][1]:
        assert words in message
    assert failing.requests == ["/v1/chat/completions"]


@pytest.mark.parametrize("failing", [500], indirect=True)
@pytest.mark.parametrize("retries", [0, 2])
def test_server_errors_are_retried_the_configured_number_of_times(news_index, failing, retries):
    raised(news_index[1], settings(failing.url, retries=retries))
    assert len(failing.requests) == retries + 1


@pytest.mark.parametrize("failing", [401, 404], indirect=True)
def test_client_errors_are_not_retried(news_index, failing):
    raised(news_index[1], settings(failing.url, retries=2))
    assert len(failing.requests) == 1


def test_fallback_answers_extractively_with_the_error_as_notice(news_index):
    url = closed_port_url()
    llm = settings(url)
    with pytest.raises(LLMError) as e:
        ask(QUESTION, index_dir=news_index[1], llm=llm)
    a = ask(QUESTION, index_dir=news_index[1], llm=llm, on_llm_error="fallback")
    plain = ask(QUESTION, index_dir=news_index[1])
    assert not a.abstained and a.answerer == plain.answerer != "llm"
    assert (a.text, a.citations) == (plain.text, plain.citations)
    assert str(e.value) in a.notice and "extractive answer" in a.notice


def test_fallback_keeps_a_working_llm_answer(news_index):
    stub = StubOpenAI()
    try:
        stub.replies.append("The harbour bridge reopened on Friday after two years of repairs [1].")
        a = ask(QUESTION, index_dir=news_index[1], llm=settings(stub.url), on_llm_error="fallback")
    finally:
        stub.server.shutdown()
    assert a.answerer == "llm" and a.notice is None
    assert a.text == "The harbour bridge reopened on Friday after two years of repairs. [1]"


def test_an_error_that_is_not_the_llms_is_not_hidden(news_index):
    class Broken:
        def stream(self, messages):
            raise ZeroDivisionError("a bug")

    plain = ask(QUESTION, index_dir=news_index[1])
    answerer = LLMAnswerer(Broken(), fallback=None, on_error="fallback")
    with pytest.raises(ZeroDivisionError):
        answerer.answer(QUESTION, plain.passages)
    assert llm_error(ZeroDivisionError()) is None


def test_ask_checks_on_llm_error(news_index):
    with pytest.raises(ValueError, match="invalid on_llm_error 'ignore'; valid values: raise, fallback"):
        ask(QUESTION, index_dir=news_index[1], on_llm_error="ignore")


def test_timeout_and_retries_defaults_and_their_use():
    s = LLMSettings(model="m")
    assert (s.timeout, s.retries) == (30.0, 1)
    model = LLMSettings(model="m", timeout=2.5, retries=3).chat_model()
    assert (model.request_timeout, model.max_retries) == (2.5, 3)


@pytest.mark.parametrize("kw, words", [
    ({"timeout": 0}, "LLM timeout must be greater than 0 (got 0)"),
    ({"timeout": -1}, "LLM timeout must be greater than 0 (got -1)"),
    ({"timeout": float("nan")}, "LLM timeout must be greater than 0 (got nan)"),
    ({"timeout": 601}, "LLM timeout must be at most 600 seconds (got 601)"),
    ({"retries": -1}, "LLM retries must be a whole number from 0 to 10 (got -1)"),
    ({"retries": 1.5}, "LLM retries must be a whole number from 0 to 10 (got 1.5)"),
])
def test_settings_check_timeout_and_retries_when_built(kw, words):
    with pytest.raises(ValueError) as e:
        LLMSettings(model="m", **kw)
    assert str(e.value) == words


def test_from_env_reads_and_checks_the_variables(monkeypatch):
    monkeypatch.setenv("CITEBOT_LLM_TIMEOUT", "4.5")
    monkeypatch.setenv("CITEBOT_LLM_RETRIES", "0")
    s = LLMSettings.from_env("m")
    assert (s.timeout, s.retries) == (4.5, 0)
    assert LLMSettings.from_env("m", timeout=9, retries=2).timeout == 9  # flags win over the environment
    monkeypatch.setenv("CITEBOT_LLM_TIMEOUT", "soon")
    with pytest.raises(ValueError, match=r"^CITEBOT_LLM_TIMEOUT must be a number of seconds \(got 'soon'\)$"):
        LLMSettings.from_env("m")
    monkeypatch.setenv("CITEBOT_LLM_TIMEOUT", "-2")
    with pytest.raises(ValueError, match=r"^CITEBOT_LLM_TIMEOUT must be greater than 0 \(got -2\)$"):
        LLMSettings.from_env()  # checked even when no model is set
    monkeypatch.delenv("CITEBOT_LLM_TIMEOUT")
    with pytest.raises(ValueError, match=r"^--llm-retries must be a whole number from 0 to 10 \(got 11\)$"):
        LLMSettings.from_env("m", retries=11)
    assert LLMSettings.from_env("m").max_tokens == 512
    monkeypatch.setenv("CITEBOT_LLM_MAX_TOKENS", "64")
    assert LLMSettings.from_env("m").max_tokens == 64 and LLMSettings.from_env("m", max_tokens=9).max_tokens == 9
    assert LLMSettings.from_env("m").chat_model().max_tokens == 64
    with pytest.raises(ValueError, match=r"^--llm-max-tokens must be a whole number of at least 1 \(got 0\)$"):
        LLMSettings.from_env("m", max_tokens=0)
