"""The core subcommands: index, ask, chat."""
from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import asdict

from qa.types import DEFAULT_ANSWERER

DEFAULT_INDEX_HELP = "index folder (default: $CITEBOT_INDEX_DIR or .citebot/index)"


def register(sub) -> None:
    from index.readers import supported

    p = sub.add_parser("index", help=f"index files or folders of documents ({supported()})")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or folders to add or update (others in the index are kept); none: refresh every "
                        "path the index was built from (new, changed and deleted files)")
    p.add_argument("--remove", action="append", default=[], metavar="PATH",
                   help="drop the documents under PATH from the index (repeatable)")
    p.add_argument("--index-dir", help=DEFAULT_INDEX_HELP)
    p.add_argument("--chunk-size", type=int, default=None, help="max characters per chunk (default 600)")
    p.add_argument("--overlap", type=int, default=None, help="sentences shared by neighbouring chunks (default 1)")
    p.add_argument("--store", choices=("faiss", "chroma"), default="faiss",
                   help="dense vector store (default faiss; chroma: local folder, or a server with --chroma-url)")
    p.add_argument("--chroma-url", metavar="URL", help="Chroma server, e.g. http://127.0.0.1:8000 (needs --store chroma)")
    p.add_argument("--json", action="store_true",
                   help="print the run's report as JSON: every document's format and kept share of its visible "
                        "text, skipped files with reasons, files of unsupported types by extension")
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
        q.add_argument("--llm-timeout", type=float, metavar="SECONDS",
                       help="seconds to wait for the LLM's whole answer (default: $CITEBOT_LLM_TIMEOUT or 30)")
        q.add_argument("--llm-retries", type=int, metavar="N",
                       help="retries after a failed LLM request (default: $CITEBOT_LLM_RETRIES or 1)")
        q.add_argument("--llm-max-tokens", type=int, metavar="N",
                       help="the longest LLM reply asked for (default: $CITEBOT_LLM_MAX_TOKENS or 512)")
        q.add_argument("--answerer", default=None,
                       help="guarded (the sentence score's answer, its first sentence chosen with the trained "
                            "highlighter, abstaining when the trained reader finds no answer likely), heuristic "
                            "(the sentence score alone) or reader (re-ranked by the reader); "
                            "default: $CITEBOT_ANSWERER or guarded")
        q.add_argument("--min-confidence", type=float, metavar="P",
                       help="reader, guarded: abstain below this probability, 0-1 (default: the calibrated threshold); "
                            "lower answers more questions, higher abstains more")
        q.add_argument("--no-highlight", action="store_true",
                       help="don't mark the answer's words (bold on a terminal; offsets in --json)")
        q.set_defaults(func=func)


def cmd_index(args) -> int:
    from index.build import DEFAULT_CHUNK_SIZE, DEFAULT_OVERLAP, IndexSettings, build_index
    from index.errors import SettingError, check_range
    from index.paths import resolve_index_dir

    for flag, value in (("--chunk-size", args.chunk_size), ("--overlap", args.overlap)):  # before any file is read
        if value is not None:
            check_range(flag, value, lo=1 if flag == "--chunk-size" else 0)
    if args.chroma_url and args.store != "chroma":
        raise SettingError(f"--chroma-url {args.chroma_url} needs --store chroma (got --store {args.store})")
    settings = IndexSettings(args.chunk_size or DEFAULT_CHUNK_SIZE,
                             DEFAULT_OVERLAP if args.overlap is None else args.overlap, args.store)
    index_dir = resolve_index_dir(args.index_dir)
    store_options = {"url": args.chroma_url} if args.chroma_url else {}
    with _embedding_progress() as progress:
        report = build_index(args.paths, index_dir, chunk_size=settings.chunk_size, overlap=settings.overlap,
                             store=settings.store, store_options=store_options, progress=progress,
                             remove=args.remove)
    for line in index_warnings(report):
        print(line, file=sys.stderr)
    if args.json:
        print(json.dumps(index_json(report, index_dir), indent=2, ensure_ascii=False))
    else:
        print("\n".join(index_summary(report, index_dir)))
    if report.embedded_texts:
        from index import get_embedder

        get_embedder().prepare_query_path()  # once per model and machine: the first `citebot ask` then skips torch
    return 0


