"""`citebot slack`: registration in the top-level CLI, configuration errors, a light import."""
from __future__ import annotations

import argparse
import subprocess
import sys

import pytest
from bot_fakes import BOT_TOKEN, REPO

from bot import cli

ENV_NAMES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "CITEBOT_INDEX_DIR",
             "CITEBOT_SLACK_DB", "CITEBOT_SLACK_CHANNELS", "CITEBOT_SLACK_RATE_LIMIT", "CITEBOT_SLACK_SLASH_RESPONSE")


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def parse(*argv):
    parser = argparse.ArgumentParser(prog="citebot")
    cli.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["slack", *argv])


def test_register_adds_the_slack_command_and_its_options():
    args = parse("--http", "--port", "3100", "--host", "127.0.0.1", "--index-dir", "idx", "--feedback-db", "f.db",
                 "--slash-response", "in_channel", "--allow-channel", "C01", "--allow-channel", "C02",
                 "--rate-limit", "4")
    assert args.func is cli.run
    assert (args.http, args.port, args.host, args.index_dir, args.feedback_db, args.slash_response) == \
        (True, 3100, "127.0.0.1", "idx", "f.db", "in_channel")
    assert (args.allow_channel, args.rate_limit) == (["C01", "C02"], 4)
    defaults = parse()
    assert not defaults.http and defaults.port is None and defaults.allow_channel is None


@pytest.mark.parametrize("env, argv, variable", [
    ({}, [], "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": BOT_TOKEN}, [], "SLACK_APP_TOKEN"),
    ({"SLACK_BOT_TOKEN": BOT_TOKEN}, ["--http"], "SLACK_SIGNING_SECRET"),
    ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "s"}, ["--http", "--rate-limit", "-5"], "--rate-limit"),
])
def test_missing_configuration_exits_2_with_one_line(clean_env, capsys, env, argv, variable):
    for k, v in env.items():
        clean_env.setenv(k, v)
    assert cli.run(parse(*argv)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and variable in err and err.startswith("citebot slack: error:")
    assert BOT_TOKEN not in err


@pytest.mark.slow
def test_rejected_token_and_missing_index_exit_2(clean_env, capsys, fake_slack, tmp_path):
    clean_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    clean_env.setenv("SLACK_SIGNING_SECRET", "s")
    clean_env.setenv("SLACK_API_URL", fake_slack.api_url)
    fake_slack.fail["auth.test"] = "invalid_auth"
    assert cli.run(parse("--http", "--feedback-db", str(tmp_path / "f.db"))) == 2
    assert "SLACK_BOT_TOKEN was rejected by Slack's auth.test (invalid_auth)" in capsys.readouterr().err
    del fake_slack.fail["auth.test"]
    assert cli.run(parse("--http", "--feedback-db", str(tmp_path / "f.db"), "--index-dir",
                         str(tmp_path / "no-index"))) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--index-dir" in err


def test_citebot_slack_help_through_the_top_level_cli():
    out = subprocess.run([sys.executable, "-m", "citebot.cli", "slack", "--help"], cwd=REPO, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    for option in ("--http", "--port", "--host", "--index-dir", "--feedback-db", "--slash-response",
                   "--allow-channel", "--rate-limit"):
        assert option in out.stdout


@pytest.mark.parametrize("module", ["bot.cli", "bot.export_cli"])
def test_importing_bot_cli_is_light(module):
    code = (f"import sys, {module}; heavy = [m for m in ('slack_bolt', 'slack_sdk', 'qa', 'torch') if m in sys.modules];"
            " print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
