"""Digests as email messages: a plain-text part and an HTML part, headers kept safe.

Everything people typed (names, messages quoting cell values) reaches a header only
after it is checked, and the HTML only escaped: a name holding a line break never
becomes a header of its own, and ``<script>`` in a cell is shown, not run.
"""

from __future__ import annotations

import datetime as dt
import html
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sheets_sync.config import is_address
from sheets_sync.digests import Digest
from sheets_sync.report_html import person_section


def _plain(text: str) -> str:
    """One line of text: control characters (line breaks included) become spaces."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def subject(digest: Digest, workbook: str, as_of: dt.date) -> str:
    n = len(digest.items)
    things = "1 thing needs" if n == 1 else f"{n} things need"
    return _plain(f"{things} you in {workbook} (as of {as_of.isoformat()})")


def text_body(digest: Digest, workbook: str, as_of: dt.date) -> str:
    """The plain-text part: one paragraph per item, its link on a line of its own."""
    lines = [
        f"Hello {_plain(digest.person)},",
        "",
        f"As of {as_of.isoformat()}, these need you in {_plain(workbook)}:",
        "",
    ]
    for item in digest.items:
        lines.append(
            f"- {_plain(item.about)}: {_plain(item.what)} ({item.rule}, {item.since_text})"
        )
        lines.append(f"  {item.link}")
    lines += [
        "",
        "Acknowledge or snooze a finding on the Issues tab (Acknowledged by, Snooze until)",
        "and it stops coming here.",
        "",
        "-- sheets-sync",
    ]
    return "\n".join(lines) + "\n"


def html_body(digest: Digest, workbook: str, as_of: dt.date) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(subject(digest, workbook, as_of))}</title></head><body>"
        f"<p>These need you in <b>{html.escape(workbook)}</b>.</p>"
        f"{person_section(digest, as_of)}"
        "<p>Acknowledge or snooze a finding on the Issues tab (Acknowledged by, Snooze until) "
        "and it stops coming here.</p></body></html>"
    )


def compose(
    digest: Digest, workbook: str, as_of: dt.date, sender: str, now: dt.datetime | None = None
) -> EmailMessage:
    """The digest as a message to its person. Raises ValueError for an unusable address."""
    if not is_address(digest.email):
        raise ValueError(f"{digest.email!r} is not an email address")
    name = _plain(digest.person)
    local, _, domain = digest.email.partition("@")
    message = EmailMessage()
    message["Subject"] = subject(digest, workbook, as_of)
    message["From"] = Address(addr_spec=sender)
    message["To"] = Address(display_name=name, username=local, domain=domain)
    message["Date"] = format_datetime(now or dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(domain=sender.partition("@")[2] or None)
    message.set_content(text_body(digest, workbook, as_of))
    message.add_alternative(html_body(digest, workbook, as_of), subtype="html")
    return message


def readable(message: EmailMessage) -> str:
    """A message as a person reads it: its headers, then its plain-text part decoded."""
    head = "".join(f"{name}: {message[name]}\n" for name in ("From", "To", "Subject"))
    body = message.get_body(("plain",))
    text = body.get_content() if isinstance(body, EmailMessage) else ""
    return f"{head}\n{text}"


__all__ = ["compose", "html_body", "readable", "subject", "text_body"]
