"""Large-index benchmark on synthetic data (no model): FAISS build/search/recall/memory and BM25 at scale.

    .venv/bin/python benchmarks/scale.py                       # 100k and 1M vectors, BM25 at 1M passages
    .venv/bin/python benchmarks/scale.py --sizes 100000 --types auto flat hnsw --bm25-sizes 100000

For every size the vectors come from benchmarks/synthetic.py (clustered, anisotropic unit vectors, 384 dims;
queries are fresh draws from the same mixture). Each index is built with ``index.store.FaissStore.build``, the
code path ``citebot index`` uses ("auto" picks the type by size), saved, then loaded in a fresh subprocess that
times single-query searches (k=10) and measures the resident memory the index adds (VmRSS after the searches
minus before loading: the store is memory-mapped, so its pages count once searches touched them; VmRSS right
after opening is recorded too). recall@10 is measured against exact inner-product search (faiss.IndexFlatIP) on the same queries.
BM25 uses ``index.bm25.BM25`` on synthetic Zipfian passages: fit time, single-query p50/p95 (top 30).
Targets at 1M (issue 5): p50 <= 5 ms, recall@10 >= 0.95, <= 1 GB resident for the vector index.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import synthetic  # noqa: E402

TARGETS_1M = {"p50_ms": 5.0, "recall_at_10": 0.95, "resident_mb": 1024.0}
K = 10


@dataclass(frozen=True)
class ScaleSettings:
    sizes: tuple[int, ...] = (100_000, 1_000_000)
    types: tuple[str, ...] = ("auto",)
    queries: int = 1000
    bm25_sizes: tuple[int, ...] = (1_000_000,)
    out: Path = ROOT / "out" / "scale.json"

    def __post_init__(self) -> None:
        from index.errors import check_choice, check_range
        from index.store import FAISS_TYPES

        for t in self.types:
            check_choice("FAISS index type", t, FAISS_TYPES)
        for n in (*self.sizes, *self.bm25_sizes):
            check_range("size", n, lo=1_000)
        check_range("queries", self.queries, lo=10)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_loaded(folder: Path, meta: dict, queries: np.ndarray) -> dict:
    """In a fresh process: resident memory of the loaded index and single-query latencies."""
    from index.store import load_store

    before = _rss_mb()
    store = load_store(folder, meta)
    after = _rss_mb()
    store.search(queries[:10], K)  # warm-up
    lat, rows = [], np.empty((len(queries), K), np.int64)
    for i in range(len(queries)):
        t = time.perf_counter()
        _, r = store.search(queries[i:i + 1], K)
        lat.append(time.perf_counter() - t)
        rows[i] = r[0]
    lat_ms = np.array(lat) * 1000
    # The store is memory-mapped: pages become resident as searches touch them (shared, file-backed), so the
    # index's footprint is read after the searches; the figure right after opening is kept beside it.
    return {"resident_mb": _rss_mb() - before, "resident_at_open_mb": after - before,
            "p50_ms": float(np.percentile(lat_ms, 50)),
            "p95_ms": float(np.percentile(lat_ms, 95)), "rows": rows.tolist()}


def _measure_in_child(folder: Path, meta: dict, queries: np.ndarray) -> dict:
    qfile = folder / "queries.npy"
    np.save(qfile, queries, allow_pickle=False)
    out = subprocess.run([sys.executable, __file__, "--measure", str(folder), json.dumps(meta)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / K for f, t in zip(found.tolist(), truth.tolist())]))


def bench_vectors(n: int, s: ScaleSettings, say) -> list[dict]:
    import faiss

    from index.store import FaissStore

    t = time.perf_counter()
    x, q = synthetic.vectors(n, s.queries, seed=0)
    say(f"[{n:,}] generated in {time.perf_counter() - t:.1f}s; realism: {synthetic.stats(x, q)}")
    exact = faiss.IndexFlatIP(x.shape[1])
    exact.add(x)
    _, truth = exact.search(q, K)
    del exact
    rows = []
    for kind in s.types:
        t = time.perf_counter()
        store = FaissStore.build(x, kind)
        build_s = time.perf_counter() - t
        with tempfile.TemporaryDirectory(prefix="citebot-scale-") as d:
            folder = Path(d)
            meta = store.save(folder)
            del store
            file_mb = (folder / meta["file"]).stat().st_size / 2**20
            m = _measure_in_child(folder, meta, q)
        row = {"n": n, "requested": kind, "index_type": meta["index_type"], "params": meta["params"],
               "build_s": build_s, "file_mb": file_mb, "resident_mb": m["resident_mb"],
               "resident_at_open_mb": m["resident_at_open_mb"], "p50_ms": m["p50_ms"],
               "p95_ms": m["p95_ms"], "recall_at_10": recall(np.array(m["rows"]), truth),
               "load_average": os.getloadavg()}
        say(f"[{n:,}] {kind} -> {row['index_type']}: build {build_s:.1f}s, p50 {row['p50_ms']:.2f} ms, "
            f"recall@10 {row['recall_at_10']:.4f}, resident {row['resident_mb']:.0f} MB")
        rows.append(row)
    return rows


def bench_bm25(n: int, s: ScaleSettings, say) -> dict:
    from index.bm25 import BM25

    t = time.perf_counter()
    passages = synthetic.passages(n)
    gen_s = time.perf_counter() - t
    t = time.perf_counter()
    bm = BM25().fit_tokens(passages)
    fit_s = time.perf_counter() - t
    del passages
    queries = [" ".join(q) for q in synthetic.queries(s.queries)]
    bm.search(queries[0], 30)
    lat = []
    for qtext in queries:
        t = time.perf_counter()
        bm.search(qtext, 30)
        lat.append(time.perf_counter() - t)
    lat_ms = np.array(lat) * 1000
    row = {"n": n, "generate_s": gen_s, "fit_s": fit_s, "postings": int(len(bm.doc_ids)), "terms": len(bm.vocab),
           "arrays_mb": (bm.indptr.nbytes + bm.doc_ids.nbytes + bm.scores.nbytes) / 2**20,
           "p50_ms": float(np.percentile(lat_ms, 50)), "p95_ms": float(np.percentile(lat_ms, 95)),
           "load_average": os.getloadavg()}
    say(f"[bm25 {n:,}] fit {fit_s:.1f}s, p50 {row['p50_ms']:.2f} ms, p95 {row['p95_ms']:.2f} ms")
    return row


def markdown(vec: list[dict], bm: list[dict]) -> str:
    lines = ["| vectors | index and parameters | build s | p50 ms | p95 ms | recall@10 | resident MB at open | "
             "resident MB after searches | file MB |", "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in vec:
        p = " ".join(f"{k}={v}" for k, v in r["params"].items())
        lines.append(f"| {r['n']:,} | {r['index_type']} {p} | {r['build_s']:.1f} | {r['p50_ms']:.2f} | "
                     f"{r['p95_ms']:.2f} | {r['recall_at_10']:.4f} | {r['resident_at_open_mb']:.0f} | "
                     f"{r['resident_mb']:.0f} | {r['file_mb']:.0f} |")
    lines += ["", "| passages | postings | fit s | p50 ms | p95 ms | arrays MB |",
              "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in bm:
        lines.append(f"| {r['n']:,} | {r['postings']:,} | {r['fit_s']:.1f} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | "
                     f"{r['arrays_mb']:.0f} |")
    return "\n".join(lines) + "\n"


def render(vec: list[dict], bm: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title="FAISS on synthetic 384-d vectors (single-query search, k=10)")
    for col in ("vectors", "index (params)", "build s", "p50 ms", "p95 ms", "recall@10", "resident MB at open",
                "after searches", "file MB"):
        t.add_column(col, justify="right")
    for r in vec:
        p = " ".join(f"{k}={v}" for k, v in r["params"].items())
        t.add_row(f"{r['n']:,}", f"{r['index_type']} {p}".strip(), f"{r['build_s']:.1f}",
                  f"{r['p50_ms']:.2f}", f"{r['p95_ms']:.2f}", f"{r['recall_at_10']:.4f}",
                  f"{r['resident_at_open_mb']:.0f}", f"{r['resident_mb']:.0f}", f"{r['file_mb']:.0f}")
    b = Table(title="BM25 on synthetic Zipfian passages (single query, top 30)")
    for col in ("passages", "postings", "fit s", "p50 ms", "p95 ms", "arrays MB"):
        b.add_column(col, justify="right")
    for r in bm:
        b.add_row(f"{r['n']:,}", f"{r['postings']:,}", f"{r['fit_s']:.1f}", f"{r['p50_ms']:.2f}",
                  f"{r['p95_ms']:.2f}", f"{r['arrays_mb']:.0f}")
    c = Console(width=max(Console().width, 150))
    c.print(t)
    c.print(b)
    for r in vec:
        if r["n"] == 1_000_000:
            ok = {k: (r[k] >= v if k == "recall_at_10" else r[k] <= v) for k, v in TARGETS_1M.items()}
            c.print(f"1M {r['index_type']}: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in ok.items()))


def run(s: ScaleSettings, say=print) -> dict:
    vec = [row for n in s.sizes for row in bench_vectors(n, s, say)]
    bm = [bench_bm25(n, s, say) for n in s.bm25_sizes]
    report = {"settings": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(s).items()},
              "cpus": os.cpu_count(), "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
              "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "faiss": vec, "bm25": bm}
    s.out.parent.mkdir(parents=True, exist_ok=True)
    s.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    s.out.with_suffix(".md").write_text(markdown(vec, bm), encoding="utf-8")
    render(vec, bm)
    say(f"wrote {s.out} and {s.out.with_suffix('.md')}")
    return report


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as citebot's CLI; read when faiss is first imported
    if argv[:1] == ["--measure"]:  # child mode: measure one saved index
        folder = Path(argv[1])
        print(json.dumps(measure_loaded(folder, json.loads(argv[2]),
                                        np.load(folder / "queries.npy", allow_pickle=False))))
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="*", default=list(ScaleSettings.sizes))
    p.add_argument("--types", nargs="+", default=list(ScaleSettings.types),
                   help="FAISS index types to build (auto, flat, ivf, hnsw)")
    p.add_argument("--queries", type=int, default=ScaleSettings.queries)
    p.add_argument("--bm25-sizes", type=int, nargs="*", default=list(ScaleSettings.bm25_sizes))
    p.add_argument("--out", type=Path, default=ScaleSettings.out)
    a = p.parse_args(argv)
    run(ScaleSettings(tuple(a.sizes), tuple(a.types), a.queries, tuple(a.bm25_sizes), a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
