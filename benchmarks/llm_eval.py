"""The LLM answerer beside the extractive default, with a small local test model on llama.cpp's server.

    .venv/bin/python benchmarks/llm_eval.py [--model qwen2.5-coder-1.5b] [-- citebot eval arguments ...]

Starts the test suite's llama-server (tests/llama_server.py: built once per machine, the model assembled from
pinned packages) and runs ``citebot eval ... --llm-model NAME --llm-base-url URL --llm-timeout 300 --no-curves
--no-baseline`` with the arguments after ``--`` (default: the seeds gold). Minutes on two cores: not part of the
test run. Figures: docs/answering.md.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="qwen2.5-coder-1.5b")
    ap.add_argument("rest", nargs=argparse.REMAINDER, help="citebot eval arguments, after --")
    args = ap.parse_args()
    from tests.llama_server import llama_server

    rest = [a for a in args.rest if a != "--"]
    with llama_server(args.model) as server:
        cmd = [sys.executable, "-m", "citebot.cli", "eval", *rest, "--llm-model", server.model, "--llm-base-url",
               server.url, "--llm-timeout", "300", "--no-curves", "--no-baseline"]
        return subprocess.run(cmd, cwd=ROOT, env=dict(os.environ, HF_HUB_OFFLINE="1")).returncode


if __name__ == "__main__":
    raise SystemExit(main())
