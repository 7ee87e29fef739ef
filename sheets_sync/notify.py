"""Digests of a sync's result as messages: printed, written as .eml files, or sent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from sheets_sync.backends.base import Backend
from sheets_sync.config import Config
from sheets_sync.delivery import Sent
from sheets_sync.digests import Digest, plan
from sheets_sync.messages import compose
from sheets_sync.sync import SyncResult, period_kind


@dataclass
class Prepared:
    """The digests of one workbook as messages, and who could not get one."""

    workbook: str
    messages: list[tuple[Digest, EmailMessage]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def prepare(backend: Backend, config: Config, result: SyncResult) -> Prepared:
    """One message per person with something open to act on in ``result``."""
    if result.analysis is None:
        raise ValueError("the result carries no analysis: digests need a sync's or check's")
    recipients = plan(result, result.analysis, backend.cell_link, config.notify.fallback)
    prepared = Prepared(result.workbook, skipped=list(recipients.unreachable))
    for digest in recipients.digests:
        try:
            message = compose(digest, result.workbook, result.as_of, config.notify.sender)
        except ValueError as exc:
            prepared.skipped.append(f"{digest.person}: {exc}; no digest")
            continue
        prepared.messages.append((digest, message))
    return prepared


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "person"


def write_eml(prepared: Prepared, folder: Path, as_of: str) -> list[Path]:
    """Each message as ``<as-of>-<person>.eml`` in ``folder`` (created if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for digest, message in prepared.messages:
        path = folder / f"{as_of}-{_slug(digest.person)}.eml"
        path.write_bytes(bytes(message))
        paths.append(path)
    return paths


def send(
    prepared: Prepared,
    config: Config,
    result: SyncResult,
    summary_link: str,
    *,
    resend: bool = False,
) -> Sent:
    """Email each message through ``[notify.smtp]`` and post the workbook's summary to
    each configured webhook: each at most once per period, unless ``resend``."""
    from sheets_sync.delivery import Ledger, Mailer, deliver, smtp_password
    from sheets_sync.lock import state_folder
    from sheets_sync.periods import period_of
    from sheets_sync.webhooks import hooks, post, summary_text

    ledger = Ledger(state_folder(config.state_dir))
    period = period_of(result.as_of, period_kind(config)).label
    try:
        sent = Sent()
        if config.notify.smtp.host:
            mailer = Mailer(config.notify.smtp, smtp_password(config.notify.smtp))
            sent = deliver(
                [(digest.email, message) for digest, message in prepared.messages],
                mailer, ledger, prepared.workbook, period, resend=resend,
            )
        for hook in hooks(config.notify):
            name = f"webhook:{hook.channel}"
            if not resend and ledger.delivered(prepared.workbook, period, name):
                sent.skipped.append(name)
                continue
            text = summary_text(result, len(prepared.messages), summary_link,
                                slack=hook.channel == "slack")
            ok, retries, why = post(hook, text)
            sent.retried += retries
            if ok:
                ledger.record(prepared.workbook, period, name)
                sent.sent.append(name)
            else:
                sent.failed.append(f"{name}: {why}")
        return sent
    finally:
        ledger.close()


__all__ = ["Prepared", "prepare", "send", "write_eml"]
