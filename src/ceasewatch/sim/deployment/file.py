"""Deployment files: the sensors a user lists one by one, plus generators along the line.

The format is described, with an example, in docs/deployment.md. Reading reports every problem
at once, each with file, line, column and a fix (:class:`DeploymentError`); it never shows a
traceback for a mistake in the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ceasewatch.agreement.catalog import resolve
from ceasewatch.agreement.reader import Context
from ceasewatch.agreement.types import Agreement
from ceasewatch.agreement.yamldoc import load_located, pointer
from ceasewatch.errors import CeasewatchError, InputError, Problem
from ceasewatch.model.geo import geodesic_inverse
from ceasewatch.model.places import Gazetteer
from ceasewatch.sim.base import Deployment, Sensor, SensorKind, stream
from ceasewatch.sim.deployment.fields import read_sensor
from ceasewatch.sim.deployment.generators import StyleEntry, read_generator
from ceasewatch.sim.deployment.kinds import Along, generate_along
from ceasewatch.sim.deployment.layout import STYLES, layout
from ceasewatch.sim.deployment.place import Ground, Placed, assign_ids

FORMAT = "ceasewatch-deployment/1"
TOP = ("format", "name", "agreement", "seed", "sensors", "generate")
NEAR_DEG = 5.0
"""A listed sensor more than this many degrees beyond the lines' bounding box is suspect."""


