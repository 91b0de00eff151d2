"""`citebot bench`: runs benchmarks/bench.py (throughput, re-index, ask latency, cold start, memory)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH_SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


def _bench_module():
    from qa.errors import CitebotError

    if not BENCH_SCRIPT.is_file():
        raise CitebotError(f"no benchmark script at {BENCH_SCRIPT}; run citebot bench from a source checkout "
                           "(pip install -e .)")
    spec = importlib.util.spec_from_file_location("citebot_bench", BENCH_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def register(sub) -> None:
    p = sub.add_parser("bench", help="benchmark indexing, re-indexing, ask latency, cold start and memory",
                       description="Runs benchmarks/bench.py on the seeds and the SQuAD file; prints a table "
                                   "and writes JSON. Takes several minutes.")
    p.add_argument("--corpus", nargs="+", default=["seeds", "squad"], metavar="NAME",
                   help="corpora to run: seeds, squad (default both)")
    p.add_argument("--max-questions", type=int, default=1000, help="distinct questions timed per corpus")
    p.add_argument("--cold-runs", type=int, default=3, help="citebot ask subprocesses for the cold start")
    p.add_argument("--repeat", type=int, default=3, help="interleaved throughput runs; the best is reported")
    p.add_argument("--squad", type=Path, default=None, help="SQuAD 2.0 JSON file (default eval/data/...)")
    p.add_argument("--out", type=Path, default=None, help="JSON report (default out/bench.json)")
    p.set_defaults(func=cmd_bench)


def cmd_bench(args) -> int:
    bench = _bench_module()
    defaults = bench.BenchSettings()
    settings = bench.BenchSettings(corpora=tuple(args.corpus), max_questions=args.max_questions,
                                   cold_runs=args.cold_runs, repeat=args.repeat, squad=args.squad or defaults.squad,
                                   out=args.out or defaults.out)
    bench.run(settings)
    return 0
