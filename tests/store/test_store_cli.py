"""``ceasewatch find`` and ``ceasewatch store upgrade|status`` from the command line, on both
stores."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ceasewatch.cli import app
from ceasewatch.fusion.results import ResultRun
from ceasewatch.store.open import open_store

from .test_places import HOUR_NS, T0, incident

runner = CliRunner()
HORLIVKA = (38.0171, 48.2999)  # the gazetteer's Horlivka, to four decimals


def kept(url: str) -> None:
    items = [
        incident(0, HORLIVKA[0] + 0.02, HORLIVKA[1], T0),  # ~1.5 km E
        incident(1, HORLIVKA[0], HORLIVKA[1] - 0.2, T0 + HOUR_NS),  # ~22 km S
        incident(2, 37.10, 47.10, T0 + 2 * HOUR_NS),
    ]
    store = open_store(url)
    with store.write() as writer:
        writer.add_result_run(ResultRun("fu-1", "fusion", 0, "{}", "{}", T0), items)
    store.close()


def test_find_near_a_settlement_by_name_in_either_script(store_url: str) -> None:
    kept(store_url)
    latin = runner.invoke(
        app, ["find", "--near", "Horlivka", "--within-km", "5", "--store", store_url]
    )
    assert latin.exit_code == 0, latin.output
    assert latin.output.startswith("1 incidents within 5 km of Horlivka")
    assert "in-0000" in latin.output and "in-0001" not in latin.output
    cyrillic = runner.invoke(
        app, ["find", "--near", "Горлівка", "--within-km", "30", "--json", "--store", store_url]
    )
    rows = [json.loads(line) for line in cyrillic.output.splitlines()]
    assert [r["id"] for r in rows] == ["in-0000", "in-0001"]
    assert rows[0]["distance_m"] < rows[1]["distance_m"]


def test_find_inside_an_area_of_the_map_or_a_file(store_url: str, tmp_path: Path) -> None:
    kept(store_url)
    square = tmp_path / "square.geojson"
    square.write_text(
        json.dumps(
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[37, 47], [37.2, 47], [37.2, 47.2], [37, 47.2], [37, 47]]],
                },
            }
        )
    )
    by_file = runner.invoke(app, ["find", "--area", str(square), "--json", "--store", store_url])
    assert [json.loads(x)["id"] for x in by_file.output.splitlines()] == ["in-0002"]
    timed = runner.invoke(
        app,
        [
            "find",
            "--area",
            "sector/donetsk",
            "--until",
            "2026-02-18T00:30:00Z",
            "--json",
            "--store",
            store_url,
        ],
    )
    assert [json.loads(x)["id"] for x in timed.output.splitlines()] == ["in-0000"]


def test_find_says_what_to_fix(store_url: str) -> None:
    kept(store_url)
    for args, words in (
        (["--near", "Atlantis"], "no settlement of that name"),
        (["--area", "zone/nowhere"], "try one of: sector/crimea"),
        (["--near", "1,2", "--area", "zone/security-zone"], "one of the two"),
        (["--near", "1,2", "--kind", "violations"], "use one of incidents, events"),
        (["--near", "1,2", "--since", "yesterday"], "--since"),
        (["--near", "1,2", "--run", "fu-9"], "no fusion run fu-9"),
    ):
        result = runner.invoke(app, ["find", *args, "--store", store_url])
        assert result.exit_code == 2, (args, result.output)
        assert words in result.output, (args, result.output)


def test_store_status_and_upgrade(store_url: str) -> None:
    kept(store_url)
    status = runner.invoke(app, ["store", "status", "--json", "--store", store_url])
    found = json.loads(status.output)
    assert found["revision"] == found["head"]
    upgrade = runner.invoke(app, ["store", "upgrade", "--store", store_url])
    if store_url.startswith("postgresql"):
        assert upgrade.exit_code == 0 and "nothing to do" in upgrade.output
        assert ["places", "places_m202602"] in [p[:2] for p in found["partitions"]]
    else:
        assert upgrade.exit_code == 2 and "upgraded when opened" in upgrade.output
