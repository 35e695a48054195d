"""Read an agreement document (YAML + GeoJSON) into an :class:`Agreement`, or report every problem.

One pass reads each section, recording located problems and carrying on; the cross-checks in
:mod:`.checks` then run on whatever was readable. Only a document with no problem at all
becomes an :class:`Agreement`; otherwise :class:`~ceasewatch.errors.AgreementError` lists them
all, sorted by place.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path as FsPath
from typing import Any

from shapely.geometry import Point

from ceasewatch.agreement import checks
from ceasewatch.agreement.derive import shared_boundary
from ceasewatch.agreement.digest import agreement_digest
from ceasewatch.agreement.geojson import POLYGONAL, GeometryFiles, as_multipolygon
from ceasewatch.agreement.reader import Context, Obj, length_keys
from ceasewatch.agreement.types import (
    FORMAT,
    Activity,
    Agreement,
    Band,
    Contributor,
    EscalationStep,
    Hub,
    Line,
    Party,
    ProtectedSite,
    Recipient,
    Rule,
    Sector,
    Severity,
    Supersedes,
    WeaponClassDef,
    Where,
    WhereKind,
    Withdrawal,
    Zone,
)
from ceasewatch.agreement.yamldoc import Path, load_located, pointer
from ceasewatch.errors import AgreementError, Problem
from ceasewatch.model.geo import geodesic_length_m
from ceasewatch.model.ids import (
    AgreementId,
    HubId,
    LineId,
    PartyId,
    RecipientId,
    RuleId,
    SectorId,
    SiteId,
    WeaponClass,
    ZoneId,
)

TOP_REQUIRED = (
    "format", "id", "version", "title", "effective_from", "parties", "rules",
    "complaints", "recipients", "escalation",
)  # fmt: skip
TOP_OPTIONAL = (
    "signed", "supersedes", "geometry", "notes", "sources", "lines", "weapon_classes", "zones",
    "withdrawal", "protected_sites", "hubs", "contributors", "sectors",
)  # fmt: skip


def load_agreement(path: str | FsPath) -> Agreement:
    """Load and check the agreement document at ``path`` (its GeoJSON files beside it)."""
    location = FsPath(path)
    try:
        raw = location.read_bytes()
    except OSError as exc:
        raise AgreementError(
            [
                Problem(
                    str(location),
                    "file-not-found",
                    f"cannot read the agreement ({exc.strerror}).",
                    "check the path.",
                )
            ]
        ) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AgreementError(
            [
                Problem(
                    str(location),
                    "yaml-syntax",
                    f"the file is not UTF-8 ({exc.reason} at byte {exc.start}).",
                    "save the file as UTF-8.",
                )
            ]
        ) from exc
    return parse_agreement(text, str(location), location.parent)


def parse_agreement(text: str, file: str, base_dir: FsPath) -> Agreement:
    """Parse agreement text; GeoJSON references resolve relative to ``base_dir``."""
    document, problems = load_located(text, file)
    if document is None:
        raise AgreementError(problems)
    ctx = Context(document, problems)
    builder = _Builder(ctx, base_dir)
    agreement = builder.build()
    if ctx.problems or agreement is None:
        raise AgreementError(sorted(ctx.problems, key=_place))
    return agreement


def _place(problem: Problem) -> tuple[str, int, int, str]:
    return (problem.file, problem.line or 0, problem.column or 0, problem.pointer)


class _Builder:
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

    # The document is read top-down; sections that refer to others come after them.
    def build(self) -> Agreement | None:
        top = self.ctx.obj(
            (),
            self.ctx.doc.data,
            required=TOP_REQUIRED,
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
        notes = self._texts(top, "notes")
        sources = self._texts(top, "sources")

        self._parties(top)
        self._weapon_classes(top)
        self._lines(top)
        self._zones(top)
        self._withdrawal(top)
        self._sites(top)
        self._contributors(top)
        self._hubs(top)
        self._sectors(top)
        self._recipients(top)
        self._escalation(top)
        answer_h = self._complaints(top)
        self._rules(top, effective_from)
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

    # -- header ------------------------------------------------------------------------------

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

    def _texts(self, top: Obj, name: str) -> tuple[str, ...]:
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
            f"{name} must be text or a list of texts.",
            "write one string per item.",
        )
        return ()

    # -- sections ----------------------------------------------------------------------------

    def _entries(
        self, top: Obj, name: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> list[tuple[Obj, str]]:
        """The items of a list section as readers, with their (unique) ids."""
        found: list[tuple[Obj, str]] = []
        ids = self.declared.setdefault(name, {})
        for path, item in top.items(name):
            obj = self.ctx.obj(
                path,
                item,
                required=("id", *required),
                optional=optional,
                what=f"an entry of {name}",
            )
            if obj is None:
                continue
            ident = obj.ident("id")
            if ident is None:
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

    def _parties(self, top: Obj) -> None:
        for obj, ident in self._entries(top, "parties", ("name",), ("role", "area")):
            role = obj.choice("role", ("party", "mission"), default="party") or "party"
            area = None
            if obj.has("area"):
                feature = self.files.resolve(obj.at("area"), obj.raw("area"), POLYGONAL)
                area = as_multipolygon(feature.geometry) if feature else None
            self.parties.append(Party(PartyId(ident), obj.text("name") or ident, role, area))

    def _weapon_classes(self, top: Obj) -> None:
        for obj, ident in self._entries(
            top, "weapon_classes", (), ("name", *length_keys("max_range"))
        ):
            self.weapons.append(
                WeaponClassDef(
                    WeaponClass(ident),
                    obj.text("name", required=False, default=ident) or ident,
                    obj.quantity("max_range"),
                )
            )

    def _lines(self, top: Obj) -> None:
        for obj, ident in self._entries(
            top, "lines", ("between",), ("name", *length_keys("min_piece"))
        ):
            between = obj.ident_list("between")
            min_piece_m = obj.quantity("min_piece") or 0.0
            if between is None:
                continue
            if len(between) != 2 or between[0] == between[1]:
                self.ctx.problem(
                    "bad-value",
                    obj.at("between"),
                    f"lines[{ident}]: 'between' names two different parties.",
                    "write between: [A, B] with the ids of two parties.",
                )
                continue
            areas = []
            for index, party_id in enumerate(between):
                party = self._party(party_id, (*obj.at("between"), index))
                if party is not None and party.area is None:
                    self.ctx.problem(
                        "missing-area",
                        (*obj.at("between"), index),
                        f"party {party_id!r} has no area, so no line can be derived from it.",
                        f"give party {party_id} an 'area'.",
                    )
                areas.append(party.area if party else None)
            first, second = areas
            if first is None or second is None:
                continue
            geometry = shared_boundary(first, second, min_piece_m=min_piece_m)
            if geometry.is_empty:
                gap_km = _gap_km(first, second)
                self.ctx.problem(
                    "empty-line",
                    obj.at("between"),
                    f"the areas of {between[0]} and {between[1]} share no "
                    f"boundary (closest approach about {gap_km:.3g} km).",
                    "the line is derived as the shared boundary of the two areas: "
                    "make them touch along it (e.g. cut one out of the other).",
                )
                continue
            self.lines.append(
                Line(
                    LineId(ident),
                    obj.text("name", required=False, default=ident) or ident,
                    (PartyId(between[0]), PartyId(between[1])),
                    geometry,
                    geodesic_length_m(geometry),
                )
            )

    def _zones(self, top: Obj) -> None:
        for obj, ident in self._entries(
            top, "zones", (), ("name", "band", "area", "party", "caps")
        ):
            name = obj.text("name", required=False, default=ident) or ident
            party = obj.ident("party")
            if party is not None:
                self._party(party, obj.at("party"))
            caps = self._caps(obj)
            if obj.has("band") == obj.has("area"):
                self.ctx.problem(
                    "bad-value",
                    obj.path,
                    f"zones[{ident}]: give exactly one of 'band' or 'area'.",
                    "a zone is either a band derived from a line or an area.",
                )
                continue
            if obj.has("band"):
                band = self._band(obj.at("band"), obj.raw("band"))
                if band is not None:
                    self.zones.append(
                        Zone(
                            ZoneId(ident),
                            name,
                            band,
                            None,
                            PartyId(party) if party else band.side,
                            caps,
                        )
                    )
            else:
                feature = self.files.resolve(obj.at("area"), obj.raw("area"), POLYGONAL)
                if feature is not None:
                    self.zones.append(
                        Zone(
                            ZoneId(ident),
                            name,
                            None,
                            as_multipolygon(feature.geometry),
                            PartyId(party) if party else None,
                            caps,
                        )
                    )

    def _band(self, path: Path, value: Any) -> Band | None:
        obj = self.ctx.obj(
            path,
            value,
            required=("line", "side", "to_km"),
            optional=("to_m", *length_keys("from")),
            what="a band",
        )
        if obj is None:
            return None
        line_id = obj.ident("line")
        side = obj.ident("side")
        from_m = obj.quantity("from") or 0.0
        to_m = obj.quantity("to")
        line = self._line(line_id, obj.at("line")) if line_id else None
        if line is not None and side is not None and side != "both" and side not in line.between:
            self.ctx.problem(
                "bad-reference",
                obj.at("side"),
                f"side {side!r} is not a party of line {line.id!r}.",
                f"use one of: {', '.join(line.between)}, both.",
            )
            return None
        if to_m is not None and from_m >= to_m:
            self.ctx.problem(
                "bad-value",
                obj.path,
                f"the band starts at {from_m:g} m and ends "
                f"at {to_m:g} m; it must end beyond where it starts.",
                "make 'to' larger than 'from'.",
            )
            return None
        if line is None or side is None or to_m is None:
            return None
        return Band(line.id, None if side == "both" else PartyId(side), from_m, to_m)

    def _caps(self, obj: Obj) -> tuple[tuple[str, int], ...]:
        raw = obj.raw("caps")
        if raw is None:
            return ()
        caps = self.ctx.obj(obj.at("caps"), raw, what="caps", any_keys=True)
        if caps is None:
            return ()
        found = []
        for key in raw:
            count = caps.integer(key, minimum=0)
            if count is not None:
                found.append((key, count))
        return tuple(sorted(found))

    def _withdrawal(self, top: Obj) -> None:
        if not top.has("withdrawal"):
            return
        obj = self.ctx.obj(
            top.at("withdrawal"),
            top.raw("withdrawal"),
            required=("line",),
            optional=("distances_km", "distances_m"),
            what="withdrawal",
        )
        if obj is None:
            return
        line_id = obj.ident("line")
        line = self._line(line_id, obj.at("line")) if line_id else None
        keys = [k for k in ("distances_km", "distances_m") if obj.has(k)]
        if len(keys) != 1:
            self.ctx.problem(
                "missing-field",
                obj.path,
                "withdrawal needs exactly one of distances_km or distances_m.",
                "add 'distances_km:' with one entry per weapon class.",
            )
            return
        key = keys[0]
        scale = 1000.0 if key.endswith("_km") else 1.0
        table = self.ctx.obj(obj.at(key), obj.raw(key), what=key, any_keys=True)
        if table is None or line is None:
            return
        found: list[tuple[WeaponClass, PartyId, float]] = []
        for weapon, spec in table.value.items():
            where = table.at(weapon)
            per_side = spec if isinstance(spec, dict) else {p: spec for p in line.between}
            for party_id, value in per_side.items():
                at = (*where, party_id) if isinstance(spec, dict) else where
                if party_id not in line.between:
                    self.ctx.problem(
                        "bad-reference",
                        at,
                        f"{party_id!r} is not a party of line {line.id!r}.",
                        f"use {' or '.join(line.between)}.",
                    )
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                    self.ctx.problem(
                        "wrong-type",
                        at,
                        f"{pointer(at)}: the withdrawal "
                        f"distance must be a positive number, got {value!r}.",
                        f"write a number of {key[-2:].strip('_')}, e.g. 50.",
                    )
                    continue
                found.append((WeaponClass(weapon), PartyId(party_id), float(value) * scale))
        self.withdrawal = Withdrawal(line.id, tuple(found))
        for weapon, party_id, distance_m in found:
            zone_id = self.withdrawal.zone_id(weapon, party_id)
            self.declared.setdefault("zones", {})[zone_id] = table.at(weapon)
            self.zones.append(
                Zone(
                    zone_id,
                    f"{weapon} withdrawal zone, {party_id} side",
                    Band(line.id, party_id, 0.0, distance_m),
                    None,
                    party_id,
                    derived_from="withdrawal",
                )
            )

    def _sites(self, top: Obj) -> None:
        for obj, ident in self._entries(
            top, "protected_sites", ("name",), ("point", "area", *length_keys("radius"))
        ):
            radius_m = obj.quantity("radius") or 0.0
            if obj.has("point") == obj.has("area"):
                self.ctx.problem(
                    "bad-value",
                    obj.path,
                    f"protected_sites[{ident}]: give exactly one of 'point' or 'area'.",
                    "a site is a point with "
                    "a radius, or an area (with an optional radius around it).",
                )
                continue
            geometry = None
            if obj.has("point"):
                position = obj.point("point")
                geometry = Point(position) if position else None
                if position and radius_m <= 0:
                    self.ctx.problem(
                        "missing-field",
                        obj.path,
                        f"protected_sites[{ident}]: a point site needs a radius.",
                        "add e.g. 'radius_km: 5'.",
                    )
                    continue
            else:
                feature = self.files.resolve(obj.at("area"), obj.raw("area"), POLYGONAL)
                geometry = as_multipolygon(feature.geometry) if feature else None
            if geometry is not None:
                self.sites.append(
                    ProtectedSite(SiteId(ident), obj.text("name") or ident, geometry, radius_m)
                )

    def _contributors(self, top: Obj) -> None:
        for obj, ident in self._entries(top, "contributors", ("name",), ("assets",)):
            assets = self._texts(obj, "assets")
            self.contributors.append(Contributor(ident, obj.text("name") or ident, assets))

    def _hubs(self, top: Obj) -> None:
        for obj, ident in self._entries(
            top,
            "hubs",
            ("name", "point", "min_distance_from_line_km"),
            ("min_distance_from_line_m", "contributor"),
        ):
            position = obj.point("point")
            min_m = obj.quantity("min_distance_from_line")
            contributor = obj.ident("contributor") or ""
            if contributor and contributor not in {c.id for c in self.contributors}:
                self.ctx.problem(
                    "bad-reference",
                    obj.at("contributor"),
                    f"no contributor {contributor!r}.",
                    "list it under 'contributors' first.",
                )
            if position is None or min_m is None:
                continue
            self.hubs.append(
                Hub(HubId(ident), obj.text("name") or ident, Point(position), min_m, contributor)
            )

    def _sectors(self, top: Obj) -> None:
        for obj, ident in self._entries(top, "sectors", ("name", "area"), ()):
            feature = self.files.resolve(obj.at("area"), obj.raw("area"), POLYGONAL)
            if feature is not None:
                self.sectors.append(
                    Sector(
                        SectorId(ident),
                        obj.text("name") or ident,
                        as_multipolygon(feature.geometry),
                    )
                )

    def _recipients(self, top: Obj) -> None:
        for obj, ident in self._entries(top, "recipients", ("name",), ()):
            self.recipients.append(Recipient(RecipientId(ident), obj.text("name") or ident))

    def _escalation(self, top: Obj) -> None:
        known = {r.id for r in self.recipients}
        for path, item in top.items("escalation"):
            obj = self.ctx.obj(
                path,
                item,
                required=("after_h", "notify"),
                optional=("escalate",),
                what="an escalation step",
            )
            if obj is None:
                continue
            after_h = obj.hours("after")
            notify = obj.ident_list("notify") or ()
            for index, recipient in enumerate(notify):
                if recipient not in known:
                    self.ctx.problem(
                        "bad-reference",
                        (*obj.at("notify"), index),
                        f"no recipient {recipient!r}.",
                        f"use one of: {', '.join(sorted(known)) or '(none)'}.",
                    )
            if after_h is not None:
                self.escalation.append(
                    EscalationStep(
                        after_h, tuple(RecipientId(r) for r in notify), obj.flag("escalate")
                    )
                )
                self.escalation_paths.append(path)

    def _complaints(self, top: Obj) -> float | None:
        obj = self.ctx.obj(
            top.at("complaints"),
            top.raw("complaints"),
            required=("answer_within_h",),
            what="complaints",
        )
        if obj is None:
            return None
        hours = obj.hours("answer_within")
        if hours is not None and hours <= 0:
            self.ctx.problem(
                "out-of-range",
                obj.at("answer_within_h"),
                "the answer deadline must be more than 0 hours.",
                "write e.g. answer_within_h: 72.",
            )
            return None
        return hours

    def _rules(self, top: Obj, agreement_from: datetime | None) -> None:
        for obj, ident in self._entries(
            top, "rules", ("title", "forbid", "where", "severity"), ("by", "weapons", "effective")
        ):
            activity = obj.choice("forbid", [a.value for a in Activity])
            severity = obj.choice("severity", [s.value for s in Severity])
            by = self._by(obj)
            where = self._where(obj)
            weapons = obj.ident_list("weapons") or ()
            known_weapons = {w.id for w in self.weapons}
            for index, weapon in enumerate(weapons):
                if weapon not in known_weapons:
                    self.ctx.problem(
                        "bad-reference",
                        (*obj.at("weapons"), index),
                        f"no weapon class {weapon!r}.",
                        f"use one of: {', '.join(sorted(known_weapons)) or '(none defined)'}.",
                    )
            start, end = self._window(obj, agreement_from)
            if None in (activity, severity, by, where, start):
                continue
            assert activity and severity and by is not None and where and start
            self.rules.append(
                Rule(
                    RuleId(ident),
                    obj.text("title") or ident,
                    Activity(activity),
                    by,
                    where,
                    tuple(WeaponClass(w) for w in weapons),
                    Severity(severity),
                    start,
                    end,
                )
            )

    def _by(self, obj: Obj) -> tuple[PartyId, ...] | None:
        raw = obj.raw("by")
        if raw is None or raw == "any":
            return ()
        ids = obj.ident_list("by")
        if ids is None:
            return None
        bad = False
        for index, party_id in enumerate(ids):
            path = obj.at("by") if isinstance(raw, str) else (*obj.at("by"), index)
            bad |= self._party(party_id, path) is None
        return None if bad else tuple(PartyId(p) for p in ids)

    def _where(self, obj: Obj) -> Where | None:
        raw = obj.raw("where")
        if raw in ("anywhere", "withdrawal"):
            if raw == "withdrawal" and self.withdrawal is None:
                self.ctx.problem(
                    "bad-reference",
                    obj.at("where"),
                    "where: withdrawal needs a 'withdrawal' section.",
                    "add a withdrawal table, or name zones: where: {zones: [...]}.",
                )
                return None
            return Where(WhereKind(raw))
        if not (isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in ("zones", "sites")):
            self.ctx.problem(
                "bad-value",
                obj.at("where"),
                f"where: {raw!r} is not a place.",
                "write anywhere, withdrawal, {zones: [id, ...]} or {sites: [id, ...]}.",
            )
            return None
        kind = next(iter(raw))
        spec = Obj(self.ctx, obj.at("where"), raw)
        ids = spec.ident_list(kind) or ()
        known = self.declared.get("zones" if kind == "zones" else "protected_sites", {})
        missing = [(i, ident) for i, ident in enumerate(ids) if ident not in known]
        for index, ident in missing:
            self.ctx.problem(
                "bad-reference",
                (*spec.at(kind), index),
                f"no {'zone' if kind == 'zones' else 'protected site'} {ident!r}.",
                f"use one of: {', '.join(sorted(known)) or '(none defined)'}.",
            )
        if missing or not ids:
            return None
        return Where(WhereKind(kind), tuple(ids))

    def _window(
        self,
        obj: Obj,
        agreement_from: datetime | None,
    ) -> tuple[datetime | None, datetime | None]:
        if not obj.has("effective"):
            return agreement_from, None
        window = self.ctx.obj(
            obj.at("effective"), obj.raw("effective"), optional=("from", "to"), what="effective"
        )
        if window is None:
            return None, None
        start = window.time("from") if window.has("from") else agreement_from
        end = window.time("to")
        if start is not None and end is not None and end <= start:
            self.ctx.problem(
                "bad-value",
                window.at("to"),
                "the rule's window ends before it starts.",
                "make 'to' later than 'from'.",
            )
            return None, None
        if start is not None and agreement_from is not None and start < agreement_from:
            self.ctx.problem(
                "bad-value",
                window.at("from"),
                "the rule takes effect before the agreement does.",
                "start it at or after effective_from.",
            )
        return start, end

    # -- lookups -----------------------------------------------------------------------------

    def _party(self, party_id: str, path: Path) -> Party | None:
        for party in self.parties:
            if party.id == party_id:
                return party
        known = ", ".join(p.id for p in self.parties) or "(none)"
        self.ctx.problem("bad-reference", path, f"no party {party_id!r}.", f"use one of: {known}.")
        return None

    def _line(self, line_id: str, path: Path) -> Line | None:
        for line in self.lines:
            if line.id == line_id:
                return line
        if line_id in self.declared.get("lines", {}):
            return None  # declared but broken: its own problem was reported already
        known = ", ".join(line.id for line in self.lines) or "(none)"
        self.ctx.problem("bad-reference", path, f"no line {line_id!r}.", f"use one of: {known}.")
        return None


def _is_digest(text: str) -> bool:
    prefix, _, hexpart = text.partition(":")
    return (
        prefix == "sha256" and len(hexpart) == 64 and all(c in "0123456789abcdef" for c in hexpart)
    )


def _gap_km(first: Any, second: Any) -> float:
    from shapely.ops import nearest_points

    from ceasewatch.model.geo import geodesic_distance_m

    a, b = nearest_points(first, second)
    return float(geodesic_distance_m(a.x, a.y, b.x, b.y)[0]) / 1000.0
