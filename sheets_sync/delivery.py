"""Sending digests: SMTP with bounded retries, and a ledger of what was delivered.

A message goes out at most once per person, workbook and period (``history.period``):
the ledger, a small SQLite database in ``state_dir``, records each delivery, and a
later run in the same period skips what it holds (``--resend`` sends again). A
delivery that fails is retried while the server is down or answers 4xx (try
later), never after a 5xx; it is then reported with its recipient and not recorded.
The password comes from an environment variable or a file and appears in no output.
"""

from __future__ import annotations

import os
import smtplib
import sqlite3
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from sheets_sync.config import SmtpConfig
from sheets_sync.errors import ConfigError

LEDGER = "digests.sqlite3"


@dataclass
class Sent:
    """What one delivery run did."""

    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # delivered earlier this period
    retried: int = 0
    failed: list[str] = field(default_factory=list)  # "address: why"


def smtp_password(smtp: SmtpConfig) -> str | None:
    """The SMTP password, from ``password_env`` or ``password_file`` (None: no login)."""
    if smtp.password_env:
        value = os.environ.get(smtp.password_env)
        if value is None:
            raise ConfigError("notify.smtp.password_env",
                              f"environment variable {smtp.password_env} is not set")
        return value
    if smtp.password_file is not None:
        try:
            return smtp.password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError("notify.smtp.password_file",
                              f"cannot read {smtp.password_file}: {exc.strerror}") from None
    return None


class Ledger:
    """Which digests were delivered: (workbook, period, address)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(folder / LEDGER, timeout=30)
        with self.db:
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS delivered (workbook TEXT, period TEXT, "
                "address TEXT, at TEXT, PRIMARY KEY (workbook, period, address))"
            )

    def delivered(self, workbook: str, period: str, address: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM delivered WHERE workbook = ? AND period = ? AND address = ?",
            (workbook, period, address.casefold()),
        ).fetchone()
        return row is not None

    def record(self, workbook: str, period: str, address: str) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO delivered VALUES (?, ?, ?, datetime('now'))",
                (workbook, period, address.casefold()),
            )

    def close(self) -> None:
        self.db.close()


def _permanent(exc: BaseException) -> bool:
    """A 5xx answer: the server refuses for good; trying again would not help."""
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in exc.recipients.values()]
        return bool(codes) and all(c >= 500 for c in codes)
    return isinstance(code, int) and code >= 500


def _why(exc: BaseException) -> str:
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "refused: " + "; ".join(
            f"{c} {m.decode(errors='replace')}" for c, m in exc.recipients.values()
        )
    if isinstance(code, int):
        text = getattr(exc, "smtp_error", b"")
        message = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{code} {message}".strip()
    return f"{type(exc).__name__}: {exc.strerror if isinstance(exc, OSError) else exc}"


class Mailer:
    """Sends messages through one SMTP server, each with bounded retries."""

    def __init__(
        self,
        smtp: SmtpConfig,
        password: str | None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.smtp = smtp
        self._password = password
        self.sleep = sleep

    def _connect(self) -> smtplib.SMTP:
        smtp = self.smtp
        context = ssl.create_default_context()
        server: smtplib.SMTP
        if smtp.ssl:
            server = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds,
                                      context=context)
        else:
            server = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
            if smtp.starttls:
                server.starttls(context=context)
        if smtp.user and self._password is not None:
            server.login(smtp.user, self._password)
        return server

    def send(self, message: EmailMessage, to: str, sent: Sent) -> bool:
        """Send ``message``; on failure record why in ``sent.failed`` and return False."""
        last: BaseException | None = None
        for attempt in range(self.smtp.attempts):
            if attempt:
                sent.retried += 1
                (self.sleep or time.sleep)(min(2.0**attempt, 30.0))
            try:
                server = self._connect()
                try:
                    server.send_message(message)
                finally:
                    try:
                        server.quit()
                    except (smtplib.SMTPException, OSError):
                        server.close()
            except (smtplib.SMTPException, OSError) as exc:
                last = exc
                if _permanent(exc):
                    break
                continue
            return True
        sent.failed.append(f"{to}: {_why(last) if last else 'not sent'}")
        return False


def deliver(
    messages: list[tuple[str, EmailMessage]],
    mailer: Mailer,
    ledger: Ledger,
    workbook: str,
    period: str,
    *,
    resend: bool = False,
) -> Sent:
    """Send each (address, message) not yet delivered this period; record what went."""
    sent = Sent()
    for address, message in messages:
        if not resend and ledger.delivered(workbook, period, address):
            sent.skipped.append(address)
            continue
        if mailer.send(message, address, sent):
            ledger.record(workbook, period, address)
            sent.sent.append(address)
    return sent


__all__ = ["LEDGER", "Ledger", "Mailer", "Sent", "deliver", "smtp_password"]
