"""`citebot eval`: gold file, SQuAD file or calibration sweep -> table, JSON, Markdown and chart."""
from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

from qa.errors import CitebotError
from qa.types import ANSWERERS, CALIBRATED

from .progress import progress_tracker

DEFAULT_OUT = "eval-out"
USAGE = """examples:
  citebot eval                                   seeds gold set, temporary index of seeds/, vs the baseline
  citebot eval my-gold.jsonl --docs articles/    another gold file over another folder
  citebot eval --index-dir .citebot/index        use an existing index instead of building one
  citebot eval --compare dense k=10 lexical,k=3  also run other citebot configurations
  citebot eval squad squad-v2.0-dev.json --limit 500
  citebot eval --against before.json --fail-on-drop  compare with a report an earlier run wrote
  citebot eval calibrate --min-evidence 0.3:1.5:0.1 --keep-ratio 0.5,0.85"""


class EvalUsageError(CitebotError):
    pass


def register(sub) -> None:
    p = sub.add_parser("eval", help="measure answers against gold questions (and the baseline)",
                       description="Evaluate citebot on gold questions: [GOLD.jsonl] | squad PATH.json | "
                                   "calibrate [GOLD.jsonl]. Definitions of every metric: eval/README.md.",
                       epilog=USAGE, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", nargs="*", metavar="ARG",
                   help="GOLD.jsonl (default: the seeds gold set), or: squad PATH.json, or: calibrate [GOLD.jsonl]")
    p.add_argument("--index-dir", help="evaluate this existing index (default: build a temporary one)")
    p.add_argument("--docs", action="append", metavar="DIR",
                   help="folder(s) of documents to index for a gold file (default: seeds/)")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--compare", nargs="+", default=[], metavar="CONFIG",
                   help="more citebot configs: a mode (dense, lexical, hybrid), k=N, a setting such as "
                        "min_evidence=0.5; join changes with commas (dense,k=10)")
    p.add_argument("-k", type=int, default=5, help="passages per answer for citebot (default 5)")
    p.add_argument("--mode", default="hybrid", help="retrieval mode for citebot (default hybrid)")
    p.add_argument("--limit", type=int, help="ask only N questions, evenly spread over the file")
    p.add_argument("--no-baseline", action="store_true", help="skip the LangChain tutorial baseline")
    p.add_argument("--no-curves", action="store_true",
                   help="skip the accuracy-vs-coverage runs (each answerer answering every question) and the answerers "
                        "not named in --compare")
    p.add_argument("--articles", help="squad: only these articles (titles, comma-separated)")
    p.add_argument("--absent", type=float, default=0.0, metavar="SHARE",
                   help="squad: leave this share of paragraphs (0-0.9, the same ones every run) out of the index; "
                        "their questions become kind 'absent' (on topic, not in the documents: abstention expected)")
    p.add_argument("--held-out", action="store_true",
                   help="squad: only the articles the shipped reader never saw (named in its calibrator.json)")
    p.add_argument("--min-evidence", help="calibrate: values to sweep, start:stop:step or a,b (default: "
                                          "0.3 to the top of the score scale in 16 steps)")
    p.add_argument("--keep-ratio", help="calibrate: keep_ratio values to sweep (default: the current one)")
    p.add_argument("--answerer", choices=ANSWERERS, default=None,
                   help=f"calibrate: the abstention threshold of {' or '.join(CALIBRATED)} "
                        f"(default {ANSWERERS[0]}), or the heuristic's settings")
    p.add_argument("--llm-model", metavar="MODEL",
                   help="also run an LLM answerer (OpenAI-compatible chat model) beside the default")
    p.add_argument("--llm-base-url", metavar="URL", help="the LLM's OpenAI-compatible base URL")
    p.add_argument("--llm-timeout", type=float, metavar="SECONDS", help="per answer (default 30; small local "
                   "models on a CPU need more)")
    p.add_argument("--llm-max-tokens", type=int, metavar="N", help="the longest reply asked for (default 512)")
    p.add_argument("--against", metavar="EARLIER.json",
                   help="also compare with the JSON report an earlier citebot eval wrote: each metric before, "
                        "after and the change, and the questions whose verdict flipped")
    p.add_argument("--tolerance", type=float, metavar="T",
                   help="with --against: flag a metric that got worse by more than T (default 0.01)")
    p.add_argument("--fail-on-drop", action="store_true",
                   help="with --against: exit status 1 when a metric was flagged (the report is written first)")
    p.set_defaults(func=run)


def check_scope(args, target: list[str]) -> None:
    """An option the target would not read is a one-line error, never silently ignored."""
    squad = target[:1] == ["squad"] or target[:2] == ["calibrate", "squad"]
    if args.held_out and args.articles:
        raise EvalUsageError("--held-out and --articles both choose the SQuAD articles; give one of them")
    if not squad and (args.held_out or args.articles):
        raise EvalUsageError(f"{'--held-out' if args.held_out else '--articles'} chooses SQuAD articles; use it "
                             "with citebot eval squad PATH.json or calibrate squad PATH.json")
    if target[:1] != ["calibrate"] and args.answerer is not None:
        raise EvalUsageError("--answerer picks what calibrate tunes; every evaluation already runs each answerer "
                             f"({', '.join(ANSWERERS)}; with --no-curves, add them with --compare)")


