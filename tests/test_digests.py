"""Who gets a digest, with what: the demo's pairs against an independent computation."""

from __future__ import annotations

import datetime as dt
import email
from email import policy
from typing import Any

import pytest

from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.config import Config, NotifyConfig
from sheets_sync.demo import fill_demo
from sheets_sync.demo.data import GOALS, KPIS, PEOPLE, TASKS
from sheets_sync.digests import Digest, Item, plan
from sheets_sync.messages import compose
from sheets_sync.notify import prepare
from sheets_sync.sync import SyncResult, check

AS_OF = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[XlsxBackend, SyncResult]:
    backend = XlsxBackend(tmp_path_factory.mktemp("demo") / "partnership.xlsx")
    fill_demo(backend, AS_OF)
    return backend, check(backend, as_of=AS_OF)


def expected_pairs(backend: XlsxBackend, result: SyncResult) -> set[tuple[str, str, str]]:
    """(email, rule, about) worked out from the demo's own data, not the library's."""
    emails = {name: mail for name, mail, _org, _role in PEOPLE}
    goal_people = {g.gid: [p for p in (g.owner, g.partner) if p] for g in GOALS}
    kpi_owner = {k.kid: k.owner for k in KPIS}
    tasks = {tid: (gid, roles) for tid, _text, gid, _due, roles in TASKS}
    pairs: set[tuple[str, str, str]] = set()
    for f in result.active:
        if f.rule.startswith("KPI-"):
            kid = f.key.split(" @ ")[0]
            pairs.add((emails[kpi_owner[kid]], f.rule, f"KPI {f.key}"))
        elif f.rule in ("REVIEW-OVERDUE", "REVIEW-NEVER", "GOAL-NO-KPI"):
            gid = f.key.split(" @ ")[0]
            about = f"Goal {f.key}"
            pairs |= {(emails[p], f.rule, about) for p in goal_people[gid]}
        elif f.tab == "RACI" and f.key in tasks:
            gid, roles = tasks[f.key]
            if f.rule == "RACI-NO-A":
                to = [next(g.owner for g in GOALS if g.gid == gid)]
            else:
                to = [p for p, role in roles.items() if role in ("A", "A/R")]
            pairs |= {(emails[p], f.rule, f"Task {f.key}") for p in to}
    goals = backend.read().tabs["Goals"].values
    header = [str(h) for h in goals[0]]
    for row in goals[1:]:
        status = row[header.index("Status")]
        if status in ("Off track", "Overdue"):
            gid = str(row[0])
            pairs |= {(emails[p], "Status", f"Goal {gid}") for p in goal_people[gid]}
    return pairs


def test_the_demo_digests_are_exactly_what_the_rules_say(
    demo: tuple[XlsxBackend, SyncResult],
) -> None:
    backend, result = demo
    assert result.analysis is not None
    recipients = plan(result, result.analysis, backend.cell_link)
    got = {(d.email, i.rule, i.about) for d in recipients.digests for i in d.items}
    assert got == expected_pairs(backend, result)
    # nobody without something to do gets one; each person at most one
    assert all(d.items for d in recipients.digests)
    assert len({d.email for d in recipients.digests}) == len(recipients.digests)
    # the task with no Accountable reaches its goal's Owner
    t7 = next(t for t in TASKS if t[0] == "T7")
    owner = next(g.owner for g in GOALS if g.gid == t7[2])
    assert ("RACI-NO-A", "Task T7") in {
        (i.rule, i.about) for d in recipients.digests if d.person == owner for i in d.items
    }
    assert recipients.unreachable == []


def test_muted_findings_reach_nobody(demo: tuple[XlsxBackend, SyncResult]) -> None:
    backend, result = demo
    assert result.analysis is not None
    off = next(f for f in result.active if f.rule == "KPI-OFF-TRACK")
    muted = SyncResult(**{**result.__dict__, "muted": {off.identity: object()}})  # type: ignore[dict-item]
    got = {(i.rule, i.about) for d in plan(muted, result.analysis, backend.cell_link).digests
           for i in d.items}
    assert ("KPI-OFF-TRACK", f"KPI {off.key}") not in got


def _digest(person: str, address: str, what: str = "K5 is <b>behind</b>") -> Digest:
    item = Item("KPI K5", "KPI-OFF-TRACK", what, AS_OF, "KPIs", "N6", "https://x/#gid=1&range=N6")
    return Digest(person, address, [item])


@pytest.mark.parametrize(
    "person",
    ["Ana\r\nBcc: evil@example.org", "Ana\nRuiz", "<script>alert(1)</script>", "Zoë Ünal"],
)
def test_names_never_become_headers_or_markup(person: str) -> None:
    message = compose(_digest(person, "ana@example.org"), "book.xlsx", AS_OF, "bot@example.org")
    raw = bytes(message)
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed.get_all("Bcc") is None
    assert [str(a.addr_spec) for a in parsed["To"].addresses] == ["ana@example.org"]
    html = parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in html and "<b>behind</b>" not in html
    assert "&lt;b&gt;behind&lt;/b&gt;" in html
    text = parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "https://x/#gid=1&range=N6" in text and "K5 is <b>behind</b>" in text


@pytest.mark.parametrize(
    "address", ["ana@example.org\r\nBcc: x@y.z", "not-an-address", "a@", "<a@b.c>", "a@b.c, d@e"]
)
def test_a_bad_address_gets_no_message(demo: tuple[XlsxBackend, SyncResult],
                                       address: str) -> None:
    with pytest.raises(ValueError, match="is not an email address"):
        compose(_digest("Ana", address), "book.xlsx", AS_OF, "bot@example.org")


def test_prepare_builds_one_message_per_digest(demo: tuple[XlsxBackend, SyncResult]) -> None:
    backend, result = demo
    config = Config(notify=NotifyConfig(sender="partnerships@example.org"))
    prepared = prepare(backend, config, result)
    assert prepared.skipped == []
    assert prepared.messages
    for digest, message in prepared.messages:
        parsed: Any = email.message_from_bytes(bytes(message), policy=policy.default)
        assert parsed["To"].addresses[0].addr_spec == digest.email
        assert parsed["From"].addresses[0].addr_spec == "partnerships@example.org"
        assert {p.get_content_type() for p in parsed.walk()} >= {"text/plain", "text/html"}
