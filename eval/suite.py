"""One evaluation end to end: index the corpus, set up citebot configs and the baseline, run them all."""
from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .configs import ANSWERERS, CitebotConfig, CitebotSystem
from .gold import GoldItem, check_docs
from .records import EvalReport, RunResult
from .runner import SourceReader, System, run_many
from .selective import Curve, curve

WARM_UP = "What is this collection of articles about?"
# (label, total or None) -> advance(n=1, total=None): one progress bar per system, and one for indexing
Tracker = Callable[[str, "int | None"], Callable[..., None]]


@dataclass(frozen=True)
class Corpus:
    """Where the documents are: folders to index now, or an index built before (``index_dir``)."""

    name: str
    gold_path: str
    paths: tuple[str, ...] = ()
    index_dir: str | None = None


def _build_progress(track: Tracker | None):
    """build_index's progress(stage, done, total) as steps of an "indexing" bar."""
    if track is None:
        return None
    advance, last = track("indexing", None), [0]

    def progress(stage: str, done: int, total: int) -> None:
        advance(done - last[0], total=total)
        last[0] = done
    return progress


@contextmanager
def corpus_index(corpus: Corpus, track: Tracker | None = None):
    """(index_dir, build seconds or None): the given index, or a temporary one built from ``paths``."""
    if corpus.index_dir:
        yield corpus.index_dir, None
        return
    from index import build_index, get_embedder

    embedder = get_embedder()  # loaded before the clock starts: index time is indexing only
    with tempfile.TemporaryDirectory(prefix="citebot-eval-") as tmp:
        report = build_index(list(corpus.paths), Path(tmp) / "index", embedder, progress=_build_progress(track))
        yield str(Path(tmp) / "index"), report.seconds


def corpus_documents(index_dir: str) -> list[tuple[str, str]]:
    """(doc_id, source) of every document in the index, for the baseline and the gold check."""
    from index import open_index

    return [(d.doc_id, d.source) for d in open_index(index_dir).docs]


def resolve_gold(items: Sequence[GoldItem], index_dir: str, where: str) -> list[GoldItem]:
    """The items with their docs named as the index names them (see check_docs)."""
    return check_docs(items, (d for d, _ in corpus_documents(index_dir)), where)


def make_systems(index_dir: str, index_seconds: float | None, configs: Sequence[CitebotConfig],
                 baseline: bool) -> list[System]:
    systems: list[System] = []
    for i, cfg in enumerate(configs):
        systems.append(CitebotSystem(index_dir, cfg, index_seconds, "citebot" if i == 0 else f"citebot {cfg.label}"))
    if baseline:
        from index import get_embedder

        from .baseline import Baseline

        systems.append(Baseline.build(corpus_documents(index_dir), get_embedder()))
    return systems


def run_systems(items: Sequence[GoldItem], systems: Sequence[System], track: Tracker | None,
                index_dir: str | None = None) -> list[RunResult]:
    for system in systems:
        system.answer(WARM_UP)  # load the index, build the chain, run the model once: latencies are warm
    advances = [track(s.name, len(items)) for s in systems] if track else []
    return run_many(items, systems, advances, SourceReader(index_dir))


def with_answerers(configs: Sequence[CitebotConfig]) -> list[CitebotConfig]:
    """The configs, plus the main one with each answerer it lacks (reader and heuristic side by side)."""
    out = list(configs)
    for name in ANSWERERS:
        if not any(c.answerer == name and c.mode == out[0].mode and c.k == out[0].k for c in out):
            out.append(dataclasses.replace(out[0], answerer=name, overrides=(), min_confidence=None))
    return out


def selective_curves(runs: Sequence[RunResult], forced: Sequence[RunResult], forced_configs: Sequence[CitebotConfig],
                     configs: Sequence[CitebotConfig]) -> tuple[Curve, ...]:
    """A risk-coverage curve per answerer (its forced run), with the operating point of its normal run."""
    out = []
    for cfg, run in zip(forced_configs, forced):
        normal = next((r for r, c in zip(runs, configs) if c == dataclasses.replace(cfg, forced=False)), None)
        out.append(curve(cfg.answerer, run, normal))
    base = next((r for r in runs if r.name == "baseline"), None)
    if base is not None:
        out.append(curve("baseline", base, base))
    return tuple(out)


def evaluate(corpus: Corpus, items: Sequence[GoldItem], configs: Sequence[CitebotConfig] = (CitebotConfig(),),
             baseline: bool = True, track: Tracker | None = None, curves: bool = True) -> EvalReport:
    """Every citebot config (the first is "citebot") and the baseline on the same items, same process. With
    ``curves``, the reader and the heuristic are also run without abstaining, for risk-coverage curves."""
    load = os.getloadavg()[0]
    configs = with_answerers(configs) if curves else list(configs)
    forced_configs = [dataclasses.replace(configs[0], answerer=a, overrides=(), min_confidence=None, forced=True)
                      for a in ANSWERERS] if curves else []
    with corpus_index(corpus, track) as (index_dir, seconds):
        docs = corpus_documents(index_dir)
        items = check_docs(items, (d for d, _ in docs), corpus.gold_path)  # as resolve_gold, docs reused
        systems = make_systems(index_dir, seconds, configs, baseline)
        systems += [CitebotSystem(index_dir, c, seconds, f"{c.answerer} (never abstains)") for c in forced_configs]
        all_runs = run_systems(items, systems, track, index_dir)
    runs, forced = all_runs[:len(all_runs) - len(forced_configs)], all_runs[len(all_runs) - len(forced_configs):]
    notes = (f"answerer: {os.environ.get('CITEBOT_LLM_MODEL') or configs[0].answerer}",
             "latency: wall time of one answer call per question, warm (model and index loaded), query "
             "embedding included; systems are asked in turn for each question",
             f"machine: {os.cpu_count()} CPUs, load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at end; "
             f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}")
    return EvalReport(corpus.name, corpus.gold_path, len(docs), tuple(runs),
                      time.strftime("%Y-%m-%d %H:%M:%S"), notes,
                      selective_curves(runs, forced, forced_configs, configs) if curves else ())
