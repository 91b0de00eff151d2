"""The core subcommands: index, ask, chat."""
from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict

DEFAULT_INDEX_HELP = "index folder (default: $CITEBOT_INDEX_DIR or .citebot/index)"


def register(sub) -> None:
    p = sub.add_parser("index", help="index files or folders of .txt/.md/.html articles")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--index-dir", help=DEFAULT_INDEX_HELP)
    p.add_argument("--chunk-size", type=int, default=None, help="max characters per chunk (default 600)")
    p.add_argument("--overlap", type=int, default=None, help="sentences shared by neighbouring chunks (default 1)")
    p.add_argument("--store", choices=("faiss", "chroma"), default="faiss",
                   help="dense vector store (default faiss; chroma: local folder, or a server with --chroma-url)")
    p.add_argument("--chroma-url", metavar="URL", help="Chroma server, e.g. http://127.0.0.1:8000 (needs --store chroma)")
    p.set_defaults(func=cmd_index)

    for name, func, hlp in (("ask", cmd_ask, "answer one question"), ("chat", cmd_chat, "ask interactively")):
        q = sub.add_parser(name, help=hlp)
        if name == "ask":
            q.add_argument("question")
            q.add_argument("--json", action="store_true", help="print the answer as JSON")
        q.add_argument("--index-dir", help=DEFAULT_INDEX_HELP)
        q.add_argument("-k", type=int, default=5, help="passages to retrieve (default 5)")
        q.add_argument("--mode", default="hybrid", help="hybrid, dense or lexical retrieval")
        q.add_argument("--llm-model", help="chat model name (or CITEBOT_LLM_MODEL); default: extractive answers")
        q.add_argument("--llm-base-url", help="OpenAI-compatible base URL (or CITEBOT_LLM_BASE_URL)")
        q.add_argument("--answerer", default=None,
                       help="heuristic (the sentence score) or reader (re-ranked by the trained reader model, with "
                            "a calibrated confidence); default: $CITEBOT_ANSWERER or heuristic")
        q.add_argument("--min-confidence", type=float, metavar="P",
                       help="reader: abstain below this probability, 0-1 (default: the calibrated threshold); "
                            "lower answers more questions, higher abstains more")
        q.set_defaults(func=func)

    t = sub.add_parser("train-reader", help="train the reader model (CPU, seeded; see qa/reader/model/README.md)")
    t.add_argument("--train", nargs="+", metavar="SQUAD.json", help="SQuAD 2.0 training files (default: "
                   "../shared/data/squad-v2.0-train-sample.json)")
    t.add_argument("--dev", metavar="SQUAD.json", help="SQuAD 2.0 file split by article: half trains, half "
                   "fits the calibrator (default: ../shared/data/squad-v2.0-dev-public.json)")
    t.add_argument("--out", default="build/reader/model",
                   help="where the model, calibrator and card go (default build/reader/model; the shipped one: "
                        "qa/reader/model)")
    t.add_argument("--work", default="build/reader", help="training folder: the float32 checkpoint, summary")
    t.add_argument("--fit-limit", type=int, help="fit the calibrator on N questions per held-out article (smoke)")
    t.add_argument("--max-quantisation-loss", type=float, default=0.01,
                   help="refuse int8 when it loses more held-out AUC or top-1 than this (default 0.01)")
    t.add_argument("--epochs", type=float, default=None, help="passes over the pairs (default 1.5)")
    t.add_argument("--seed", type=int, default=13)
    t.add_argument("--max-steps", type=int, default=-1, help="stop after N steps (smoke tests)")
    t.add_argument("--max-pairs", type=int, default=None, help="use only N pairs (smoke tests)")
    t.add_argument("--device", default="cpu", help="cpu (default, reproducible) or cuda")
    t.set_defaults(func=cmd_train_reader)


