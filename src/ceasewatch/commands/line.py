"""Commands on the line of contact itself: what ground changed hands between two control maps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ceasewatch.errors import CeasewatchError, InputError

line_app = typer.Typer(
    help="Compare control maps of the line: ground that changed hands.", no_args_is_help=True
)


def _read(path: Path):  # type: ignore[no-untyped-def]
    from ceasewatch.agreement.line_read import read_occupied

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file. Fix: give the path of a GeoJSON map") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            f"{path}: cannot read it ({error}). Fix: give a GeoJSON text file"
        ) from None
    return read_occupied(text, str(path))


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(f"{path}: cannot write ({error}). Fix: choose a writable place") from None


@line_app.command("diff")
def line_diff(
    old: Annotated[Path, typer.Argument(help="The older control map (GeoJSON, occupied area).")],
    new: Annotated[Path, typer.Argument(help="The newer control map (GeoJSON, occupied area).")],
    min_km2: Annotated[
        float, typer.Option("--min-km2", help="Report changes of at least this area (km²).")
    ] = 1.0,
    sliver_m: Annotated[
        float,
        typer.Option("--sliver-m", help="Half-width (m) under which a strip is redraw noise."),
    ] = 200.0,
    map_out: Annotated[
        Path | None, typer.Option("--map", help="Draw the changes to this PNG or SVG.")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the changes as JSON Lines (evidence).")
    ] = None,
    geojson_out: Annotated[
        Path | None, typer.Option("--geojson", help="Write the changes as a FeatureCollection.")
    ] = None,
) -> None:
    """List every area that changed hands between two control maps, with its size, place and the
    party that gained it; slivers from re-drawing the same line are ignored.

    Example: ceasewatch line diff deepstatemap_data_20251201.geojson deepstatemap_data_20251231.geojson --map changes.png
    """  # noqa: E501
    from ceasewatch.agreement.line_diff import diff_control
    from ceasewatch.agreement.line_read import (
        change_feature,
        changes_collection,
        diff_summary,
        map_date,
        oblasts,
        ukraine,
    )
    from ceasewatch.model.places import Gazetteer

    try:
        if min_km2 < 0 or sliver_m < 0:
            raise InputError("--min-km2 and --sliver-m must not be negative. Fix: e.g. --min-km2 1")
        if map_out is not None:
            from ceasewatch.report.figure_file import figure_format

            figure_format(map_out)
        old_area, new_area = _read(old), _read(new)
        diff = diff_control(
            old_area,
            new_area,
            t_from=map_date(old.name),
            t_to=map_date(new.name),
            mask=ukraine(),
            oblasts=oblasts(),
            gazetteer=Gazetteer.default(),
            min_area_km2=min_km2,
            sliver_half_width_m=sliver_m,
        )
        if diff.area_old_km2 == 0.0 and diff.area_new_km2 == 0.0:
            raise InputError(f"{old}, {new}: no occupied area inside Ukraine. Fix: check the maps")
        summary = diff_summary(diff)
        typer.echo(
            f"{diff.t_from or old.name} → {diff.t_to or new.name}: {len(diff.changes)} areas "
            f"≥ {min_km2:g} km² changed hands"
        )
        for change in diff.changes:
            where = change.place or f"{change.lon:.4f}, {change.lat:.4f}"
            oblast = f" ({change.oblast})" if change.oblast else ""
            typer.echo(
                f"  {change.change_id}  {change.party_gained} gained {change.area_km2:8.2f} km²  "
                f"{where}{oblast}  depth {change.depth_m / 1e3:.1f} km"
            )
        ru, ua = summary[f"{diff.occupier}_gained"], summary[f"{diff.other}_gained"]
        typer.echo(
            f"{diff.occupier} gained {ru['reported_km2']:.1f} km², {diff.other} gained "
            f"{ua['reported_km2']:.1f} km², net {summary['net_km2']:+.1f} km²; occupied area "
            f"changed {summary['occupied_change_km2']:+.1f} km² (residual "
            f"{summary['residual_km2']:+.1f} km²: slivers and pieces under {min_km2:g} km²)"
        )
        if json_out is not None:
            lines = [json.dumps(change_feature(c, diff), sort_keys=True) for c in diff.changes]
            _write(json_out, "".join(f"{line}\n" for line in lines))
        if geojson_out is not None:
            _write(geojson_out, json.dumps(changes_collection(diff), sort_keys=True) + "\n")
        if map_out is not None:
            from ceasewatch.report.line_map import draw_line_changes

            draw_line_changes(diff, old_area, new_area, oblasts(), map_out)
            typer.echo(f"map: {map_out}")
    except CeasewatchError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
