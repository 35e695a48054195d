"""``GET /api/reports/{day}`` and ``GET /api/exports/{kind}``: each role gets its edition and
its exports, and nothing restricted leaks into the public ones."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient

from ceasewatch.api.tokens import Role
from ceasewatch.api.views import ALLOWED

from .conftest import Headers

DAY = "2026-02-18"
EVIDENCE_ID = re.compile(r"\b(?:events:|ev-[0-9a-f]{8})")


def _sensor_ids(client: TestClient) -> list[str]:
    return client.app.state.settings.catalog.sensor_ids()  # type: ignore[attr-defined,no-any-return]


def test_the_public_report_names_no_sensor_and_no_evidence(
    client: TestClient, auth: Headers
) -> None:
    public = client.get(f"/api/reports/{DAY}")
    assert public.status_code == 200, public.text
    assert public.headers["content-type"].startswith("text/html")
    assert public.headers["X-Report-Edition"] == "public"
    text = re.sub(r"data:[a-z/+]+;base64,[A-Za-z0-9+/=]+", "", public.text)  # the pictures
    assert "<html" in text.lower() and DAY in text
    words = set(re.findall(r"[A-Za-z0-9_-]+", text))
    assert not words & set(_sensor_ids(client))
    assert not EVIDENCE_ID.search(text)
    contributor = client.get(f"/api/reports/{DAY}", headers=auth("contributor", contributor="FR"))
    assert contributor.headers["X-Report-Edition"] == "public"
    full = client.get(f"/api/reports/{DAY}", headers=auth("analyst"))
    assert full.headers["X-Report-Edition"] == "full" and EVIDENCE_ID.search(full.text)
    party = client.get(f"/api/reports/{DAY}", headers=auth("party", party="RU"))
    assert party.headers["X-Report-Edition"] == "party:RU"


def test_a_report_is_rendered_once_and_as_pdf_on_request(client: TestClient, auth: Headers) -> None:
    import time

    client.get(f"/api/reports/{DAY}")
    start = time.perf_counter()
    again = client.get(f"/api/reports/{DAY}")
    assert again.status_code == 200 and time.perf_counter() - start < 0.5  # from the cache
    pdf = client.get(f"/api/reports/{DAY}?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get("/api/reports/18-02-2026").status_code == 422
    assert client.get("/api/reports/2026-02-30").status_code == 404
    assert client.get(f"/api/reports/{DAY}?format=docx").status_code == 422


def test_the_cell_exports_every_file(client: TestClient, auth: Headers) -> None:
    analyst = auth("analyst")
    for kind in ("violations.geojson", "incidents.geojson", "violations.csv", "acled.csv",
                 "ucdp-ged.csv", "aggregates.csv"):  # fmt: skip
        answer = client.get(f"/api/exports/{kind}", headers=analyst)
        assert answer.status_code == 200, (kind, answer.text)
        assert answer.content
    geo = client.get("/api/exports/violations.geojson", headers=analyst).json()
    assert geo["type"] == "FeatureCollection" and geo["features"]


def test_a_party_exports_what_concerns_it_in_its_view(client: TestClient, auth: Headers) -> None:
    party = auth("party", party="RU")
    listed = client.get("/api/violations?limit=1000", headers=party).json()
    geo = client.get("/api/exports/violations.geojson", headers=party).json()
    assert len(geo["features"]) == listed["total"] > 0
    allowed = set(ALLOWED["violation"][Role.PARTY] or ())
    for feature in geo["features"]:
        assert set(feature["properties"]) <= allowed
        assert "evidence" not in feature["properties"]
        assert feature["geometry"]["type"] == "Point"
    refused = client.get("/api/exports/acled.csv", headers=party)
    assert refused.status_code == 403 and "violations.geojson" in refused.json()["error"]


def test_the_public_gets_aggregates_only(client: TestClient, auth: Headers) -> None:
    answer = client.get("/api/exports/aggregates.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert rows and {"day", "sector", "violations", "withheld"} <= set(rows[0])
    for row in rows:
        assert row["violations"] == "" or int(row["violations"]) >= 3
    for kind in ("violations.geojson", "violations.csv"):
        assert client.get(f"/api/exports/{kind}").status_code == 403
        fr = auth("contributor", contributor="FR")
        assert client.get(f"/api/exports/{kind}", headers=fr).status_code == 403
    missing = client.get("/api/exports/secrets.txt")
    assert missing.status_code == 404 and "aggregates.csv" in missing.json()["error"]