def _embedding_progress():
    """A context giving build_index's progress callback: a bar on a terminal; elsewhere (a pipe, a log, CI) a plain
    line on stderr when embedding starts and at each further quarter, so a first run is never silent for a minute."""
    from contextlib import contextmanager, nullcontext

    if not sys.stderr.isatty():
        return nullcontext(_quarter_lines())

    @contextmanager
    def bar():
        from rich.progress import Progress

        with Progress(transient=True) as p:
            task = p.add_task("embedding", total=None)
            yield lambda stage, done, total: p.update(task, completed=done, total=total)

    return bar()


def _quarter_lines():
    shown = [-1.0]

    def report(stage: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        if share >= shown[0] + 0.25 or (done == total and shown[0] < 1.0):
            shown[0] = share
            line = (f"embedding {total:,} new sentences (the model loads first)" if done == 0
                    else f"embedded {done:,} of {total:,} new sentences")
            print(f"citebot index: {line}", file=sys.stderr, flush=True)

    return report


def index_warnings(report) -> list[str]:
    """Skipped files, files that kept less than 90% of their visible text, unsupported types, notices."""
    from collections import Counter

    from index.kept import kept_warnings, unsupported_line
    from index.readers import supported

    lines = [f"skipped {s.path}: {s.reason}" for s in report.skipped]
    lines += [f"kept less than 90%: {w}" for w in kept_warnings(report.documents_now, report.read)]
    others = unsupported_line(sum((p.unsupported for p in report.paths), Counter()), supported())
    return lines + ([others] if others else []) + [f"note: {n}" for n in report.notices]


def index_json(report, index_dir) -> dict:
    from collections import Counter

    from index.kept import kept_figures

    return {"index_dir": str(index_dir), "added": report.added, "changed": report.changed, "removed": report.removed,
            "unchanged": report.unchanged, "read": report.read, "documents": report.documents,
            "chunks": report.chunks, "written": report.written, "seconds": round(report.seconds, 3),
            "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
            "unsupported": dict(sum((p.unsupported for p in report.paths), Counter())),
            "files": [k.to_json() for k in kept_figures(report.documents_now)], "notices": report.notices}


def index_summary(report, index_dir) -> list[str]:
    """What an index run did: one line per path, and the total."""
    lines = []
    for p in report.paths:
        lines.append(f"{p.path}: {len(p.added)} added, {len(p.changed)} changed, {len(p.removed)} removed, "
                     f"{len(p.unchanged)} unchanged, {len(p.skipped)} skipped")
    kept = f", {report.kept} kept from other paths" if report.kept else ""
    what = (f"{report.embedded_texts} texts embedded, {report.reused_vectors} reused, {report.stored_vectors} "
            f"vectors stored" if report.written else "nothing changed, nothing written")
    lines.append(f"indexed into {index_dir}: {len(report.added)} added, {len(report.changed)} changed, "
                 f"{len(report.removed)} removed, {len(report.unchanged)} unchanged, {len(report.skipped)} skipped"
                 f"{kept}; {report.documents} documents, {report.chunks} chunks; {what}; {report.seconds:.1f}s")
    return lines


def _llm(args):
    from qa import LLMSettings

    return LLMSettings.from_env(args.llm_model, args.llm_base_url, args.llm_timeout, args.llm_retries,
                                args.llm_max_tokens)


RELATED = 3  # passages listed under an abstention as "related, not an answer"


def _render(answer, as_json: bool) -> str:
    from qa.types import OFF_TOPIC, in_quotes

    def dated(title: str, date: str | None) -> str:
        return f"{title} — {date}" if date else title

    related = answer.related(RELATED) if answer.abstained else []
    if as_json:
        return json.dumps({"question": answer.question, "text": answer.text, "abstained": answer.abstained,
                           "answerer": answer.answerer, "confidence": answer.confidence,
                           "low_confidence": answer.low_confidence, "notice": answer.notice,
                           "highlight": _highlight_json(answer),
                           "citations": [asdict(c) for c in answer.citations],
                           "closest": [asdict(c) for c in answer.closest], "off_topic": answer.off_topic,
                           "related": [{"doc_id": p.doc_id, "title": p.title, "date": p.date, "source": p.source}
                                       for p in related]}, ensure_ascii=False, indent=1)
    bold = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    lines = [_marked(answer.text, answer.highlight, bold)]
    if answer.notice:
        lines.insert(0, f"note: {answer.notice}")
    if answer.low_confidence:
        lines.append(f"(low confidence: {answer.confidence:.2f})")
    if answer.closest:
        lines.append(f"\n{answer.closest_heading} ({_confidence(answer)}):")
        for c in answer.closest:
            quote = _clipped(c.text)
            marked = _marked(quote, c.highlight if quote == c.text else None, bold)  # offsets hold when not cut
            lines.append(f"- {in_quotes(marked)}\n    {dated(c.title, c.date)} {_where(c)}")
    if answer.abstained and answer.off_topic:
        lines.append(f"\n{OFF_TOPIC}")
    if related:
        lines.append("\nRelated, not an answer:")
        for p in related:  # one line per document, named by its id (unique, unlike a bare file name)
            lines.append(f"- {dated(p.title, p.date)} ({p.doc_id})")
    if answer.citations:
        lines.append("\nSources:")
        for c in answer.citations:
            lines.append(f"[{c.n}] {dated(c.title, c.date)} {_where(c)}\n    {in_quotes(_clipped(c.text))}")
    return "\n".join(lines)


BOLD, PLAIN = "\033[1m", "\033[0m"
QUOTE_CHARS = 300  # a quote longer than this is cut in the terminal


def _clipped(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS - 3] + "…"


def _where(c) -> str:
    """Where a quote lies: its document id, section and page where the format has them, and character offsets
    in the file (in the index's stored text for PDF and DOCX)."""
    place = getattr(c, "where", "")
    return f"({c.doc_id}{', ' + place if place else ''}, characters {c.start}-{c.end})"


def _confidence(answer) -> str:
    return "confidence unknown" if answer.confidence is None else f"confidence {answer.confidence:.2f}"


def _marked(text: str, span: tuple[int, int] | None, bold: bool) -> str:
    """``text`` with the answer's words in bold (ANSI) when writing to a terminal."""
    if span is None or not bold:
        return text
    a, b = span
    return f"{text[:a]}{BOLD}{text[a:b]}{PLAIN}{text[b:]}"


def _highlight_json(answer) -> dict | None:
    """The answer's words and their offsets in the answer text (each citation carries its own, in its text)."""
    if answer.highlight is None:
        return None
    a, b = answer.highlight
    return {"start": a, "end": b, "text": answer.text[a:b]}


def _ask_options(args) -> dict:
    """ask()'s options from the flags; the numbers are checked here first, so an error names the flag."""
    from index.errors import check_range

    check_range("-k", args.k, lo=1)
    if args.min_confidence is not None:
        check_range("--min-confidence", args.min_confidence, lo=0.0, hi=1.0)
    answerer = args.answerer or os.environ.get("CITEBOT_ANSWERER") or DEFAULT_ANSWERER
    return {"index_dir": args.index_dir, "k": args.k, "mode": args.mode, "answerer": answerer,
            "min_confidence": args.min_confidence, "highlight": not args.no_highlight}


def cmd_ask(args) -> int:
    print(_render(_answer(args.question, _llm(args), "raise", _ask_options(args), live=not args.json), args.json))
    return 0


def _answer(question: str, llm, on_llm_error: str, options: dict, live: bool = True):
    """The Answer; on a terminal, an LLM's words are shown as they arrive and then give way to the checked answer
    (its sentences with their sources), which is what is printed after."""
    from qa import Answer, ask, stream

    if llm is None or not live or not sys.stdout.isatty():
        return ask(question, llm=llm, on_llm_error=on_llm_error, **options)
    shown = ""
    try:
        for piece in stream(question, llm=llm, on_llm_error=on_llm_error, **options):
            if isinstance(piece, Answer):
                return piece
            sys.stdout.write(piece)
            sys.stdout.flush()
            shown += piece
    finally:
        _erase(shown)
    raise AssertionError("stream() ends with an Answer")


def _erase(shown: str) -> None:
    """Take ``shown`` (written from the start of a line) off the terminal: back to its first row, clear below."""
    if not shown:
        return
    width = max(shutil.get_terminal_size().columns, 1)
    rows = sum(max(1, -(-len(line) // width)) for line in shown.split("\n"))
    sys.stdout.write(("\r" if rows == 1 else f"\033[{rows - 1}F") + "\033[J")
    sys.stdout.flush()


def cmd_chat(args) -> int:
    from .chat import chat

    from index import open_index
    from qa.api import check_options, resolve_index_dir

    llm, options = _llm(args), _ask_options(args)  # a bad --llm-* value fails here, before the first prompt
    check_options(options["k"], options["mode"], options["answerer"], options["min_confidence"])  # ... and these
    open_index(resolve_index_dir(options["index_dir"]))  # ... and a missing index
    # An LLM failure is a notice on the extractive answer, so the session goes on.
    return chat(lambda question: _render(_answer(question, llm, "fallback", options), False))
