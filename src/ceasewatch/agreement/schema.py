"""What each section of an agreement document accepts.

The table of keys drives the reader, and also recognises an entry that ended up under the
wrong section (a deleted section line leaves its entries under the section above), so that such
a slip is reported once, as what it is, instead of as a dozen unknown keys.
"""

from __future__ import annotations

from typing import Any

from ceasewatch.agreement.reader import length_keys

TOP_REQUIRED = (
    "format", "id", "version", "title", "effective_from", "parties", "rules",
    "complaints", "recipients", "escalation",
)  # fmt: skip
TOP_OPTIONAL = (
    "signed", "supersedes", "geometry", "notes", "sources", "lines", "weapon_classes", "zones",
    "withdrawal", "protected_sites", "hubs", "contributors", "sectors",
)  # fmt: skip


# What one entry of each list section accepts besides its 'id': (required, optional) keys, in
# the order the sections usually have in a document.
ENTRY_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "parties": (("name",), ("role", "area")),
    "lines": (("between",), ("name", *length_keys("min_piece"))),
    "weapon_classes": ((), ("name", *length_keys("max_range"))),
    "zones": ((), ("name", "band", "area", "party", "caps")),
    "protected_sites": (("name",), ("point", "area", *length_keys("radius"))),
    "contributors": (("name",), ("assets",)),
    "hubs": (
        ("name", "point", "min_distance_from_line_km"),
        ("min_distance_from_line_m", "contributor"),
    ),
    "sectors": (("name", "area"), ()),
    "rules": (("title", "forbid", "where", "severity"), ("by", "weapons", "effective", "unless")),
    "recipients": (("name",), ()),
}
ESCALATION_STEP: tuple[tuple[str, ...], tuple[str, ...]] = (("after_h", "notify"), ("escalate",))
LIST_SECTIONS = (*ENTRY_KEYS, "escalation")


def entry_shape(section: str) -> tuple[set[str], set[str]]:
    """The required and the allowed keys of one entry of a list section."""
    if section == "escalation":
        required, optional = ESCALATION_STEP
    else:
        required, optional = (("id", *ENTRY_KEYS[section][0]), ENTRY_KEYS[section][1])
    return set(required), {*required, *optional}


def complete(keys: set[str], section: str) -> bool:
    required, allowed = entry_shape(section)
    return required <= keys <= allowed


def guess_section(keys: set[str], current: str, absent: set[str]) -> str | None:
    """The absent section that an entry of ``current`` with ``keys`` belongs to, if any.

    A deleted section line (``weapon_classes:``) leaves that section's entries under the section
    above. An entry that is not a complete entry of ``current`` but is one of a section the
    document lacks is taken for such an orphan; the nearest section after ``current`` wins.
    """
    if complete(keys, current):
        return None
    start = LIST_SECTIONS.index(current)
    after = (*LIST_SECTIONS[start + 1 :], *LIST_SECTIONS[:start])
    return next((name for name in after if name in absent and complete(keys, name)), None)


def sections_elsewhere(data: Any) -> set[str]:
    """Missing sections whose entries sit under another section (a deleted section line)."""
    if not isinstance(data, dict):
        return set()
    absent = {name for name in LIST_SECTIONS if name not in data}
    found = set()
    for name in LIST_SECTIONS:
        items = data.get(name)
        for item in items if isinstance(items, list) else ():
            other = guess_section(set(item), name, absent) if isinstance(item, dict) else None
            if other is not None:
                found.add(other)
    return found