def cmd_index(args) -> int:
    from rich.progress import Progress

    from index import DEFAULT_CHUNK_SIZE, DEFAULT_OVERLAP, build_index, get_embedder
    from qa import resolve_index_dir

    index_dir = resolve_index_dir(args.index_dir)
    if args.chroma_url and args.store != "chroma":
        from index.errors import SettingError

        raise SettingError(f"--chroma-url {args.chroma_url} needs --store chroma (got --store {args.store})")
    store_options = {"url": args.chroma_url} if args.chroma_url else {}
    embedder = get_embedder()
    with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("embedding", total=None)
        report = build_index(args.paths, index_dir, embedder,
                             chunk_size=args.chunk_size or DEFAULT_CHUNK_SIZE,
                             overlap=DEFAULT_OVERLAP if args.overlap is None else args.overlap,
                             store=args.store, store_options=store_options,
                             progress=lambda stage, done, total: bar.update(task, completed=done, total=total))
    for s in report.skipped:
        print(f"skipped {s.path}: {s.reason}", file=sys.stderr)
    print(f"indexed into {index_dir}: {len(report.added)} added, {len(report.changed)} changed, "
          f"{len(report.removed)} removed, {len(report.unchanged)} unchanged, {len(report.skipped)} skipped; "
          f"{report.chunks} chunks, {report.embedded_texts} texts embedded, {report.reused_vectors} reused, "
          f"{report.stored_vectors} vectors stored, {report.seconds:.1f}s")
    embedder.prepare_query_path()  # once per model and machine: the first `citebot ask` then skips torch
    return 0


def _llm(args):
    from qa import LLMSettings

    return LLMSettings.from_env(args.llm_model, args.llm_base_url)


RELATED = 3  # passages listed under an abstention as "related, not an answer"


def _render(answer, as_json: bool) -> str:
    if as_json:
        return json.dumps({"question": answer.question, "text": answer.text, "abstained": answer.abstained,
                           "answerer": answer.answerer, "confidence": answer.confidence,
                           "low_confidence": answer.low_confidence, "notice": answer.notice,
                           "citations": [asdict(c) for c in answer.citations]}, ensure_ascii=False, indent=1)
    lines = [answer.text]
    if answer.notice:
        lines.insert(0, f"note: {answer.notice}")
    if answer.low_confidence:
        lines.append(f"(low confidence: {answer.confidence:.2f})")
    if answer.abstained and answer.passages:
        lines.append("\nRelated, not an answer:")
        for p in answer.passages[:RELATED]:
            lines.append(f"- {p.title} ({os.path.basename(p.source)})")
    if answer.citations:
        lines.append("\nSources:")
        for c in answer.citations:
            quote = c.quote if len(c.quote) <= 300 else c.quote[:297] + "…"
            lines.append(f"[{c.n}] {c.title} ({os.path.basename(c.source)}:{c.start}-{c.end})\n    “{quote}”")
    return "\n".join(lines)


def _ask_options(args) -> dict:
    answerer = args.answerer or os.environ.get("CITEBOT_ANSWERER") or "heuristic"
    return {"index_dir": args.index_dir, "k": args.k, "mode": args.mode, "answerer": answerer,
            "min_confidence": args.min_confidence}


def cmd_ask(args) -> int:
    from qa import ask

    print(_render(ask(args.question, llm=_llm(args), **_ask_options(args)), args.json))
    return 0


def cmd_train_reader(args) -> int:
    from qa.reader.pipeline import train_reader

    print(train_reader(args.train, args.dev, args.out, args.work, epochs=args.epochs, seed=args.seed,
                       max_steps=args.max_steps, max_pairs=args.max_pairs, device=args.device,
                       fit_limit=args.fit_limit, max_quantisation_loss=args.max_quantisation_loss))
    return 0


def cmd_chat(args) -> int:
    from index.errors import CitebotError
    from qa import ask

    llm = _llm(args)
    print("citebot chat: ask a question, empty line or Ctrl-D to quit.")
    while True:
        try:
            question = input("? ")
        except EOFError:
            return 0
        if not question.strip():
            return 0
        try:
            print(_render(ask(question, llm=llm, **_ask_options(args)), False))
        except CitebotError as e:
            print(f"error: {e}")
