"""manifest.yml asks for exactly what the bot uses: its events, /ask, interactivity and the scopes behind them."""
from __future__ import annotations

import pytest
from bot_fakes import REPO

yaml = pytest.importorskip("yaml")

# Web API methods and events the bot uses -> the bot scope each needs
NEEDED = {
    "app_mention event": "app_mentions:read",
    "message.im event, conversations.replies in DMs": "im:history",
    "chat.postMessage, chat.update, chat.postEphemeral": "chat:write",
    "/ask": "commands",
    "reactions.add, reactions.remove": "reactions:write",
    "conversations.replies in public channels": "channels:history",
    "conversations.replies in private channels": "groups:history",
}


def test_manifest_has_exactly_the_scopes_events_and_command_the_bot_needs():
    manifest = yaml.safe_load((REPO / "manifest.yml").read_text(encoding="utf-8"))
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert sorted(scopes) == sorted(set(NEEDED.values())) and len(scopes) == len(set(scopes))
    assert "user" not in manifest["oauth_config"]["scopes"]
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_mention", "message.im"]
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/ask"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False
