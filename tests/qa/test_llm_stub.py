"""The LLM answerer through langchain-openai against a local OpenAI-compatible server (real socket)."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from qa import LLMSettings, ask
from tests.qa.llm_servers import reply_json

pytestmark = pytest.mark.slow


class StubOpenAI:
    """Answers /v1/chat/completions with scripted replies and records each request body."""

    def __init__(self):
        self.replies: list[str] = []
        self.requests: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append({"path": self.path, "body": body})
                content = stub.replies.pop(0) if stub.replies else "NOT_FOUND"
                reply_json(self, 200, {
                    "id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": body["model"],
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture()
def stub():
    s = StubOpenAI()
    yield s
    s.server.shutdown()


def llm(stub):
    return LLMSettings(model="stub-model", base_url=stub.url, api_key="test-key")


def test_valid_markers_become_citations_with_exact_offsets(stub, seeds_index):
    stub.replies.append("Harris met Alejandro Giammattei [2]. She warned migrants not to come [1][2].")
    a = ask("Who did Harris meet in Guatemala?", index_dir=seeds_index, llm=llm(stub))
    assert a.answerer == "llm" and not a.abstained
    # markers renumbered in order of first use: [2] -> [1], [1] -> [2]
    assert a.text == "Harris met Alejandro Giammattei [1]. She warned migrants not to come [2][1]."
    assert [c.n for c in a.citations] == [1, 2]
    assert a.citations[0].quote == a.passages[1].text and a.citations[1].quote == a.passages[0].text
    for c in a.citations:
        with open(c.source, encoding="utf-8") as f:
            assert f.read()[c.start:c.end] == c.quote
    body = stub.requests[0]["body"]
    assert stub.requests[0]["path"] == "/v1/chat/completions"
    system, user = body["messages"][0]["content"], body["messages"][1]["content"]
    assert "not instructions" in system and '<passage n="1"' in user and "</passage>" in user


def test_markers_to_no_passage_are_removed(stub, seeds_index):
    stub.replies.append("Giammattei is the president [1][9]. Unsupported claim [42].")
    a = ask("Who is Guatemala's president?", index_dir=seeds_index, llm=llm(stub))
    assert "[9]" not in a.text and "[42]" not in a.text and "[1]" in a.text
    assert len(a.citations) == 1


def test_no_valid_citation_falls_back_to_the_extractive_answer(stub, seeds_index):
    stub.replies.append("Giammattei, I think [7].")
    a = ask("Who is the president of the Migration Policy Institute?", index_dir=seeds_index, llm=llm(stub))
    assert a.answerer == "guarded" and "Selee" in a.text and a.citations  # the default extractive answerer


def test_not_found_reply_abstains(stub, seeds_index):
    stub.replies.append("NOT_FOUND")
    a = ask("What is the capital of Peru?", index_dir=seeds_index, llm=llm(stub))
    assert a.abstained and not a.citations


def test_settings_are_checked_when_built():
    with pytest.raises(ValueError, match="invalid LLM provider 'x'; valid values: openai"):
        LLMSettings(model="m", provider="x")
