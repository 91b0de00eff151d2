"""citebot.bot: the Slack bot (slack-bolt) over the QA API. Entry point: `citebot slack` (bot/cli.py)."""
