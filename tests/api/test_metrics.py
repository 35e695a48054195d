"""``/api/metrics``: the operator reads request counts by route template and status (refused
ingest, refused access and missing rows included), answer times, the log's size and the ingest
requests in hand, in the Prometheus text format; nobody else reads it."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.api.conftest import Headers
from tests.api.test_ingest_http import _token, sensor_of, status_lines


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def count(found: dict, route: str, method: str, status: str) -> float:  # type: ignore[type-arg]
    labels = (("method", method), ("route", route), ("status", status))
    return found.get(("ceasewatch_http_requests_total", labels), 0.0)


def test_only_the_operator_reads_the_metrics(client: TestClient, auth: Headers) -> None:
    assert client.get("/api/metrics", headers=auth("operator")).status_code == 200
    for role in ("analyst", "contributor"):
        assert client.get("/api/metrics", headers=auth(role, contributor="UK")).status_code == 403
    assert client.get("/api/metrics", headers=auth("party", party="RU")).status_code == 403
    assert client.get("/api/metrics").status_code in (401, 403)


def test_answers_are_counted_by_route_template_and_status(
    client: TestClient, auth: Headers
) -> None:
    operator = auth("operator")
    size = client.get("/api/health").json()["log_size"]
    for _ in range(3):
        assert client.get("/api/health").status_code == 200
    assert client.get("/api/violations/nope-1", headers=operator).status_code == 404
    assert client.get("/api/violations/nope-2", headers=operator).status_code == 404
    assert client.get("/api/incidents").status_code in (401, 403)
    assert client.get("/api/no/such/thing").status_code == 404
    answer = client.get("/api/metrics", headers=operator)
    assert answer.headers["content-type"].startswith("text/plain")
    found = samples(answer.text)
    assert count(found, "/api/health", "GET", "200") == 4
    assert count(found, "/api/violations/{violation_id}", "GET", "404") == 2
    assert not any("nope-1" in str(key) for key in found), "a raw path became a series"
    refused = count(found, "/api/incidents", "GET", "401") + count(
        found, "/api/incidents", "GET", "403"
    )
    assert refused == 1
    assert count(found, "(no route)", "GET", "404") == 1
    assert found[("ceasewatch_log_entries", ())] == size
    timed = found[("ceasewatch_http_request_seconds_count", (("route", "/api/health"),))]
    assert timed == 4


def test_refused_ingest_and_the_request_in_hand_show(
    held: tuple[TestClient, threading.Event, threading.Event],
) -> None:
    client, entered, release = held
    body = status_lines(sensor_of(client, "UK"), 20, 2)
    first = threading.Thread(
        target=lambda: client.post(
            "/api/ingest/status", content=body, headers={**_token(client), "Idempotency-Key": "a"}
        )
    )
    first.start()
    assert entered.wait(30)
    busy = client.post(
        "/api/ingest/status", content=body, headers={**_token(client), "Idempotency-Key": "b"}
    )
    assert busy.status_code == 429
    during = samples(client.get("/api/metrics", headers=_token(client)).text)
    assert during[("ceasewatch_ingest_requests", ())] == 1
    assert count(during, "/api/ingest/{source}", "POST", "429") == 1
    release.set()
    first.join(30)
    after = samples(client.get("/api/metrics", headers=_token(client)).text)
    assert after[("ceasewatch_ingest_requests", ())] == 0
    assert count(after, "/api/ingest/{source}", "POST", "200") == 1
