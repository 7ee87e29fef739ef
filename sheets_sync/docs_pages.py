"""The documentation pages generated from code: the template reference and the rule catalogue.

``docs/template.md`` and ``docs/rules.md`` are rendered here from the template pack
and the rule registry, so they change when the code does and a test can tell when
a page was not regenerated. Regenerate both with::

    python -m sheets_sync.docs_pages docs/
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sheets_sync.catalogue import rules_markdown
from sheets_sync.config import RulesConfig
from sheets_sync.rules.cadence import CADENCE_DAYS, CADENCE_MONTHS
from sheets_sync.summary import STATUS_ORDER
from sheets_sync.templates import ColumnSpec, TableSpec, Template, load_template

#: The command that rewrites the generated pages (named in failures when a page is stale).
REGENERATE = "python -m sheets_sync.docs_pages docs/"
_D = RulesConfig()

#: What a cell of each base type must hold. Enum types are described by their values.
TYPE_TEXT = {
    "id": "an id of this tab's rows (text; a number reads as its digits)",
    "text": "any text",
    "email": "an email address",
    "person": "a Person from People",
    "goal": "a Goal ID from Goals",
    "kpi": "a KPI ID from KPIs",
    "date": "a date cell, or text such as 2026-11-03 or 3 Nov 2026 (short dates follow "
    "`locale`)",
    "number": "a number; thousands separators, currency symbols and `12%` (0.12) are read",
    "percent": "a fraction shown as a percentage (0.25 is 25%)",
}

#: What the tool writes in each computed column, and in each column of a generated tab.
COLUMN_TEXT: dict[tuple[str, str], str] = {
    ("Goals", "Last review"): "The latest Date in Reviews for this Goal ID, on or before the "
    "as-of date; blank when there is none.",
    ("Goals", "Next review"): "Last review plus the Review cadence; blank when the goal was "
    "never reviewed.",
    ("Goals", "Review status"): "Never reviewed when Reviews holds no review of the goal; "
    "Overdue when the as-of date is more than `rules.stale_grace_days` "
    f"({_D.stale_grace_days}) days past Next review; otherwise OK. Blank for a Closed or "
    "Dropped goal.",
    ("Goals", "Status"): "Closed or Dropped when that is the goal's State; otherwise the "
    "worst Status among the goal's KPIs, leaving out Closed and Dropped ones (No data when "
    "none is left); Overdue once its Due date has passed, unless Achieved. Blank without a "
    "Due date.",
    ("KPIs", "Latest value"): "The Value of the KPI's latest reading in KPI Log on or before "
    "the as-of date (the greatest Date; on a tie, the row lowest on the sheet).",
    ("KPIs", "Latest date"): "The Date of that reading.",
    ("KPIs", "Expected"): "Increase and decrease KPIs: where the KPI should have been on its "
    "Latest date, pacing linearly from Baseline at Start date to Target at Due date. Blank "
    "for maintain KPIs and before the first reading.",
    ("KPIs", "Progress"): "Increase and decrease KPIs: (Latest value - Baseline) / (Target - "
    "Baseline), between 0% and 100%.",
    ("KPIs", "Pace"): "Increase and decrease KPIs: (Latest value - Baseline) / (Expected - "
    "Baseline), the part of the expected way the KPI has come by its Latest date (100% on "
    "the Start date). Blank for maintain KPIs and before the first reading.",
    ("KPIs", "Confidence"): "The Confidence of the KPI's latest reading in KPI Log (High, "
    "Medium or Low); blank when there is no reading or that reading has none.",
    ("KPIs", "Status"): "Closed or Dropped when that is the KPI's State (its own, else its "
    "goal's); otherwise Achieved, Overdue, No data, Stale, then On track, At risk or Off "
    "track by pace: the first rule that applies.",
    ("People", "Accountable for"): "How many RACI tasks name this person (or a Role they "
    "hold) A or A/R.",
    ("People", "Responsible for"): "How many RACI tasks name this person (or a Role they "
    "hold) R or A/R.",
    ("People", "KPIs needing attention"): "How many KPIs this person owns whose Status is "
    "not On track, Achieved, Closed or Dropped (blank statuses count: their inputs need "
    "fixing).",
    ("People", "Open findings"): "How many rows of the Issues tab name this person as Owner.",
    ("RACI", "Accountable"): "The headers of the row's role columns marked A or A/R, comma "
    "separated.",
    ("RACI", "Responsible"): "The headers of the row's role columns marked R or A/R, comma "
    "separated.",
    ("Issues", "Severity"): "error, warning or info.",
    ("Issues", "Rule"): "The finding's rule id (see the rule catalogue).",
    ("Issues", "Tab"): "The tab the finding is on.",
    ("Issues", "Cell"): "A link to the cell concerned (A1 for a finding about a whole tab).",
    ("Issues", "Key"): "The row's id, `K12 @ 2026-06-29` on KPI Log and Reviews rows, or the "
    "column or tab concerned.",
    ("Issues", "Owner"): "Who must act: the KPI's Owner (for a KPI and its readings), the "
    "goal's Owner (for a goal and its reviews), the task's Accountable (or, when a task has "
    "no Accountable or several, its goal's Owner), the person themself on People. Always a "
    "Person in People; blank for findings about a tab or column.",
    ("Issues", "Message"): "What is wrong and what to do.",
    ("Issues", "First seen"): "The as-of date of the first sync that reported this finding; "
    "kept for as long as the finding is reported.",
    ("Issues", "Age (days)"): "Days from First seen to the as-of date.",
    ("Issues", "Acknowledged by"): "Typed by people, kept with the finding from sync to sync: "
    "a Person from People who accepts it. The finding is muted (listed last, greyed, left "
    "out of counts, `--fail-on` and exit codes) for as long as it lasts.",
    ("Issues", "Snooze until"): "Typed by people, kept with the finding: mutes it up to and "
    "including this date, at most `rules.max_snooze_days` (90) ahead; the snooze decides "
    "when Acknowledged by is filled too.",
    ("Issues", "Comment"): "Typed by people, kept with the finding: why it was acknowledged "
    "or snoozed, or anything else.",
    ("Dashboard", "Period"): "The trend table's periods (the last 12, oldest first; labels "
    "as on the History tab).",
    ("History", "Kind"): "Goal or KPI.",
    ("History", "ID"): "The goal's Goal ID or the KPI's KPI ID: a row is found by Kind and ID "
    "wherever it is moved. A goal or KPI that leaves its tab keeps its row.",
    ("History", "Name"): "The goal's or KPI's text, as of the last sync.",
    ("History", "Owner"): "The goal's or KPI's Owner, as of the last sync. Then one column "
    "per period (`2026-W27`, or `2026-07` with `history.period = \"month\"`), oldest left: "
    "the status the item had that period, coloured like the Status columns.",
    ("Dashboard", "Metric"): "What is counted: KPIs and goals by status, goals per "
    "Organization, reviews overdue or never held, tasks without exactly one Accountable, "
    "findings by rule.",
    ("Dashboard", "Value"): "The count (on the first row, the as-of date).",
    ("Dashboard", "Detail"): "What the count counts: the KPI, goal or task ids (the first "
    "twelve, then how many more), or an Organization's goals by status.",
}
#: What the rules read in input columns that change what a sync reports.
INPUT_TEXT: dict[tuple[str, str], str] = {
    ("Goals", "State"): "Blank or Active: the goal is live. On hold: statuses are computed, "
    "but KPI-STALE, KPI-NO-DATA, REVIEW-OVERDUE and REVIEW-NEVER are not reported. Closed "
    "or Dropped: the goal's Status reads so, its Review status is blank, and no KPI-*, "
    "REVIEW-*, GOAL-NO-KPI or per-task RACI finding is reported for it, its KPIs and its "
    "tasks. Its KPIs without a State of their own follow it.",
    ("Goals", "Outcome"): "How a Closed goal ended; blank on a Closed goal draws "
    "GOAL-CLOSED-NO-OUTCOME.",
    ("KPIs", "State"): "The KPI's own State, as for a goal; blank follows its goal's. A "
    "Closed or Dropped KPI leaves its goal's Status roll-up.",
    ("KPI Log", "Confidence"): "How confident whoever logs the reading is that the KPI "
    "will reach its target; read by KPIs' Confidence, KPI-CONFIDENCE-MISMATCH and "
    "KPI-CONFIDENCE-DROP.",
}
_ISSUES_TEXT = "The rule ids of the row's findings, most severe first."
_TREND_TEXT = (
    "The trend, beside the counts: how many KPIs had this status at each of the last 12 "
    "periods (rows 2 to 13), read from the History tab; a stacked column chart shows it."
)


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def required_text(column: ColumnSpec) -> str:
    """yes, when ..., or blank."""
    if column.required:
        return "yes"
    if column.required_when is not None:
        other, values = column.required_when
        return f"when {other} is {' or '.join(values)}"
    return ""


def column_text(table: TableSpec, column: ColumnSpec) -> str | None:
    """What the tool writes in a column it owns (None when it has no description)."""
    if column.header == "Issues" and column.computed:
        return _ISSUES_TEXT
    if table.name == "Dashboard" and column.header in STATUS_ORDER:
        return _TREND_TEXT
    return COLUMN_TEXT.get((table.name, column.header))


def _type_rows(template: Template) -> list[str]:
    used = list(dict.fromkeys(c.type for t in template.tables for c in t.columns))
    rows = ["| Type | A cell holds |", "| --- | --- |"]
    for name in used:
        enum = template.enums.get(name)
        text = TYPE_TEXT.get(name, "") if enum is None else "one of: " + ", ".join(enum.values)
        if name == "cadence":
            text += _cadence_lengths()
        rows.append(f"| `{name}` | {_escape(text)} |")
    return rows


def _cadence_lengths() -> str:
    days = [f"{k} {v} days" for k, v in CADENCE_DAYS.items()]
    months = [f"{k} {v} calendar month{'s' if v > 1 else ''}" for k, v in CADENCE_MONTHS.items()]
    return " (" + ", ".join(days + months) + ")"


def _table_section(table: TableSpec) -> list[str]:
    kind = " (generated)" if table.kind == "generated" else ""
    lines = ["", f"## {table.name}{kind}", ""]
    if table.description:
        lines += [table.description, ""]
    if table.kind == "generated":
        lines += [
            "sheets-sync writes this whole tab at every sync; it is the tool's only while it "
            "carries the tool's mark, so a person's tab of the same name is never written.",
            "",
        ]
    lines += [
        "| Column | Type | Required | Key | Computed | Allowed values |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for c in table.columns:
        values = ", ".join(c.enum.values) if c.enum is not None else ""
        cells = [
            c.header,
            f"`{c.type}`",
            required_text(c),
            "yes" if c.key else "",
            "yes" if c.computed else "",
            values,
        ]
        lines.append("| " + " | ".join(_escape(x) for x in cells) + " |")
    if table.role_columns:
        lines.append("| *(one per person or role)* | `raci` |  |  |  | R, A, C, I, A/R |")
    owned = [c for c in table.columns if c.computed or table.kind == "generated"]
    described = [(c.header, column_text(table, c)) for c in owned]
    if any(text for _, text in described):
        title = "What each column holds:" if table.kind == "generated" else "Computed columns:"
        lines += ["", title, ""]
        lines += [f"- **{header}**: {text}" for header, text in described if text]
    inputs = [(c.header, INPUT_TEXT.get((table.name, c.header))) for c in table.columns]
    if any(text for _, text in inputs):
        lines += ["", "Columns people fill that change what a sync reports:", ""]
        lines += [f"- **{header}**: {text}" for header, text in inputs if text]
    if table.role_columns:
        lines += [
            "",
            "Role columns: any column after the template's, headed by a Person or a Role "
            "from People, or whose filled cells all hold R, A, C, I or A/R. Other columns "
            "are kept and ignored.",
        ]
    return lines


def template_markdown(template: Template) -> str:
    """The template reference: every tab, its columns, and what each computed column holds."""
    name = template.name
    lines = [
        f"# Template reference: {name} {template.version}",
        "",
        f"<!-- Generated by `sheets-sync templates show {name} --format markdown` "
        f"(`{REGENERATE}` writes docs/template.md); edit the template pack, not this page. -->",
        "",
        template.description,
        "",
        "Columns are found by their header on row 1, in any order, ignoring case and "
        "spacing; columns people add are kept and ignored. **Required** cells must be filled "
        "on every row that holds anything; the **key** names the row elsewhere and must be "
        "filled and unique. **Computed** columns (grey headers) belong to sheets-sync: it "
        "writes them at every sync and never writes any other cell of an input tab. Enum "
        "values are matched ignoring case and spacing.",
        "",
        "| Tab | Kind | Description |",
        "| --- | --- | --- |",
    ]
    for table in template.tables:
        anchor = table.name.lower().replace(" ", "-")
        if table.kind == "generated":
            anchor += "-generated"
        kind = "generated by sheets-sync" if table.kind == "generated" else "typed by people"
        lines.append(f"| [{table.name}](#{anchor}) | {kind} | {_escape(table.description)} |")
    lines += ["", "Column types:", "", *_type_rows(template)]
    for table in template.tables:
        lines += _table_section(table)
    return "\n".join(lines) + "\n"


def pages(template_name: str = "partnership") -> dict[str, str]:
    """File name -> content of every generated page."""
    return {
        "template.md": template_markdown(load_template(template_name)),
        "rules.md": rules_markdown(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Write the generated pages into a folder, or with --check say which are out of date."""
    parser = argparse.ArgumentParser(
        prog="python -m sheets_sync.docs_pages", description=main.__doc__
    )
    parser.add_argument("folder", nargs="?", default="docs", type=Path)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    folder: Path = args.folder
    stale = []
    for name, text in pages().items():
        path = folder / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(str(path))
        if not args.check:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
    verb = "out of date" if args.check else "written"
    print(f"{verb}: {', '.join(stale)}" if stale else "up to date")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