def run(args) -> int:
    target = list(args.target)
    check_scope(args, target)
    if target[:1] == ["squad"]:
        if len(target) != 2:
            raise EvalUsageError("usage: citebot eval squad PATH.json [--limit N] [--absent SHARE]")
        return run_squad(args, target[1], earlier_report(args))
    if args.absent:
        raise EvalUsageError("--absent leaves SQuAD paragraphs out of the index; use it with citebot eval squad "
                             "PATH.json (a gold file can mark such questions with kind 'absent')")
    if target[:1] == ["calibrate"]:
        args.answerer = args.answerer or ANSWERERS[0]  # calibrate the default answerer unless told otherwise
        if target[1:2] == ["squad"]:
            if len(target) != 3:
                raise EvalUsageError("usage: citebot eval calibrate squad PATH.json [--answerer NAME]")
        elif len(target) > 2:
            raise EvalUsageError("usage: citebot eval calibrate [GOLD.jsonl] | calibrate squad PATH.json")
        if args.against is not None or args.tolerance is not None or args.fail_on_drop:
            raise EvalUsageError("--against, --tolerance and --fail-on-drop compare evaluation reports; "
                                 "calibrate writes none (use them with a gold file or squad PATH.json)")
        if target[1:2] == ["squad"]:
            return run_squad_calibrate(args, target[2])
        return run_calibrate(args, target[1] if len(target) == 2 else None)
    if len(target) > 1:
        raise EvalUsageError(f"one gold file expected, got {len(target)}: {' '.join(target)} "
                             "(put GOLD before --compare)")
    return run_gold_file(args, target[0] if target else None, earlier_report(args))


def earlier_report(args):
    """The --against report, read and checked now (before any model loads), or None without --against."""
    if args.against is None:
        if args.tolerance is not None or args.fail_on_drop:
            raise EvalUsageError("--tolerance and --fail-on-drop need --against EARLIER.json")
        return None
    from .against import check_tolerance, read_report

    if args.tolerance is not None:
        check_tolerance(args.tolerance, "--tolerance")
    return read_report(args.against)


def default_docs() -> list[str]:
    for folder in (Path(__file__).resolve().parents[1] / "seeds", Path.cwd() / "seeds"):
        if folder.is_dir():
            return [str(folder)]
    raise EvalUsageError("no seeds/ folder found; pass --docs DIR (the articles) or --index-dir DIR")


def _configs(args):
    from .configs import MODES, CitebotConfig, parse_configs

    if args.mode not in MODES:
        raise EvalUsageError(f"invalid --mode {args.mode!r}; valid values: {', '.join(MODES)}")
    if args.k < 1:
        raise EvalUsageError(f"invalid -k {args.k}; must be at least 1")
    configs = parse_configs(args.compare, CitebotConfig(args.mode, args.k))
    if args.llm_model or args.llm_base_url:
        if not args.llm_model:
            raise EvalUsageError("--llm-base-url needs --llm-model (the model's name at that endpoint)")
        from qa import LLMSettings

        llm = LLMSettings.from_env(args.llm_model, args.llm_base_url, args.llm_timeout, max_tokens=args.llm_max_tokens)
        configs.append(dataclasses.replace(configs[0], llm=llm))
    return configs


