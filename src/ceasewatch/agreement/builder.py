"""The state of one reading of an agreement document, and the lookups the sections share.

:class:`Builder` reads the header, then hands each section to its reader in
:mod:`.sections_ground` (parties, lines, zones, sites, hubs, sectors) or :mod:`.sections_duties`
(rules, complaints, the escalation ladder), in dependency order, then runs :mod:`.checks`.
Every reader records located problems and keeps what was readable; :meth:`Builder.refer`
resolves references and reports each unknown id once.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from pathlib import Path as FsPath
from typing import Any

from ceasewatch.agreement import checks
from ceasewatch.agreement import sections_duties as duties
from ceasewatch.agreement import sections_ground as ground
from ceasewatch.agreement.digest import agreement_digest
from ceasewatch.agreement.geojson import GeometryFiles
from ceasewatch.agreement.reader import Context, Obj
from ceasewatch.agreement.schema import (
    ENTRY_KEYS,
    LIST_SECTIONS,
    TOP_OPTIONAL,
    TOP_REQUIRED,
    complete,
    entry_shape,
    guess_section,
    sections_elsewhere,
)
from ceasewatch.agreement.types import (
    FORMAT,
    Agreement,
    Contributor,
    EscalationStep,
    Hub,
    Line,
    Party,
    ProtectedSite,
    Recipient,
    Rule,
    Sector,
    Supersedes,
    WeaponClassDef,
    Withdrawal,
    Zone,
)
from ceasewatch.agreement.yamldoc import Path, pointer
from ceasewatch.errors import Problem
from ceasewatch.model.ids import AgreementId


class Builder:
    """Reads the sections in dependency order; each keeps what was readable."""

    def __init__(self, ctx: Context, base_dir: FsPath) -> None:
        self.ctx = ctx
        self.base_dir = base_dir
        self.parties: list[Party] = []
        self.lines: list[Line] = []
        self.weapons: list[WeaponClassDef] = []
        self.zones: list[Zone] = []
        self.withdrawal: Withdrawal | None = None
        self.sites: list[ProtectedSite] = []
        self.hubs: list[Hub] = []
        self.contributors: list[Contributor] = []
        self.sectors: list[Sector] = []
        self.rules: list[Rule] = []
        self.recipients: list[Recipient] = []
        self.escalation: list[EscalationStep] = []
        self.escalation_paths: list[Path] = []
        # Every id declared per section (readable or not), to avoid cascades of errors about
        # references to something that was declared but broken.
        self.declared: dict[str, dict[str, Path]] = {}
        # Sections with an entry whose id could not be read (or a section that is missing or
        # unreadable): a reference to an unknown id may be to that entry, so it is not reported.
        self.incomplete: set[str] = set()
        self.area_settled: set[str] = set()  # parties that name an area, or whose lack was reported
        # (section, unknown id) -> (index of its problem, message, lines of later uses)
        self.unknown: dict[tuple[str, str], tuple[int, str, list[int]]] = {}
        self.misplaced: dict[str, str] = {}  # section -> section its last entries belong to

    def build(self) -> Agreement | None:
        if self.ctx.doc.data is None:
            self.ctx.problems.append(
                Problem(
                    self.ctx.doc.file,
                    "empty-document",
                    "the document is empty.",
                    f"start it with 'format: {FORMAT}' and the sections described in "
                    "docs/agreement.md, or copy an example.",
                    1,
                    1,
                )
            )
            return None
        elsewhere = sections_elsewhere(self.ctx.doc.data)  # reported as misplaced entries
        top = self.ctx.obj(
            (),
            self.ctx.doc.data,
            required=tuple(name for name in TOP_REQUIRED if name not in elsewhere),
            optional=TOP_OPTIONAL,
            what="the agreement document",
        )
        if top is None:
            return None
        fmt = top.text("format")
        if fmt is not None and fmt != FORMAT:
            self.ctx.problem(
                "bad-format-version",
                top.at("format"),
                f"format {fmt!r} is not readable by this version of ceasewatch.",
                f"write 'format: {FORMAT}'.",
            )
        agreement_id = top.ident("id")
        version = top.integer("version", minimum=1)
        title = top.text("title")
        signed = top.time("signed")
        effective_from = top.time("effective_from")
        supersedes = self._supersedes(top, version)
        default_geometry = top.text("geometry", required=False, default="") or None
        self.files = GeometryFiles(self.ctx, self.base_dir, default_geometry)
        if top.has("geometry") and default_geometry is None:
            self.files.default_reported = True  # named but unreadable: reported above
        notes = self.texts(top, "notes")
        sources = self.texts(top, "sources")

        ground.read_parties(self, top)
        ground.read_weapon_classes(self, top)
        ground.read_lines(self, top)
        ground.read_zones(self, top)
        ground.read_withdrawal(self, top)
        ground.read_sites(self, top)
        ground.read_contributors(self, top)
        ground.read_hubs(self, top)
        ground.read_sectors(self, top)
        duties.read_recipients(self, top)
        duties.read_escalation(self, top)
        answer_h = duties.read_complaints(self, top)
        duties.read_rules(self, top, effective_from)
        checks.run_all(self)

        if self.ctx.problems or None in (agreement_id, version, title, effective_from, answer_h):
            return None
        assert agreement_id and version and title and effective_from and answer_h is not None
        return Agreement(
            id=AgreementId(agreement_id),
            version=version,
            title=title,
            signed=signed,
            effective_from=effective_from,
            supersedes=supersedes,
            parties=tuple(self.parties),
            lines=tuple(self.lines),
            weapon_classes=tuple(self.weapons),
            zones=tuple(self.zones),
            withdrawal=self.withdrawal,
            sites=tuple(self.sites),
            hubs=tuple(self.hubs),
            contributors=tuple(self.contributors),
            sectors=tuple(self.sectors),
            rules=tuple(self.rules),
            recipients=tuple(self.recipients),
            escalation=tuple(self.escalation),
            complaint_answer_h=answer_h,
            notes=notes,
            sources=sources,
            digest=agreement_digest(self.ctx.doc.data, self.files.digests),
            source=self.ctx.doc.file,
        )

    def _supersedes(self, top: Obj, version: int | None) -> Supersedes | None:
        if not top.has("supersedes"):
            if version is not None and version > 1:
                self.ctx.problem(
                    "missing-field",
                    top.at("version"),
                    f"version {version} must name the version it supersedes.",
                    f"add 'supersedes: {{version: {version - 1}, digest: "
                    "sha256:...}' (ceasewatch agreement check prints the digest).",
                )
            return None
        obj = self.ctx.obj(
            top.at("supersedes"), top.raw("supersedes"), required=("version", "digest")
        )
        if obj is None:
            return None
        old = obj.integer("version", minimum=1)
        digest = obj.text("digest")
        if digest is not None and not _is_digest(digest):
            self.ctx.problem(
                "bad-value",
                obj.at("digest"),
                f"{digest!r} is not a digest of the form sha256:<64 hex digits>.",
                "copy the digest printed by 'ceasewatch agreement check'.",
            )
            digest = None
        if version == 1:
            self.ctx.problem(
                "bad-value",
                top.at("supersedes"),
                "version 1 is the first version: it supersedes nothing.",
                "remove 'supersedes', or number this document as the amendment it is.",
            )
            return None
        if old is not None and version is not None and old != version - 1:
            self.ctx.problem(
                "bad-value",
                obj.at("version"),
                f"version {version} supersedes version {old}; amendments are consecutive.",
                f"write 'version: {version - 1}'.",
            )
        if old is None or digest is None:
            return None
        return Supersedes(old, digest)

    def texts(self, top: Obj, name: str) -> tuple[str, ...]:
        value = top.raw(name)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value.strip(),)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(v.strip() for v in value)
        self.ctx.problem(
            "wrong-type",
            top.at(name),
            f"{pointer(top.at(name))}: expected text or a list of texts.",
            "write one string per item.",
        )
        return ()

    def entries(self, top: Obj, name: str) -> list[tuple[Obj, str]]:
        """The items of a list section as readers, with their (unique) ids."""
        required, optional = ENTRY_KEYS[name]
        found: list[tuple[Obj, str]] = []
        ids = self.declared.setdefault(name, {})
        if top.has(name) and not isinstance(top.raw(name), list):
            self.incomplete.add(name)  # not a list (reported by top.items)
        if not top.has(name) and name in TOP_REQUIRED:
            self.incomplete.add(name)  # missing (reported by the top-level keys)
        for path, item in top.items(name):
            if self.misplaced_entry(name, path, item):
                continue
            if path in self.ctx.doc.repeated:  # two entries ran together (reported): one id lost
                self.incomplete.add(name)
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    ids.setdefault(item["id"], path)
                continue
            obj = self.ctx.obj(
                path,
                item,
                required=("id", *required),
                optional=optional,
                what=f"an entry of {name}",
            )
            ident = obj.ident("id") if obj is not None else None
            if obj is None or ident is None:
                self.incomplete.add(name)
                continue
            if ident in ids:
                self.ctx.problem(
                    "duplicate-id",
                    obj.at("id"),
                    f"{name}: id {ident!r} is used twice (first at {pointer(ids[ident])}).",
                    "give each entry its own id.",
                )
                continue
            ids[ident] = path
            found.append((obj, ident))
        return found

    def misplaced_entry(self, name: str, path: Path, item: Any) -> bool:
        """Report an entry that belongs to a section the document lacks; True if so.

        After the first such entry, the following ones that fit the same section belong to it
        too (they are what a deleted section line leaves behind) and are not reported again.
        """
        if not isinstance(item, dict) or not isinstance(self.ctx.doc.data, dict):
            return False
        keys = set(item)
        other = self.misplaced.get(name)
        if other is None or complete(keys, name) or not complete(keys, other):
            absent = {n for n in LIST_SECTIONS if n not in self.ctx.doc.data}
            other = guess_section(keys, name, absent)
            if other is not None and keys <= entry_shape(name)[1]:
                # Only missing fields: orphans only if they are several and end the list.
                rest = self.ctx.doc.data[name][int(path[-1]) + 1 :]
                if not rest or not all(
                    isinstance(i, dict) and complete(set(i), other) for i in rest
                ):
                    other = None
        if other is None:
            return False
        self.incomplete.add(other)  # references to its entries are not reported as unknown
        if isinstance(item.get("id"), str):
            self.declared.setdefault(other, {}).setdefault(item["id"], path)
        if self.misplaced.get(name) != other:
            self.misplaced[name] = other
            self._report_misplaced(name, path, keys, other)
        return True

    def _report_misplaced(self, name: str, path: Path, keys: set[str], other: str) -> None:
        required, allowed = entry_shape(name)
        foreign, missing = sorted(keys - allowed), sorted(required - keys)
        hint = f"if the '{other}:' line is missing above it, add it (or move the entry there)"
        verb = "is" if len(foreign or missing) == 1 else "are"
        if foreign:
            code, what = "unknown-key", f"{', '.join(foreign)} {verb} not allowed in {name}"
            fix = f"{hint}; otherwise remove {', '.join(foreign)}."
        else:
            code, what = "missing-field", f"{', '.join(missing)} {verb} missing for {name}"
            fix = f"{hint}; otherwise add {' and '.join(repr(f'{m}: ...') for m in missing)}."
        self.ctx.problem(code, path, f"{pointer(path)}: {what}, but the entry fits '{other}'.", fix)

    def refer(
        self,
        section: str,
        ident: str,
        path: Path,
        noun: str,
        *,
        also: tuple[str, ...] = (),
        key: bool = False,
    ) -> bool:
        """Whether ``ident`` is declared in ``section`` (or is one of ``also``); if not, say so.

        An unknown id is reported once, at its first use, listing the lines of the others.
        Nothing is reported when the section has an entry whose id could not be read: the
        reference may be to that entry, whose own problem is reported already.
        """
        known = [*self.declared.get(section, {}), *also]
        if ident in known:
            return True
        if section in self.incomplete:
            return False
        if (section, ident) in self.unknown:
            self._also_named(section, ident, path)
            return False
        if isinstance(self.ctx.doc.data, dict) and section not in self.ctx.doc.data:
            self.incomplete.add(section)  # one problem for the missing section, not one per use
            self.ctx.problem(
                "bad-reference",
                path,
                f"{pointer(path)}: no {noun} {ident!r}: the document has no '{section}' section.",
                f"add a '{section}:' section that defines {ident!r} (other references into it "
                "are not reported separately).",
                key=key,
            )
            return False
        close = difflib.get_close_matches(ident, known, n=1, cutoff=0.6)
        choices = ", ".join(sorted(known))
        if not choices:
            fix = f"define it under '{section}' (it defines none yet)."
        elif close:
            fix = f"did you mean {close[0]!r}? The {section} are: {choices}."
        else:
            fix = f"define it under '{section}', or use one of: {choices}."
        message = f"{pointer(path)}: no {noun} {ident!r}"
        self.ctx.problem("bad-reference", path, message + ".", fix, key=key)
        self.unknown[(section, ident)] = (len(self.ctx.problems) - 1, message, [])
        return False

    def _also_named(self, section: str, ident: str, path: Path) -> None:
        index, message, lines = self.unknown[(section, ident)]
        lines.append(self.ctx.doc.position(path)[0] or 0)
        where = f"line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}"
        problem = self.ctx.problems[index]
        self.ctx.problems[index] = replace(problem, message=f"{message} (also named on {where}).")

    def party(self, party_id: str, path: Path) -> Party | None:
        if not self.refer("parties", party_id, path, "party"):
            return None
        return next((p for p in self.parties if p.id == party_id), None)

    def line(self, line_id: str, path: Path) -> Line | None:
        """The line, or None if it is unknown (reported here) or broken (reported already)."""
        if not self.refer("lines", line_id, path, "line"):
            return None
        return next((line for line in self.lines if line.id == line_id), None)


def _is_digest(text: str) -> bool:
    prefix, _, hexpart = text.partition(":")
    return (
        prefix == "sha256" and len(hexpart) == 64 and all(c in "0123456789abcdef" for c in hexpart)
    )
