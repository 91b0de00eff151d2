"""`citebot feedback`: the 👍/👎 votes of the Slack bot's file as JSON Lines or CSV, without changing the file."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .db import VOTES
from .export import FORMATS
from .settings import DEFAULT_DB, ConfigError

EXIT_CONFIG = 2


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "feedback", help="export the Slack bot's 👍/👎 votes (JSON Lines or CSV)",
        description="Write every vote people gave the Slack bot's answers, with the question, the answer, its "
                    "sources and how sure citebot was, oldest first. The file is only read: a running bot is not "
                    "disturbed and an older file is not upgraded. See bot/README.md.")
    p.add_argument("--feedback-db", default=None,
                   help=f"the bot's SQLite file (default: $CITEBOT_SLACK_DB or {DEFAULT_DB})")
    p.add_argument("--vote", choices=VOTES, default=None, help="only these votes (default: all)")
    default_format = next(iter(FORMATS))
    p.add_argument("--format", choices=tuple(FORMATS), default=default_format,
                   help=f"output format (default {default_format})")
    p.add_argument("-o", "--out", default=None, metavar="FILE",
                   help="write here (replaced only once the export is complete; default: standard output)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .feedback import read_feedback

    path = args.feedback_db or os.environ.get("CITEBOT_SLACK_DB") or DEFAULT_DB
    try:
        records = read_feedback(path, args.vote)
    except ConfigError as e:
        print(f"citebot feedback: error: {e}", file=sys.stderr)
        return EXIT_CONFIG
    write = FORMATS[args.format]
    if args.out is None:
        write(records, sys.stdout)
        return 0
    try:
        n = _write_file(Path(args.out), lambda f: write(records, f))
    except OSError as e:
        print(f"citebot feedback: error: cannot write {args.out!r} (--out): {e.strerror or e}", file=sys.stderr)
        return EXIT_CONFIG
    print(f"citebot feedback: {n} vote{'' if n == 1 else 's'} written to {args.out}", file=sys.stderr)
    return 0


def _write_file(path: Path, write) -> int:
    """Write through a temporary file beside ``path`` and rename it into place: a failed export leaves an earlier
    file whole."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            n = write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n
