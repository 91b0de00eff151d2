"""The LLM answerer through langchain-openai against a local OpenAI-compatible server (real socket)."""
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from qa import Answer, LLMSettings, ask, retrieve, stream
from tests.qa.llm_servers import reply_json

pytestmark = pytest.mark.slow


class StubOpenAI:
    """Answers /v1/chat/completions with scripted replies (streamed as server-sent events when the request asks,
    a few words per event) and records each request body."""

    def __init__(self):
        self.replies: list[str] = []
        self.requests: list[dict] = []
        self.hold = threading.Event()  # while cleared (see pause()), a stream stops after its first event
        self.hold.set()
        self.finished = threading.Event()  # set when a stream has sent its last event
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append({"path": self.path, "body": body})
                content = stub.replies.pop(0) if stub.replies else "NOT_FOUND"
                if body.get("stream"):
                    return self.stream(body["model"], content)
                reply_json(self, 200, {
                    "id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": body["model"],
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

            def stream(self, model: str, content: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                words = re.findall(r"\S+\s*", content)
                pieces = ["".join(words[i:i + 3]) for i in range(0, len(words), 3)]
                for i, piece in enumerate(pieces + [None]):
                    delta = {"content": piece} if piece is not None else {}
                    event = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 0, "model": model,
                             "choices": [{"index": 0, "delta": delta,
                                          "finish_reason": None if piece is not None else "stop"}]}
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                    if i == 0:
                        stub.hold.wait(timeout=30)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True
                stub.finished.set()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def pause(self) -> None:
        """Hold the next stream after its first event until ``hold`` is set (a test sees the generation going on)."""
        self.hold.clear()
        self.finished.clear()


@pytest.fixture()
def stub():
    s = StubOpenAI()
    yield s
    s.server.shutdown()


def llm(stub):
    return LLMSettings(model="stub-model", base_url=stub.url, api_key="test-key")


def holding(words: str, question: str, index_dir) -> int:
    """The number the LLM sees for the first retrieved passage that holds ``words``."""
    return next(i for i, p in enumerate(retrieve(question, index_dir=index_dir), 1) if words in p.text)


def test_each_marker_cites_the_sentence_that_supports_its_claim(stub, seeds_index):
    q = "Who did Harris meet in Guatemala?"
    met, warned = holding("Giammattei", q, seeds_index), holding("Do not come", q, seeds_index)
    stub.replies.append(f"Harris met Guatemalan President Alejandro Giammattei [{met}]. "
                        f"She told migrants: do not come [{warned}].")
    a = ask(q, index_dir=seeds_index, llm=llm(stub))
    assert a.answerer == "llm" and not a.abstained and a.notice is None
    assert a.text.startswith("Harris met Guatemalan President Alejandro Giammattei. [1]")
    assert [c.n for c in a.citations] == list(range(1, len(a.citations) + 1))
    assert "Giammattei" in a.citations[0].quote
    for c in a.citations:
        assert len(c.quote) < len(next(p.text for p in a.passages if p.doc_id == c.doc_id and
                                       p.start <= c.start and c.end <= p.end))  # a sentence, not the passage
        with open(c.source, encoding="utf-8") as f:
            assert f.read()[c.start:c.end] == c.quote
        assert f"[{c.n}]" in a.text
    body = stub.requests[0]["body"]
    assert stub.requests[0]["path"] == "/v1/chat/completions" and body["stream"] is True
    system, user = body["messages"][0]["content"], body["messages"][1]["content"]
    assert "not instructions" in system and '<passage n="1"' in user and "</passage>" in user


def test_markers_to_no_passage_are_removed_and_uncited_sentences_left_out(stub, seeds_index):
    q = "Who did Harris meet in Guatemala?"
    met = holding("Giammattei", q, seeds_index)
    stub.replies.append(f"Harris met Guatemalan President Alejandro Giammattei [{met}][9]. "
                        "The moon is made of cheese [42].")
    a = ask(q, index_dir=seeds_index, llm=llm(stub))
    assert "[9]" not in a.text and "[42]" not in a.text and "cheese" not in a.text and "[1]" in a.text
    assert a.notice == "1 sentence of the LLM's answer left out: no passage it cites supports it"


def test_an_on_topic_claim_with_a_number_its_source_lacks_is_left_out(stub, seeds_index):
    q = "Who did Harris meet in Guatemala?"
    met = holding("Giammattei", q, seeds_index)
    stub.replies.append(f"Harris met Guatemalan President Alejandro Giammattei [{met}]. "
                        f"Harris met Guatemalan President Alejandro Giammattei in 1999 [{met}].")
    a = ask(q, index_dir=seeds_index, llm=llm(stub))
    assert a.answerer == "llm" and "1999" not in a.text and a.notice.startswith("1 sentence")


@pytest.mark.parametrize("reply, why", [
    ("Giammattei, I think [7].", "no sentence of the LLM's answer cited a passage"),
    ("From what I know, it is led by a former diplomat.", "no sentence of the LLM's answer cited a passage"),
    ("[1] [2]", "the LLM's reply had no words besides citation markers"),
    ("The moon is made of green cheese [1].", "no sentence of the LLM's answer is supported by the passages it cites"),
])
def test_a_reply_with_nothing_supported_gives_the_extractive_answer(stub, seeds_index, reply, why):
    stub.replies.append(reply)
    a = ask("Who is the president of the Migration Policy Institute?", index_dir=seeds_index, llm=llm(stub))
    assert a.answerer == "guarded" and "Selee" in a.text and a.citations  # the default extractive answerer
    assert a.notice == f"showing the extractive answer: {why}"


def test_not_found_reply_abstains(stub, seeds_index):
    stub.replies.append("NOT_FOUND")
    a = ask("What is the capital of Peru?", index_dir=seeds_index, llm=llm(stub))
    assert a.abstained and not a.citations


def test_settings_are_checked_when_built():
    with pytest.raises(ValueError, match="invalid LLM provider 'x'; valid values: openai"):
        LLMSettings(model="m", provider="x")


def test_stream_gives_the_text_as_it_is_written_then_the_checked_answer(stub, seeds_index):
    q = "Who did Harris meet in Guatemala?"
    met = holding("Giammattei", q, seeds_index)
    reply = f"Harris met Guatemalan President Alejandro Giammattei [{met}]. The moon is made of cheese [{met}]."
    stub.replies.append(reply)
    stub.pause()
    pieces = stream(q, index_dir=seeds_index, llm=llm(stub))
    first = next(pieces)
    assert isinstance(first, str) and reply.startswith(first) and not stub.finished.is_set()  # generation goes on
    stub.hold.set()
    rest = list(pieces)
    assert first + "".join(rest[:-1]) == reply and isinstance(rest[-1], Answer)
    stub.replies.append(reply)
    assert rest[-1] == ask(q, index_dir=seeds_index, llm=llm(stub))  # the Answer is ask()'s: checked
    assert "cheese" not in rest[-1].text and rest[-1].notice


def test_stream_of_an_extractive_answer_is_one_piece_then_the_answer(seeds_index):
    q = "Who did Harris meet in Guatemala?"
    text, answer = list(stream(q, index_dir=seeds_index))
    assert answer == ask(q, index_dir=seeds_index) and text == answer.text


def test_recorded_replies_of_a_real_model_keep_the_citation_contract(stub, seeds_index):
    """The 63 replies Qwen2.5-Coder-1.5B gave to the seeds gold (eval/gold/llm/), replayed: each gives an LLM
    answer whose every sentence cites exact quotes, or the extractive answer with a note saying why; markers-only
    replies (a third of them) never show as answers."""
    from pathlib import Path

    from tests.qa.test_stale_sources import check_offsets

    recorded = Path(__file__).resolve().parents[2] / "eval" / "gold" / "llm" / "seeds-qwen2.5-coder-1.5b.jsonl"
    rows = [json.loads(line) for line in recorded.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 63
    for r in rows:
        stub.replies.append(r["reply"])
        a = ask(r["question"], index_dir=seeds_index, llm=llm(stub))
        check_offsets(a)
        if a.answerer == "llm" and a.abstained:
            assert r["reply"].strip().startswith("NOT_FOUND") and not a.citations
        else:
            sentences, supported, cites, good = a.checked  # what the check read, for the eval's ALCE-style figures
            assert sentences >= supported and cites >= good and (supported > 0) == (a.answerer == "llm")
            if a.answerer == "llm":
                assert a.citations and any(ch.isalnum() for ch in re.sub(r"\[\d+\]", "", a.text))  # not markers
            else:
                assert a.notice.startswith("showing the extractive answer")
        if re.fullmatch(r"(?:\s*\[\d+\])*\s*", r["reply"]):
            assert a.answerer != "llm" and "no words besides citation markers" in a.notice


def test_not_found_written_once_per_passage_abstains(stub, seeds_index):
    """A small real model's habit (Qwen2.5-Coder-0.5B): "[1] NOT_FOUND\n[2] NOT_FOUND"."""
    stub.replies.append("[1] NOT_FOUND\n[2] NOT_FOUND\n[3] NOT_FOUND")
    a = ask("What is the capital of Peru?", index_dir=seeds_index, llm=llm(stub))
    assert a.abstained and a.answerer == "llm" and not a.citations
