"""What the parts of a package are, by content type, and what people call them."""

from __future__ import annotations

#: Content types (lower case) whose parts are compared by what they hold, sheet by
#: sheet, not counted: an empty drawing part a writer leaves out is no loss.
_COMPARED_TYPES = (
    "worksheet+xml", "chartsheet+xml", "dialogsheet+xml", "macrosheet+xml", ".drawing+xml",
    ".comments+xml", ".table+xml", ".threadedcomments+xml",
)  # fmt: skip
_VBA = "application/vnd.ms-office.vbaproject"
#: Content types that say nothing of what a part is.
_GENERIC_TYPES = frozenset(
    {"", "application/xml", "text/xml", "application/octet-stream", "application/binary"}
)
#: Relationship type (last segment, lower case) -> name, for parts of a generic type.
_ROLE_NAMES = {
    "xmlmaps": "XML map",
    "customxml": "custom XML data",
    "customxmlprops": "custom XML properties",
    "vbaproject": "VBA macros",
    "connections": "data connection",
    "customproperty": "sheet custom property data",
    "package": "embedded object",
    "oleobject": "embedded object",
}
#: Content type (lower case, from the last ``.``) -> what a person calls the part.
_PART_NAMES = {
    "xmlmaps+xml": "XML map",
    "connections+xml": "data connection",
    "querytable+xml": "query table",
    "pivottable+xml": "pivot table",
    "pivotcachedefinition+xml": "pivot cache",
    "pivotcacherecords+xml": "pivot cache records",
    "externallink+xml": "external link",
    "table+xml": "table",
    "tablesinglecells+xml": "XML-mapped cell",
    "comments+xml": "comments",
    "threadedcomments+xml": "threaded comments",
    "person+xml": "comment people list",
    "drawing+xml": "drawing",
    "chart+xml": "chart",
    "chartex+xml": "chart (new type)",
    "vmldrawing": "VML drawing",
    "vbaproject": "VBA macros",
    "vbaprojectsignature": "VBA signature",
    "slicer+xml": "slicer",
    "slicercache+xml": "slicer cache",
    "timeline+xml": "timeline",
    "timelinecache+xml": "timeline cache",
    "sheetmetadata+xml": "cell metadata",
    "featurepropertybag+xml": "cell checkbox definitions",
    "custom-properties+xml": "custom document properties",
    "customxmlproperties+xml": "custom XML properties",
    "oleobject": "embedded object",
    "activex+xml": "ActiveX control",
    "activex": "ActiveX control data",
    "controlproperties+xml": "form control",
    "model+data": "data model",
    "webextension+xml": "Office add-in",
    "webextensiontaskpanes+xml": "Office add-in task pane",
    "revisionheaders+xml": "change history",
    "revisionlog+xml": "change history",
    "usernames+xml": "shared workbook users",
    "volatiledependencies+xml": "volatile dependencies",
    "digital-signature-xmlsignature+xml": "digital signature",
    "digital-signature-origin": "digital signature",
    "customproperty": "sheet custom property data",
    "classificationlabels+xml": "sensitivity label",
}
#: Whole content types (lower case) -> name, for the ones not told apart by their tail.
_WHOLE_TYPES = {
    "application/xml": "custom XML data",
    "text/xml": "custom XML data",
    "application/vnd.ms-excel": "embedded object",
    "application/msword": "embedded object",
    "application/vnd.ms-powerpoint": "embedded object",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "embedded object",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "embedded object",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "embedded object"
    ),
}


def part_kind(content_type: str, part: str = "", role: str = "") -> str | None:
    """The key parts are matched by, or None for parts compared elsewhere.

    Images count as one kind whatever their format, and so do the parts of rich
    values (pictures in cells, linked data types): writers may convert between them.
    A file ``[Content_Types].xml`` does not list is no part to Excel, yet bytes a
    save would drop all the same; a macro project is still known by its name.
    """
    lower = content_type.lower().strip()
    if lower in _GENERIC_TYPES and role in _ROLE_NAMES:
        return "role:" + role  # Excel lists an XML map as plain application/xml
    if not lower:
        return _VBA if part.lower().endswith("vbaproject.bin") else "unlisted"
    if lower.endswith(_COMPARED_TYPES) or ".main+xml" in lower:
        return None
    if lower.startswith("image/"):
        return "image/*"
    if lower.startswith(("application/vnd.ms-excel.rd", "application/vnd.ms-excel.richvalue")):
        return "application/vnd.ms-excel.rd*"
    return lower


def part_name(kind: str) -> str:
    """What a person calls a part of this kind ("XML map", "data connection"...)."""
    if kind.startswith("role:"):
        return _ROLE_NAMES[kind[5:]]
    if kind == "unlisted":
        return "file outside the package's content types"
    if kind == "image/*":
        return "image file"
    if kind == "application/vnd.ms-excel.rd*":
        return "rich value data (pictures in cells, data types)"
    if kind in _WHOLE_TYPES:
        return _WHOLE_TYPES[kind]
    tail = kind.rpartition("/")[2]
    for suffix, name in _PART_NAMES.items():
        if tail == suffix or tail.endswith("." + suffix) or tail.endswith("-" + suffix):
            return name
    return tail.rpartition(".")[2].removesuffix("+xml") + " part"