def stdout_console():
    """Rich console for the tables; wide when piped (rich would assume 80 columns)."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=160)


def _evaluate_and_write(args, corpus, items, earlier=None) -> int:
    from .report import rich_table, write_outputs
    from .suite import evaluate

    configs = _configs(args)
    if earlier is not None:
        from .against import check_questions

        check_questions(earlier, args.against, items, corpus.name)
    print(f"citebot eval {corpus.name}: {len(items)} questions, "
          + (f"index {corpus.index_dir}" if corpus.index_dir else "building a temporary index"), file=sys.stderr)
    with progress_tracker() as track:
        report = evaluate(corpus, items, configs, baseline=not args.no_baseline, track=track,
                          curves=not args.no_curves)
    comparison = None
    if earlier is not None:
        from .against import DEFAULT_TOLERANCE, compare

        comparison = compare(earlier, report, args.against,
                             DEFAULT_TOLERANCE if args.tolerance is None else args.tolerance)
    paths = write_outputs(report, args.out, against=comparison)
    stdout_console().print(rich_table(report))
    if report.curves:
        from .selective import curves_table

        print("\n".join(["", "accuracy against coverage:"] + curves_table(report.curves)))
    if comparison is not None:
        from .against_report import show

        show(comparison, stdout_console())
    print("wrote " + ", ".join(str(p) for p in paths.values()))
    if comparison is not None and comparison.flagged and args.fail_on_drop:
        print(f"citebot eval: {len(comparison.flagged)} metric(s) worse than {args.against} (--fail-on-drop)",
              file=sys.stderr)
        return 1
    return 0


def run_gold_file(args, gold: str | None, earlier=None) -> int:
    from .gold import DEFAULT_GOLD, load_gold, spread
    from .suite import Corpus

    path = Path(gold) if gold else DEFAULT_GOLD
    items = spread(load_gold(path), args.limit)
    paths = () if args.index_dir else tuple(args.docs or default_docs())
    name = path.stem
    return _evaluate_and_write(args, Corpus(name, str(path), paths, args.index_dir), items, earlier)


def _squad_articles(args) -> list[str] | None:
    """--articles or --held-out: the SQuAD articles to use (None: all)."""
    if args.held_out:
        from qa.reader.model import held_out_articles

        return held_out_articles()
    return [a.strip() for a in args.articles.split(",") if a.strip()] if args.articles else None


def run_squad(args, path: str, earlier=None) -> int:
    from .squad import load_squad, write_documents
    from .suite import Corpus

    squad = load_squad(path, args.limit, _squad_articles(args), args.absent)
    with tempfile.TemporaryDirectory(prefix="citebot-squad-") as tmp:
        folder = write_documents(squad, Path(tmp) / "docs")
        return _evaluate_and_write(args, Corpus(squad.name, str(path), (str(folder),), args.index_dir),
                                   list(squad.items), earlier)


def run_calibrate(args, gold: str | None) -> int:
    from .calibrate import default_min_evidence, parse_values, settings_grid
    from .gold import DEFAULT_GOLD, load_gold
    from .suite import Corpus, corpus_index, resolve_gold

    path = Path(gold) if gold else DEFAULT_GOLD
    items = load_gold(path)
    if args.answerer in CALIBRATED:
        if args.min_evidence or args.keep_ratio:
            raise EvalUsageError("--min-evidence and --keep-ratio sweep the heuristic's settings; add --answerer "
                                 f"heuristic (got --answerer {args.answerer})")
        return run_threshold_calibrate(args, path, items)
    grid = settings_grid(parse_values(args.min_evidence, "min_evidence") if args.min_evidence
                         else default_min_evidence(),
                         parse_values(args.keep_ratio, "keep_ratio") if args.keep_ratio else ())
    corpus = Corpus(path.stem, str(path), () if args.index_dir else tuple(args.docs or default_docs()),
                    args.index_dir)
    with corpus_index(corpus) as (index_dir, _), progress_tracker() as track:
        from .calibrate import calibrate

        items = resolve_gold(items, index_dir, str(path))
        points = calibrate(items, index_dir, grid, args.mode, args.k, track("calibrating", len(grid) * len(items)))
    from .calibrate import recommend
    from .report import sweep_table, write_sweep

    best = recommend(points)
    stdout_console().print(sweep_table(points, best, path.stem))
    print(f"wrote {write_sweep(points, best, path.stem, args.out)}")
    return 0


def run_threshold_calibrate(args, path: Path, items) -> int:
    from .suite import Corpus, corpus_index, resolve_gold

    corpus = Corpus(path.stem, str(path), () if args.index_dir else tuple(args.docs or default_docs()),
                    args.index_dir)
    with corpus_index(corpus) as (index_dir, _):
        return _threshold_calibrate(args, args.answerer, resolve_gold(items, index_dir, str(path)), index_dir,
                                    path.stem)


def run_squad_calibrate(args, path: str) -> int:
    """The answerer's abstention threshold swept on a SQuAD file's questions (every paragraph indexed)."""
    from .squad import load_squad, write_documents
    from .suite import Corpus, corpus_index

    squad = load_squad(path, args.limit, _squad_articles(args))
    with tempfile.TemporaryDirectory(prefix="citebot-squad-") as tmp:
        folder = write_documents(squad, Path(tmp) / "docs")
        with corpus_index(Corpus(squad.name, str(path), (str(folder),), None)) as (index_dir, _):
            return _threshold_calibrate(args, args.answerer, list(squad.items), index_dir, squad.name)


def _threshold_calibrate(args, answerer: str, items, index_dir: str, name: str) -> int:
    import json

    from .threshold import explain, recommend, threshold_sweep

    with progress_tracker() as track:
        points, shipped = threshold_sweep(items, index_dir, answerer, args.mode, args.k,
                                          track("calibrating", len(items)))
    best = recommend(points)
    label = "min_confidence" if answerer in CALIBRATED else "min_evidence"
    print(f"| {label} | answer recall | false abstention | abstention | citation recall |")
    print("|---:|---:|---:|---:|---:|")
    for p in points:
        mark = " ◀ recommended" if p == best else " ◀ shipped" if abs(p.threshold - shipped) < 5e-5 else ""
        if mark or abs(p.threshold * 20 - round(p.threshold * 20)) < 1e-9:
            print(f"| {p.threshold:.4f} | {p.answer_recall} | {p.false_abstention} | {p.abstention} | "
                  f"{p.citation_recall} |{mark}")
    print(explain(best, shipped, points))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"calibrate-{answerer}-{name}.json"
    target.write_text(json.dumps({"answerer": answerer, "shipped": shipped, "recommended": best and best.__dict__,
                                  "points": [p.__dict__ for p in points]}, indent=1), encoding="utf-8")
    print(f"wrote {target}")
    return 0
