"""The service end to end on a simulated day: each role gets what the policy table grants."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ceasewatch.api.policy import POLICY
from ceasewatch.api.tokens import Role
from ceasewatch.api.views import ALLOWED

from .conftest import Headers


def test_every_route_has_a_policy_row_and_every_row_a_route(client: TestClient) -> None:
    operations = {
        op["operationId"]
        for path in client.get("/openapi.json").json()["paths"].values()
        for op in path.values()
    }
    assert operations == set(POLICY)


def test_the_public_sees_aggregates_and_the_log_but_no_violation(client: TestClient) -> None:
    assert client.get("/api/violations").status_code == 403
    assert client.get("/api/sensors").status_code == 403
    cells = client.get("/api/aggregates").json()["cells"]
    assert cells and all(c["violations"] is None or c["violations"] >= 3 for c in cells)
    assert client.get("/api/log/checkpoint").json()["size"] > 1000
    sectors = client.get("/api/coverage").json()
    assert set(sectors) == {"sectors"}


def test_a_party_sees_the_violations_that_concern_it_without_evidence_ids(
    client: TestClient, auth: Headers
) -> None:
    everything = client.get("/api/violations?limit=1000", headers=auth("analyst")).json()
    mine = client.get("/api/violations?limit=1000", headers=auth("party", party="RU")).json()
    assert 0 < mine["total"] <= everything["total"]
    allowed = set(ALLOWED["violation"][Role.PARTY] or ())
    for v in mine["items"]:
        assert set(v) <= allowed
        assert all(set(f) == {"reasons"} for f in v["findings"].values())


def test_a_contributor_sees_only_its_own_sensors_and_records(
    client: TestClient, auth: Headers
) -> None:
    mine = client.get("/api/sensors", headers=auth("contributor", contributor="FR")).json()
    assert mine["items"] and {s["properties"]["owner"] for s in mine["items"]} == {"FR"}
    own = {s["properties"]["sensor_id"] for s in mine["items"]}
    picks = client.get(
        "/api/records?source=picks&limit=50", headers=auth("contributor", contributor="FR")
    ).json()["items"]
    assert all(p["sensor_id"] in own for p in picks)


def test_an_analyst_confirms_and_the_status_follows(client: TestClient, auth: Headers) -> None:
    first = client.get("/api/violations", headers=auth("analyst")).json()["items"][0]
    vid = first["violation_id"]
    body = {"action": "confirm", "reason": "crater seen on the drone video"}
    done = client.post(f"/api/violations/{vid}/review", json=body, headers=auth("analyst", "anna"))
    assert done.status_code == 200, done.text
    if done.json()["awaiting_second"]:
        again = client.post(
            f"/api/violations/{vid}/review", json=body, headers=auth("analyst", "boris")
        )
        assert again.status_code == 200, again.text
    after = client.get(f"/api/violations/{vid}", headers=auth("analyst")).json()
    assert after["status"] == "verified"
    refused = client.post(f"/api/violations/{vid}/review", json=body,
                          headers=auth("party", party="RU"))  # fmt: skip
    assert refused.status_code == 403
