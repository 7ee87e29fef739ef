"""A per-workbook summary posted to Slack or Google Chat incoming webhooks.

Both take a JSON body whose ``text`` is the message (Slack's incoming webhooks and
Google Chat's space webhooks document that minimal shape; Slack renders ``<url|label>``
links in it, Chat shows the URL). The URL is a secret: it comes from an environment
variable and is never printed; a failure names the channel, not the URL.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from sheets_sync.config import NotifyConfig
from sheets_sync.errors import ConfigError
from sheets_sync.findings import Severity
from sheets_sync.sync import SyncResult

ATTEMPTS = 3


@dataclass(frozen=True)
class Hook:
    """One configured channel: its name (for messages) and its URL (never shown)."""

    channel: str  # "slack" or "chat"
    url: str


def hooks(notify: NotifyConfig) -> list[Hook]:
    """The webhooks the config names, their URLs read from the environment."""
    out = []
    for channel, env, key in (
        ("slack", notify.slack_webhook_env, "notify.slack_webhook_env"),
        ("chat", notify.chat_webhook_env, "notify.chat_webhook_env"),
    ):
        if not env:
            continue
        url = os.environ.get(env, "")
        if not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
            raise ConfigError(key, f"environment variable {env} holds no https:// URL")
        out.append(Hook(channel, url))
    return out


def summary_text(result: SyncResult, digests: int, link: str, slack: bool) -> str:
    """What the channel reads: the headline, what is open, and where to look."""
    errors, warnings = result.count(Severity.ERROR), result.count(Severity.WARNING)
    open_items = [f"{f.rule} {f.key}" for f in result.active if f.severity <= Severity.WARNING]
    shown = ", ".join(open_items[:8]) + (f" and {len(open_items) - 8} more"
                                          if len(open_items) > 8 else "")
    name = result.workbook.rsplit("/", 1)[-1]  # a file's name, or google:<id>
    where = f"<{link}|{name}>" if slack else f"{name} ({link})"
    lines = [
        f"{where} as of {result.as_of.isoformat()}: {errors} error(s), {warnings} warning(s); "
        f"{digests} digest(s) sent to the people who must act.",
    ]
    if shown:
        lines.append(f"Open: {shown}.")
    if result.muted:
        lines.append(f"Muted (acknowledged or snoozed): {len(result.muted)}.")
    return "\n".join(_plain(line) if not slack else line for line in lines)


def _plain(text: str) -> str:
    return "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in text)


def post(
    hook: Hook, text: str, sleep: Callable[[float], None] | None = None
) -> tuple[bool, int, str]:
    """POST ``{"text": ...}`` with bounded retries: (delivered, retries, why not)."""
    import requests

    why = ""
    tries = 0
    for attempt in range(ATTEMPTS):
        if attempt:
            (sleep or time.sleep)(min(2.0**attempt, 10.0))
        tries += 1
        try:
            reply = requests.post(hook.url, json={"text": text}, timeout=30)
        except requests.RequestException as exc:
            why = type(exc).__name__  # its text would show the URL
            continue
        if 200 <= reply.status_code < 300:
            return True, tries - 1, ""
        why = f"HTTP {reply.status_code}"
        if reply.status_code < 500 and reply.status_code != 429:
            break  # the request itself is wrong: sending it again would not help
    return False, tries - 1, why


__all__ = ["Hook", "hooks", "post", "summary_text"]
