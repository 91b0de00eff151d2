"""`citebot` command: parses arguments, calls the packages, turns errors into one line."""
from __future__ import annotations

import argparse
import logging
import os
import sys

from . import commands, train_cli

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        self.exit(EXIT_USAGE, f"citebot: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="citebot", description="Cited answers over a folder of articles.")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.register(sub)
    train_cli.register(sub)
    for module in ("eval.cli", "bot.cli", "bot.export_cli", "eval.bench_cli"):
        try:
            mod = __import__(module, fromlist=["register"])
        except ModuleNotFoundError as e:
            if e.name and module.startswith(e.name):
                continue  # that edge is not installed in this build
            raise
        mod.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for var, value in (("HF_HUB_DISABLE_PROGRESS_BARS", "1"), ("TQDM_DISABLE", "1"),  # loading bars are noise
                       ("OMP_WAIT_POLICY", "PASSIVE")):  # idle OpenMP threads must not spin on a busy host
        os.environ.setdefault(var, value)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    sources_log = logging.getLogger("qa.sources")
    level = sources_log.level
    if not args.verbose:  # a changed source is the answer's own "note:" line; -v also names each file in the log
        sources_log.setLevel(logging.ERROR)
    from index.errors import CitebotError

    try:
        return int(args.func(args) or 0)
    except CitebotError as e:
        print(f"citebot: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("citebot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of our output left (| head): stop quietly, as a killed pipe would
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the exit flush must not raise again
        return 141
    finally:
        sources_log.setLevel(level)


if __name__ == "__main__":
    sys.exit(main())