class DeploymentError(InputError):
    """A deployment file with problems; ``problems`` lists every one found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the deployment file"
        super().__init__(head + ":\n" + "\n".join(str(p) for p in self.problems))


def load_deployment(
    path: str | Path, agreement: Agreement | None = None, *, gazetteer: Gazetteer | None = None
) -> Deployment:
    """Read a deployment file. Generators need the agreement whose line they follow: the one
    given here, else the one the file names (``agreement: ua-2026``)."""
    file = Path(path)
    try:
        text = file.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DeploymentError(
            [Problem(str(file), "file-not-found", "no such file.", "check the path.")]
        ) from None
    except OSError as exc:
        message = f"cannot read the file ({exc.strerror or exc})."
        raise DeploymentError(
            [Problem(str(file), "file-not-found", message, "check the path and permissions.")]
        ) from None
    except UnicodeDecodeError as exc:
        message = f"the file is not UTF-8 text (byte {exc.start})."
        raise DeploymentError(
            [Problem(str(file), "yaml-syntax", message, "save it as UTF-8.")]
        ) from None
    return parse_deployment(text, str(file), agreement, gazetteer=gazetteer, name=file.stem)


def parse_deployment(
    text: str,
    file: str,
    agreement: Agreement | None = None,
    *,
    gazetteer: Gazetteer | None = None,
    name: str = "deployment",
) -> Deployment:
    document, problems = load_located(text, file)
    if document is None:
        raise DeploymentError(problems)
    ctx = Context(document, list(problems))
    if document.data is None:
        ctx.problem(
            "empty-document",
            (),
            "the deployment file is empty.",
            "list sensors under 'sensors:' or generators under 'generate:' (docs/deployment.md).",
        )
        raise DeploymentError(ctx.problems)
    top = ctx.obj((), document.data, optional=TOP, what="a deployment file")
    if top is None:
        raise DeploymentError(ctx.problems)
    version = top.text("format", required=False, default=FORMAT)
    if version is not None and version != FORMAT:
        ctx.problem(
            "bad-format-version",
            ("format",),
            f"format {version!r} is not one this version of ceasewatch reads.",
            f"write format: {FORMAT}.",
        )
    agreement = _agreement(ctx, top.raw("agreement"), agreement)
    seed = top.integer("seed", minimum=0)
    listed = [
        (path, sensor)
        for path, value in top.items("sensors")
        if (sensor := read_sensor(ctx, path, value, agreement)) is not None
    ]
    if agreement is not None:
        _far_away(ctx, agreement, listed)
    sensors = [sensor for _, sensor in listed]
    styles = tuple(STYLES)
    generators = [
        (path, generator)
        for path, value in top.items("generate")
        if (generator := read_generator(ctx, path, value, agreement, styles)) is not None
    ]
    _duplicates(ctx, top.raw("sensors"), sensors)
    if generators and agreement is None:
        ctx.problem(
            "missing-field",
            ("generate",),
            "generators need the agreement whose line they follow.",
            "add 'agreement: ua-2026' (its id) at the top, or give the agreement to the command.",
        )
    if not sensors and not generators and not ctx.problems:
        ctx.problem(
            "empty-document",
            (),
            "the deployment has no sensors.",
            "list sensors under 'sensors:' or generators under 'generate:'.",
        )
    if ctx.problems:
        raise DeploymentError(sorted(ctx.problems, key=lambda p: (p.line or 0, p.column or 0)))
    placed = [Placed(_with_reach(s)) for s in sensors]
    if generators:
        assert agreement is not None
        placed += _generated(agreement, generators, seed or 0, gazetteer)
    placed = assign_ids(placed, {s.sensor_id for s in sensors})
    label = top.text("name", required=False, default=name) or name
    return Deployment(label, tuple(p.sensor for p in placed))


def _agreement(ctx: Context, named: object, given: Agreement | None) -> Agreement | None:
    if named is None:
        return given
    if not isinstance(named, str):
        ctx.problem(
            "wrong-type",
            ("agreement",),
            "agreement: expected the id of an agreement, such as ua-2026.",
            "write agreement: ua-2026.",
        )
        return given
    if given is not None:
        if named.split("@")[0] != given.id:
            ctx.problem(
                "bad-reference",
                ("agreement",),
                f"the file is written for agreement {named!r}, but {given.id} was given.",
                f"use the agreement {named}, or change the file's agreement to {given.id}.",
            )
        return given
    try:
        return resolve(named)
    except CeasewatchError as exc:
        ctx.problem(
            "bad-reference",
            ("agreement",),
            f"agreement {named!r} cannot be loaded: {str(exc).splitlines()[0]}",
            "give a built-in id (ceasewatch agreement list) or the path of an agreement.",
        )
        return None


def _duplicates(ctx: Context, raw: object, sensors: list[Sensor]) -> None:
    if not isinstance(raw, list):
        return
    seen: dict[str, int] = {}
    for index, value in enumerate(raw):
        ident = value.get("id") if isinstance(value, dict) else None
        if not isinstance(ident, str):
            continue
        if ident in seen:
            path = ("sensors", index, "id")
            first_line = ctx.doc.position(("sensors", seen[ident], "id"))[0]
            ctx.problem(
                "duplicate-id",
                path,
                f"{pointer(path)}: sensor id {ident!r} is used twice (first on line {first_line}).",
                "give each sensor its own id.",
            )
        else:
            seen[ident] = index


def _far_away(
    ctx: Context, agreement: Agreement, listed: list[tuple[tuple[str | int, ...], Sensor]]
) -> None:
    """A position far from every line whose swapped numbers fall near it was written
    latitude first."""
    bounds = [line.geometry.bounds for line in agreement.lines]
    x0, y0 = min(b[0] for b in bounds) - NEAR_DEG, min(b[1] for b in bounds) - NEAR_DEG
    x1, y1 = max(b[2] for b in bounds) + NEAR_DEG, max(b[3] for b in bounds) + NEAR_DEG
    for path, sensor in listed:
        lon, lat = sensor.lon, sensor.lat
        if not (x0 <= lon <= x1 and y0 <= lat <= y1) and x0 <= lat <= x1 and y0 <= lon <= y1:
            where = (*path, "position") if sensor.kind is not SensorKind.UAV else (*path, "route")
            ctx.problem(
                "bad-coordinates",
                where,
                f"{pointer(where)}: [{lon:g}, {lat:g}] lies far from the lines of "
                f"{agreement.id}, but [{lat:g}, {lon:g}] would be near them.",
                "positions are [longitude, latitude]: swap the two numbers.",
            )


def _with_reach(sensor: Sensor) -> Sensor:
    """A drone listed without a range reaches as far as its route, plus half its swath."""
    if sensor.kind is not SensorKind.UAV or sensor.range_m > 0:
        return sensor
    lon = [p[0] for p in sensor.route]
    lat = [p[1] for p in sensor.route]
    _, reach = geodesic_inverse(sensor.lon, sensor.lat, lon, lat)
    return replace(sensor, range_m=float(round(float(reach.max()) + sensor.swath_m / 2)))


def _generated(
    agreement: Agreement,
    generators: list[tuple[tuple[str | int, ...], Along | StyleEntry]],
    seed: int,
    gazetteer: Gazetteer | None,
) -> list[Placed]:
    ground = Ground(agreement)
    out: list[Placed] = []
    for path, generator in generators:
        if isinstance(generator, StyleEntry):
            chosen = layout(
                agreement, generator.style, seed=seed, gazetteer=gazetteer, kinds=generator.kinds
            )
            out += [replace(p, sensor=replace(p.sensor, sensor_id="")) for p in chosen]
            continue
        rng = stream(seed, f"deployment-file/{pointer(path)}")
        out += generate_along(ground, generator, rng, gazetteer).placed
    return out
