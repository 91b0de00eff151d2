"""Chroma against FAISS: warm dense search, retrieval and ask latency, and re-indexing, on the seeds and SQuAD.

    .venv/bin/python benchmarks/chroma_bench.py [--corpus seeds squad] [--max-questions 1000] [--out FILE]

Per corpus, three indexes of the same chunks and vectors: FAISS (the default store), Chroma local persistent
(``--store chroma``) and a Chroma server over HTTP on loopback, which this script starts with ``chroma run`` and
stops. The texts are embedded once: each Chroma index starts from a copy of the FAISS index folder, so
``build_index`` reuses every vector and only writes the store (that time is reported as the first build).
Timings are interleaved, question by question, the order of the stores rotating:
- ask with the model call: ``qa.ask`` with the query-vector cache cleared first;
- dense search: ``store.search`` of the cached query vector for 50 candidates (the hybrid retrieval's depth);
- retrieve: ``qa.retrieve`` (dense + BM25 + fusion) and ask: ``qa.ask``, both with the query vector cached.
Answers are compared with FAISS's (text and citations). Re-indexing: the unchanged corpus (median of 3) and one
file with two sentences appended (texts embedded, vectors written to the store).
``--store-scale N`` also times the Chroma store alone on N synthetic 384-d vectors: writing them all into a new
collection (what every re-index cost before it became incremental) against carrying the collection over to a
generation in which 10 rows changed (upserts, and for the server the deletes after the swap).
Not part of the test run.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import (CORPORA, ROOT, SQUAD, WARMUP_QUESTION, BenchSettings, _pct, _timed, seeds_corpus,
                   squad_corpus)

STORES = ("faiss", "chroma-local", "chroma-server")
DEPTH = 50  # dense candidates per question, as qa.HybridSearch takes them


OUT = ROOT / "out" / "chroma-bench.json"
USED_SETTINGS = ("corpora", "max_questions", "reindex_runs", "squad", "out")  # of bench.BenchSettings


def _store_args(name: str, url: str) -> dict:
    return {"faiss": {}, "chroma-local": {"store": "chroma"},
            "chroma-server": {"store": "chroma", "store_options": {"url": url}}}[name]


def build_all(corpus, embedder, work: Path, url: str) -> tuple[dict[str, Path], dict[str, dict]]:
    from index import build_index

    dirs = {name: work / f"{corpus.name}-{name}" for name in STORES}
    out = {}
    t, r = _timed(build_index, [corpus.folder], dirs["faiss"], embedder)
    out["faiss"] = {"first_build_s": t, "chunks": r.chunks, "first_build_embedded": r.embedded_texts}
    for name in STORES[1:]:
        shutil.copytree(dirs["faiss"], dirs[name])
        t, r = _timed(build_index, [corpus.folder], dirs[name], embedder, **_store_args(name, url))
        out[name] = {"first_build_s": t, "chunks": r.chunks, "first_build_embedded": r.embedded_texts}
    return dirs, out


def reindex(corpus, embedder, dirs: dict[str, Path], url: str, runs: int) -> dict[str, dict]:
    from index import build_index

    def again(name: str):
        return _timed(build_index, [corpus.folder], dirs[name], embedder, **_store_args(name, url))

    out = {name: {"reindex_unchanged_s": statistics.median(again(name)[0] for _ in range(runs))} for name in STORES}
    victim = sorted(corpus.folder.iterdir())[1]
    original = victim.read_bytes()
    victim.write_text(original.decode("utf-8") + "\n\nThis paragraph was added by the benchmark to change one "
                      "file. It holds two sentences.\n", encoding="utf-8")
    try:
        for name in STORES:
            t, r = again(name)
            out[name].update(reindex_changed_s=t, reindex_changed_embedded=r.embedded_texts,
                             reindex_changed_stored=r.stored_vectors)
    finally:
        victim.write_bytes(original)
    for name in STORES:
        again(name)  # back to the original corpus for the latency runs
    return out


def _answer_key(a) -> tuple:
    return a.text, tuple((c.doc_id, c.start, c.end, round(c.score, 4)) for c in a.citations)


def latency(corpus, embedder, dirs: dict[str, Path], max_questions: int) -> dict[str, dict]:
    from index import open_index
    from qa import ask, retrieve

    for d in dirs.values():
        ask(WARMUP_QUESTION, index_dir=d)  # loads each index and builds its chain
    questions = [q for q in corpus.questions if q != WARMUP_QUESTION][:max_questions]
    times = {name: {"ask_model": [], "dense": [], "retrieve": [], "ask": []} for name in STORES}
    differ = {name: 0 for name in STORES}
    for i, q in enumerate(questions):
        order = STORES[i % 3:] + STORES[:i % 3]
        answers = {}
        for name in order:
            embedder.clear_query_cache()
            t, answers[name] = _timed(ask, q, index_dir=dirs[name])
            times[name]["ask_model"].append(t * 1000)
        vec = embedder.embed_query(q)[None, :]
        for name in order:
            store = open_index(dirs[name]).store
            times[name]["dense"].append(_timed(store.search, vec, DEPTH)[0] * 1000)
            times[name]["retrieve"].append(_timed(retrieve, q, index_dir=dirs[name])[0] * 1000)
            times[name]["ask"].append(_timed(ask, q, index_dir=dirs[name])[0] * 1000)
            differ[name] += _answer_key(answers[name]) != _answer_key(answers["faiss"])
    out = {}
    for name in STORES:
        out[name] = {"questions": len(questions), "answers_differing_from_faiss": differ[name]}
        for key, values in times[name].items():
            out[name].update({f"{key}_p50_ms": _pct(values, 50), f"{key}_p95_ms": _pct(values, 95)})
    return out


def store_writes(n: int, url: str, work: Path, changed: int = 10) -> dict[str, dict]:
    """Seconds to write n vectors into a new collection, and to carry it over with ``changed`` rows replaced."""
    import numpy as np

    from index.store import build_store, drop_store

    x = np.random.default_rng(0).standard_normal((n + changed, 384)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ids = [f"row{i}" for i in range(n + changed)]
    before, after = slice(0, n), slice(changed, n + changed)  # the first rows leave, new ones arrive
    out = {}
    for name, opts in (("chroma-local", {}), ("chroma-server", {"url": url})):
        a, b = work / f"scale-{name}-a", work / f"scale-{name}-b"
        a.mkdir(), b.mkdir()
        full = _timed(build_store("chroma", x[before], ids=ids[before], **opts).save, a)[0]
        t = time.perf_counter()
        build_store("chroma", x[after], ids=ids[after], **opts).save(b, previous=a)
        drop_store(a, keep=b)  # the builder's clean-up after the swap
        out[name] = {"vectors": n, "changed_rows": changed, "full_write_s": full,
                     "changed_write_s": time.perf_counter() - t}
    return out


ROWS = [  # (key, label, format)
    ("dense_p50_ms", "dense search p50, ms (50 candidates)", "{:.2f}"),
    ("dense_p95_ms", "dense search p95, ms", "{:.2f}"),
    ("retrieve_p50_ms", "retrieve p50, ms (hybrid, query vector cached)", "{:.1f}"),
    ("retrieve_p95_ms", "retrieve p95, ms", "{:.1f}"),
    ("ask_p50_ms", "ask p50, ms (query vector cached)", "{:.1f}"),
    ("ask_p95_ms", "ask p95, ms", "{:.1f}"),
    ("ask_model_p50_ms", "ask p50 with the model call, ms", "{:.1f}"),
    ("ask_model_p95_ms", "ask p95 with the model call, ms", "{:.1f}"),
    ("answers_differing_from_faiss", "answers differing from FAISS", "{:,}"),
    ("first_build_s", "first build of the store (nothing embedded for Chroma), s", "{:.2f}"),
    ("reindex_unchanged_s", "re-index unchanged, s", "{:.3f}"),
    ("reindex_changed_s", "re-index, one file changed, s", "{:.3f}"),
    ("reindex_changed_embedded", "  texts embedded for it", "{:,}"),
    ("reindex_changed_stored", "  vectors written to the store", "{:,}"),
]


def markdown(results: list[dict], env: dict, writes: dict) -> str:
    load = ", ".join(f"{x:.1f}" for x in env["load_average_at_start"])
    end = ", ".join(f"{x:.1f}" for x in env["load_average_at_end"])
    head = (f"Measured {env['date']}: {env['cpus']} CPUs, chromadb {env['chromadb']}, faiss {env['faiss']}, "
            f"load average at start {load}, at end {end}.")
    lines = [head]
    for r in results:
        s = r["stores"]
        lines += ["", f"**{r['corpus']}**: {s['faiss']['chunks']:,} chunks, {s['faiss']['questions']:,} questions",
                  "", "| measure | " + " | ".join(STORES) + " |", "| --- |" + " ---: |" * len(STORES)]
        lines += [f"| {label.strip()} | " + " | ".join(fmt.format(s[n][key]) for n in STORES) + " |"
                  for key, label, fmt in ROWS]
    lines += [""] if writes else []
    lines += [f"- {name}, {w['vectors']:,} synthetic vectors: new collection {w['full_write_s']:.1f} s; carried over "
              f"with {w['changed_rows']} rows changed {w['changed_write_s']:.2f} s" for name, w in writes.items()]
    return "\n".join(lines) + "\n"


def run(s: BenchSettings, store_scale: int = 0, say=print) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as the CLI (see bench.py)
    import chromadb
    import faiss

    from index import get_embedder
    from tests.chroma_server import chroma_server

    load_start = os.getloadavg()
    embedder = get_embedder()
    results, writes = [], {}
    with tempfile.TemporaryDirectory(prefix="citebot-chroma-bench-") as tmp:
        work = Path(tmp)
        with chroma_server(work / "chroma-db") as url:
            say(f"chroma server at {url}")
            for name in s.corpora:
                corpus = seeds_corpus(work) if name == "seeds" else squad_corpus(work, s.squad)
                say(f"[{name}] building FAISS, Chroma local and Chroma server indexes")
                dirs, stores = build_all(corpus, embedder, work, url)
                say(f"[{name}] re-indexing")
                for store, r in reindex(corpus, embedder, dirs, url, s.reindex_runs).items():
                    stores[store].update(r)
                say(f"[{name}] latency over {min(s.max_questions, len(corpus.questions))} questions")
                for store, r in latency(corpus, embedder, dirs, s.max_questions).items():
                    stores[store].update(r)
                results.append({"corpus": name, "stores": stores})
            if store_scale:
                say(f"store writes at {store_scale:,} synthetic vectors")
                writes = store_writes(store_scale, url, work)
    env = {"cpus": os.cpu_count(), "load_average_at_start": load_start, "load_average_at_end": os.getloadavg(),
           "chromadb": chromadb.__version__, "faiss": faiss.__version__, "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    used = {k: getattr(s, k) for k in USED_SETTINGS}
    report = {"settings": {k: str(v) if isinstance(v, Path) else v for k, v in used.items()},
              "environment": env, "results": results, "store_writes": writes}
    s.out.parent.mkdir(parents=True, exist_ok=True)
    s.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    s.out.with_suffix(".md").write_text(markdown(results, env, writes), encoding="utf-8")
    say(markdown(results, env, writes))
    say(f"wrote {s.out} and {s.out.with_suffix('.md')}")
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", nargs="+", default=list(CORPORA), metavar="NAME",
                   help=f"corpora to run (default: {' '.join(CORPORA)})")
    p.add_argument("--max-questions", type=int, default=BenchSettings.max_questions,
                   help="distinct questions timed per corpus (default 1000)")
    p.add_argument("--squad", type=Path, default=SQUAD, help="SQuAD 2.0 JSON file")
    p.add_argument("--out", type=Path, default=OUT, help="JSON report (default out/chroma-bench.json)")
    p.add_argument("--store-scale", type=int, default=0, metavar="N",
                   help="also time writing N synthetic vectors to Chroma, in full and incrementally (default: skip)")
    a = p.parse_args(argv)
    from index.errors import check_range

    check_range("store-scale", a.store_scale, lo=0)
    run(BenchSettings(corpora=tuple(a.corpus), max_questions=a.max_questions, squad=a.squad, out=a.out),
        store_scale=a.store_scale)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
