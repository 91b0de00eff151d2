"""`citebot slack` start-up failures are citebot's one line on stderr: no slack_sdk ERROR line per attempt before
it, and a bad CITEBOT_LLM_* value is refused before serving."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from bot_fakes import BOT_TOKEN, REPO

from tests.qa.llm_servers import closed_port_url

pytestmark = pytest.mark.slow  # starts the command as a process
ENV_PREFIXES = ("SLACK_", "CITEBOT_")


def citebot_slack(*argv: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}
    clean.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN="xapp-1-A0TEST-1-fake", HF_HUB_OFFLINE="1", **env)
    return subprocess.run([sys.executable, "-m", "citebot.cli", "slack", *argv], cwd=REPO, env=clean,
                          capture_output=True, text=True, timeout=120)


def test_unreachable_slack_api_is_one_line(tmp_path):
    api = closed_port_url().removesuffix("/v1") + "/api/"
    r = citebot_slack("--feedback-db", str(tmp_path / "f.db"), SLACK_API_URL=api)
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith(f"citebot slack: error: cannot reach the Slack API at {api}")
    assert BOT_TOKEN not in r.stderr


def test_a_bad_llm_setting_is_one_line_before_slack_is_called(tmp_path):
    api = closed_port_url().removesuffix("/v1") + "/api/"
    r = citebot_slack("--feedback-db", str(tmp_path / "f.db"), SLACK_API_URL=api, CITEBOT_LLM_TIMEOUT="0")
    assert r.returncode == 2
    assert r.stderr == "citebot slack: error: CITEBOT_LLM_TIMEOUT must be greater than 0 (got 0)\n"
