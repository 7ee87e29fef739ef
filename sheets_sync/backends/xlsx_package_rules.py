"""Conditional formats, validations and worksheet extensions as comparable tuples."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sheets_sync.backends.xlsx_package_model import SheetFeatures
from sheets_sync.backends.xlsx_package_xml import (
    canonical_number,
    children,
    first,
    local,
    normalize_formula,
    normalize_sqref,
)

#: Rule attributes that change what a rule matches, with the schema's defaults.
_RULE_ATTRIBUTES = {
    "text": "",
    "timePeriod": "",
    "rank": "",
    "percent": "0",
    "bottom": "0",
    "aboveAverage": "1",
    "equalAverage": "0",
    "stdDev": "",
    "stopIfTrue": "0",
}
_RULE_VISUALS = frozenset({"colorScale", "dataBar", "iconSet"})
#: Extension contents counted by their items: content -> (item, feature name).
_EXTENSION_ITEMS = {
    "sparklineGroups": ("sparklineGroup", "sparkline group"),
    "slicerList": ("slicer", "slicer"),
    "timelineRefs": ("timelineRef", "timeline"),
    "protectedRanges": ("protectedRange", "protected range"),
    "ignoredErrors": ("ignoredError", "ignored error"),
}
#: Extensions that only set how the sheet is viewed: Mac Excel 2008's page layout view.
_VIEW_EXTENSIONS = frozenset({"PLV"})


def canonical(elem: ET.Element) -> str:
    """A stable one-line spelling of an element: name, sorted attributes, children, text."""
    attrs = ",".join(
        f"{key}={canonical_number(value)}"
        for key, value in sorted(elem.attrib.items())
        if not key.startswith("{")
    )
    inner = [canonical(child) for child in elem if isinstance(child.tag, str)]
    text = (elem.text or "").strip()
    if text:
        inner.append(normalize_formula(text))
    return f"{local(elem.tag)}[{attrs}]({' '.join(inner)})"


def conditional_format(sqref: str, rule: ET.Element, prefix: str) -> tuple[str, str, str, str]:
    """(sqref, type, operator, formulas and parameters) of one ``cfRule``."""
    parts: list[str] = []
    for child in rule:
        if not isinstance(child.tag, str):
            continue
        name = local(child.tag)
        if name in ("formula", "f"):
            parts.append(normalize_formula(child.text or ""))
        elif name in _RULE_VISUALS:
            parts.append(canonical(child))
    for key, default in _RULE_ATTRIBUTES.items():
        raw = rule.get(key)
        if raw is not None and canonical_number(raw) != default:
            parts.append(f"{key}={canonical_number(raw)}")
    return (sqref, prefix + rule.get("type", ""), rule.get("operator", ""), "; ".join(parts))


def _formula_text(item: ET.Element, name: str) -> str:
    elem = first(item, name)
    if elem is None:
        return ""
    inner = first(elem, "f")  # x14 validations wrap the formula in xm:f
    return normalize_formula((inner.text if inner is not None else elem.text) or "")


def validation(item: ET.Element, sqref: str) -> tuple[str, str, str, str, str]:
    """(sqref, type, operator, formula1, formula2) of one ``dataValidation``."""
    return (
        sqref,
        item.get("type", "none"),
        item.get("operator", "between"),
        _formula_text(item, "formula1"),
        _formula_text(item, "formula2"),
    )


def _sqref_child(elem: ET.Element) -> str:
    sqref = first(elem, "sqref")
    return normalize_sqref(sqref.text or "") if sqref is not None else ""


def read_extension(sheet: SheetFeatures, ext: ET.Element) -> None:
    """Record one ``ext`` of a worksheet's ``extLst``: newer rules, sparklines, slicers."""
    content = next((child for child in ext if isinstance(child.tag, str)), None)
    if content is None:
        return
    name = local(content.tag)
    if name == "conditionalFormattings":
        for block in children(content, "conditionalFormatting"):
            sqref = _sqref_child(block)
            for rule in children(block, "cfRule"):
                sheet.conditional_formats.add(conditional_format(sqref, rule, "x14:"))
    elif name == "dataValidations":
        for item in children(content, "dataValidation"):
            sheet.validations.add(validation(item, _sqref_child(item)))
    elif name in _EXTENSION_ITEMS:
        item_name, what = _EXTENSION_ITEMS[name]
        sheet.count(what, sum(1 for _ in children(content, item_name)))
    elif name not in _VIEW_EXTENSIONS:
        sheet.count("x14 extension")
