"""Record what an LLM answers through citebot, claim by claim: the material for judging the support check.

    .venv/bin/python benchmarks/llm_answers.py (--base-url URL --model M | --serve qwen2.5-coder-1.5b)
        [--gold eval/gold/seeds.jsonl] [--docs seeds] [--limit N] [--timeout 300] --out llm-answers.jsonl

``--serve NAME`` starts the test suite's llama.cpp server with that model (tests/llama_server.py) for the run.

For each gold question: the model's raw reply (streamed through ``qa.stream``, timed: first piece and whole
reply), the claims read from it (``qa.claims``) with the text of every passage each cites, the support check's
score of the best sentence of each cited passage, and the checked answer citebot gives. A small local model on
two CPU cores takes seconds per question: not part of the test run. ``benchmarks/support_check.py`` compares the
scores with hand judgements of the same claims.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base-url")
    ap.add_argument("--model")
    ap.add_argument("--serve", metavar="NAME", help="start tests/llama_server.py's server with this model")
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--gold", default=str(ROOT / "eval" / "gold" / "seeds.jsonl"))
    ap.add_argument("--docs", default=str(ROOT / "seeds"))
    ap.add_argument("--limit", type=int)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.serve:
        from tests.llama_server import llama_server

        with llama_server(args.serve) as server:
            return record(args, server.url, server.model)
    if not (args.base_url and args.model):
        ap.error("give --base-url and --model, or --serve NAME")
    return record(args, args.base_url, args.model)


def record(args, base_url: str, model: str) -> int:
    from eval.gold import load_gold, spread
    from index import build_index, get_embedder, open_index
    from qa import Answer, LLMSettings, stream
    from qa.claims import claims
    from qa.support import SentenceSupport

    items = spread(load_gold(Path(args.gold)), args.limit)
    llm = LLMSettings(model=model, base_url=base_url, timeout=args.timeout, retries=0, max_tokens=args.max_tokens)
    with tempfile.TemporaryDirectory() as tmp, open(args.out, "w", encoding="utf-8") as out:
        build_index([args.docs], Path(tmp) / "ix", get_embedder())
        support = SentenceSupport(open_index(Path(tmp) / "ix"))
        for i, item in enumerate(items, 1):
            t0, first, pieces, answer = time.perf_counter(), None, [], None
            for piece in stream(item.question, index_dir=Path(tmp) / "ix", llm=llm, on_llm_error="fallback"):
                if isinstance(piece, Answer):
                    answer = piece
                else:
                    first = first or time.perf_counter() - t0
                    pieces.append(piece)
            reply, passages = "".join(pieces), answer.passages
            said = []
            for c in claims(reply, len(passages)):
                cited = []
                for n in c.cites:
                    best = support.best(c.text, passages[n - 1])
                    cited.append({"n": n, "doc_id": passages[n - 1].doc_id, "passage": passages[n - 1].text,
                                  "best_sentence": None if best is None else
                                  passages[n - 1].text[best.start - passages[n - 1].start:
                                                       best.end - passages[n - 1].start],
                                  "score": None if best is None else round(best.score, 4)})
                said.append({"claim": c.text, "cites": cited})
            out.write(json.dumps({"id": item.id, "question": item.question, "kind": item.kind,
                                  "gold": list(item.answers), "reply": reply, "claims": said,
                                  "answer": answer.text, "answerer": answer.answerer, "abstained": answer.abstained,
                                  "notice": answer.notice, "first_piece_s": None if first is None else round(first, 2),
                                  "seconds": round(time.perf_counter() - t0, 2)}, ensure_ascii=False) + "\n")
            out.flush()
            print(f"{i}/{len(items)} {item.id} {time.perf_counter() - t0:.1f}s claims={len(said)} "
                  f"answerer={answer.answerer}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
