"""Access control as a property: no request of any role gets what its role may not see.

For every operation of the OpenAPI schema and every role (operator, analyst, contributors UK,
FR and US, parties RU and UA, the public without a token), Hypothesis makes requests — path
parameters drawn from the state's real ids and from random strings, query parameters from the
schema's ranges and from odd values — and every answer (lists, search, exports, reports,
counts, the stream, errors and proofs) is held to two things:

- its body text holds none of the values the role may not see: any sensor's coordinates as
  the registry gives them (e.g. ``37.58127``), other owners' sensor ids and raw record ids
  (a contributor sees its own sensors' records; a party its own complaints; the public none) —
  except values the request itself sent, which an error may echo;
- the JSON keys of each row, recursively, are within the role's allowlist for that kind of row
  (:data:`ceasewatch.api.views.ALLOWED`), and a role that may not see a kind gets no row of it.

The forbidden values are read from the state's store directly, not through the service.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasewatch.api.tokens import Principal, Role
from ceasewatch.api.views import ALLOWED

WHO: dict[str, tuple[Role, dict[str, str]]] = {
    "operator": (Role.OPERATOR, {}),
    "analyst": (Role.ANALYST, {}),
    "contributor UK": (Role.CONTRIBUTOR, {"contributor": "UK"}),
    "contributor FR": (Role.CONTRIBUTOR, {"contributor": "FR"}),
    "contributor US": (Role.CONTRIBUTOR, {"contributor": "US"}),
    "party RU": (Role.PARTY, {"party": "RU"}),
    "party UA": (Role.PARTY, {"party": "UA"}),
    "public": (Role.PUBLIC, {}),
}
EXAMPLES = 25  # per operation (each example picks a role)
FINDINGS = {"occurred", "responsible", "deliberate"}
CELL = {"day", "sector", "violations", "by_party", "withheld"}
NUMBER = re.compile(r"\d+\.\d+")
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
Pair = tuple[str, str]
WORD = re.compile(r"[A-Za-z0-9_\-]+")
PART = re.compile(r"[A-Za-z0-9]+")


# -- the state and what each role may not see ----------------------------------------------


@dataclass(frozen=True)
class Secrets:
    """What of the state is restricted, read from the store itself."""

    coords: dict[str, frozenset[Pair]]  # sensor owner → its sensors' (lon, lat) as text
    sensors: dict[str, frozenset[str]]  # sensor owner → its sensor ids
    records: dict[tuple[str, str], frozenset[str]]  # ("contributor"|"party", who) → record ids
    ids: dict[str, list[str]]  # real ids to draw path and query values from

    def forbidden(self, role: Role, who: Mapping[str, str]) -> tuple[set[Pair], set[str]]:
        """(sensor positions, ids) the role may not see."""
        if role in (Role.OPERATOR, Role.ANALYST):
            return set(), set()
        mine = who.get("contributor")
        coords = {c for owner, cs in self.coords.items() if owner != mine for c in cs}
        ids = {s for owner, ss in self.sensors.items() if owner != mine for s in ss}
        for (kind, owner), records in self.records.items():
            if kind == "contributor" and owner != mine:
                ids |= records
            if kind == "party" and owner != who.get("party"):
                ids |= records
        return coords, ids


def read_secrets(state: Path) -> Secrets:
    from ceasewatch.store.open import open_store

    store = open_store(f"sqlite:///{state / 'evidence.sqlite'}")
    coords: dict[str, set[Pair]] = defaultdict(set)
    sensors: dict[str, set[str]] = defaultdict(set)
    by_sensor: dict[str, str] = {}
    entries: list[dict[str, Any]] = []
    try:
        with store.read() as log:
            for index in range(log.size()):
                leaf = json.loads(log.entry(index).leaf)
                entries.append(leaf)
                record = leaf.get("record") or {}
                props = record.get("properties") or {}
                if leaf.get("source") != "sensors" or "owner" not in props:
                    continue
                owner, sensor = str(props["owner"]), str(props["sensor_id"])
                sensors[owner].add(sensor)
                by_sensor[sensor] = owner
                for row in log.sealed(index, index + 1):
                    if row.path == "geometry":
                        lon, lat = json.loads(row.value)["coordinates"][:2]
                        coords[owner].add((repr(abs(lon)), repr(abs(lat))))
    finally:
        store.close()
    records: dict[tuple[str, str], set[str]] = defaultdict(set)
    ids: dict[str, list[str]] = defaultdict(list)
    for index, leaf in enumerate(entries):
        record = leaf.get("record") or {}
        sensor = record.get("sensor_id") or (record.get("properties") or {}).get("sensor_id")
        rid, source = leaf.get("record_id"), leaf.get("source")
        if rid is None:
            continue
        if source == "complaints":
            records[("party", str(record.get("party")))].add(str(rid))
            ids[f"entry of party {record.get('party')}"].append(str(index))
        elif sensor in by_sensor:
            records[("contributor", by_sensor[sensor])].add(str(rid))
            ids[f"entry of {by_sensor[sensor]}"].append(str(index))
        ids["source"].append(str(source))
    adjudication = state / "adjudication"
    for line in (adjudication / "violations.jsonl").read_text().splitlines():
        row = json.loads(line)
        ids["violation"].append(row["violation_id"])
        ids["sector"].append(str(row.get("sector")))
        ids["day"].append(str(row.get("t"))[:10])
    incidents = json.loads((adjudication / "incidents.geojson").read_text())["features"]
    ids["incident"] = [str(f["properties"]["id"]) for f in incidents]
    return Secrets(
        {o: frozenset(cs) for o, cs in coords.items()},
        {o: frozenset(s) for o, s in sensors.items()},
        {k: frozenset(v) for k, v in records.items()},
        {k: sorted(set(v)) for k, v in ids.items()},
    )


@pytest.fixture(scope="module")
def own_state(built_state: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's state for this module: its POSTs append to this copy only."""
    copy = tmp_path_factory.mktemp("access") / "state"
    shutil.copytree(built_state, copy)
    return copy


@pytest.fixture(scope="module")
def secrets(own_state: Path) -> Secrets:
    return read_secrets(own_state)


@pytest.fixture(scope="module")
def app(own_state: Path) -> Iterator[Any]:
    from ceasewatch.commands.serve import build_app

    served = build_app(own_state)
    yield served
    served.state.settings.catalog.store.close()


@pytest.fixture(scope="module")
def reader(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def schema(reader: TestClient) -> dict[str, Any]:
    found: dict[str, Any] = reader.get("/openapi.json").json()
    return found


def operations(state_schema: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        op["operationId"]: (method, path, op)
        for path, methods in state_schema["paths"].items()
        for method, op in methods.items()
    }


def test_the_state_has_secrets_of_every_kind(secrets: Secrets) -> None:
    assert set(secrets.coords) == {"UK", "FR", "US"}
    assert all(len(c) > 10 for c in secrets.coords.values())
    assert {k for k, _ in secrets.records} == {"contributor", "party"}
    assert {w for k, w in secrets.records if k == "party"} == {"RU", "UA"}
    coords, ids = secrets.forbidden(Role.CONTRIBUTOR, {"contributor": "FR"})
    assert coords and not coords & secrets.coords["FR"] and ids
    assert not ids & secrets.records[("contributor", "FR")]


# -- what a response shows -----------------------------------------------------------------


def leaks(text: str, coords: set[Pair], ids: set[str], sent: str) -> list[str]:
    """The forbidden values in ``text`` that the request did not send itself.

    A sensor's position shows when both its coordinates do, or one given to 6 decimals (the
    registry's precision; a map's 5-decimal outlines match single 5-decimal values by chance).
    Pictures (``data:`` URIs) are not text and are left out."""
    text = DATA_URI.sub("data:", text)
    numbers = set(NUMBER.findall(text))
    found = set()
    for lon, lat in coords:
        shown = [c for c in (lon, lat) if c in numbers]
        if len(shown) == 2 or any(len(c.partition(".")[2]) >= 6 for c in shown):
            found |= set(shown)
    words = set(WORD.findall(text)) | set(PART.findall(text))
    found |= words & ids
    return sorted(v for v in found if v not in sent)


def test_leaks_finds_coordinates_and_ids_but_not_echoes() -> None:
    coords, ids = {("37.58127", "50.177164"), ("37.5", "48.25")}, {"A0001", "A0001-000003"}
    assert leaks('{"c":[37.58127,50.177164]}', coords, ids, "") == ["37.58127", "50.177164"]
    assert leaks('{"c":[1.0,50.177164]}', coords, ids, "") == ["50.177164"]
    assert leaks('{"c":[37.58127,1.0,37.5]}', coords, ids, "") == []
    assert leaks('{"c":137.581271}', coords, ids, "") == []
    assert leaks('<img src="data:image/png;base64,QA0001+/=">', coords, ids, "") == []
    assert leaks("pick A0001-000003 of", coords, ids, "") == ["A0001", "A0001-000003"]
    assert leaks("no entry A0001-000003", coords, ids, "/x/A0001-000003") == []


def rows_of(operation: str, body: Any) -> list[tuple[str, Any]]:
    """(kind, row) for each row of a 200 answer of ``operation`` (kind None: free-form)."""
    if not isinstance(body, dict):
        return []
    lists = {
        "violations": "violation",
        "incidents": "incident",
        "complaints": "complaint",
        "sensors": "sensor",
        "records": "record",
    }
    if operation in lists:
        return [(lists[operation], row) for row in body["items"]]
    if operation in ("violation", "incident"):
        return [(operation, body)]
    if operation == "log_entry":
        return [("entry", body["leaf"])]
    if operation == "coverage":
        return [("coverage_sector", r) for r in body["sectors"]] + [
            ("coverage_line", r) for r in body.get("line", [])
        ]
    if operation == "aggregates":
        return [("cell", r) for r in body["cells"]]
    if body.get("type") == "FeatureCollection" and operation == "export":
        return [("violation", {**f["properties"], "position": f["geometry"]}) for f in
                body["features"]]  # fmt: skip
    return []


def nested_keys(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path of the dict, key) for every key below the top level of a row."""
    if isinstance(value, dict):
        for key, item in value.items():
            if path:
                yield path, key
            yield from nested_keys(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from nested_keys(item, path + "[]")


NESTED: dict[str, dict[str, set[str]]] = {
    "violation": {
        "findings": FINDINGS,
        **{f"findings.{f}": {"reasons"} for f in FINDINGS},
        "responsible": {"RU", "UA", "unknown"},
        "position": {"type", "coordinates"},  # as a GeoJSON point in an export
    },
    "complaint": {},
    "coverage_sector": {},
    "cell": {"by_party": {"RU", "UA", "unknown"}},
}


def key_problems(kind: str, role: Role, row: Any) -> list[str]:
    """Keys of ``row`` outside ``role``'s allowlist for ``kind``."""
    allowed = ALLOWED.get(kind, {})
    if kind != "cell" and role not in allowed:
        return [f"a {role.value} got a {kind} row"]
    keys = CELL if kind == "cell" else allowed[role]
    if keys is None:  # the full row
        return []
    out = [f"{kind}.{k}" for k in row if k not in keys]
    for path, key in nested_keys(row):
        if key not in NESTED[kind].get(path, set()):
            out.append(f"{kind}.{path}.{key}")
    return out


def test_key_problems_finds_a_stray_key() -> None:
    party_row = {"violation_id": "v", "findings": {"occurred": {"reasons": [], "evidence": []}}}
    assert key_problems("violation", Role.PARTY, party_row) == [
        "violation.findings.occurred.evidence"
    ]
    assert key_problems("violation", Role.PUBLIC, {}) == ["a public got a violation row"]
    assert key_problems("violation", Role.ANALYST, {"event_ids": []}) == []


# -- the requests --------------------------------------------------------------------------

ODD_INTS = st.sampled_from(["-1", "0", "1e3", "2147483648", "99999999999999999999", "x", ""])
ODD_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=24)


def value_of(param: dict[str, Any], secrets: Secrets) -> st.SearchStrategy[str]:
    """A query or path value for ``param``: within its schema, a real id, or an odd one."""
    schema = param.get("schema", {})
    options = schema.get("anyOf") or [schema]
    kinds = {o.get("type") for o in options}
    name = param["name"]
    real: list[str] = []
    if "integer" in kinds:
        lo = next((o["minimum"] for o in options if "minimum" in o), -5)
        hi = next((o["maximum"] for o in options if "maximum" in o), 10**6)
        ints = st.integers(lo, min(hi, 10**6)).map(str) | st.sampled_from([str(lo), str(hi)])
        if name == "index":
            real = [i for k, v in secrets.ids.items() if k.startswith("entry") for i in v[:20]]
            return ints | st.sampled_from(real) | ODD_INTS
        return ints | ODD_INTS
    if "number" in kinds:
        return st.sampled_from(["0.2", "0.05", "0", "-1", "nan", "inf", "1e9", "x"])
    if "boolean" in kinds:
        return st.sampled_from(["true", "false", "1", "maybe"])
    enum = next((o["enum"] for o in options if "enum" in o), None)
    if enum:
        return st.sampled_from([str(e) for e in enum]) | ODD_TEXT
    real = {
        "violation_id": secrets.ids["violation"],
        "incident_id": secrets.ids["incident"],
        "sector": secrets.ids["sector"],
        "source": secrets.ids["source"] + ["sensors", "complaints", "notifications"],
        "day": secrets.ids["day"] + ["2026-02-17", "2026-99-99"],
        "kind": [
            "violations.geojson",
            "incidents.geojson",
            "violations.csv",
            "acled.csv",
            "ucdp-ged.csv",
            "aggregates.csv",
            "../verdicts.json",
        ],  # fmt: skip
    }.get(name, [])
    return (st.sampled_from(real) | ODD_TEXT) if real else ODD_TEXT


def bodies(operation: str, secrets: Secrets) -> st.SearchStrategy[Any]:
    """A JSON or raw body for a POST operation."""
    if operation == "review":
        action = st.sampled_from(["claim", "release", "confirm", "dispute", "dismiss", "x"])
        return st.fixed_dictionaries(
            {"action": action}, optional={"reason": ODD_TEXT, "hours": st.integers(-1, 800)}
        )
    if operation == "complaint_submit":
        return st.fixed_dictionaries(
            {
                "complaint_id": st.sampled_from(["T-1", "UA-2026-0001", ""]),
                "party": st.sampled_from(["RU", "UA", "XX"]),
                "alleged_party": st.sampled_from(["RU", "UA"]),
                "t_submitted": st.sampled_from(["2026-02-18T10:00:00Z", "yesterday"]),
                "category": st.sampled_from(["shelling", "small_arms"]),
            },
            optional={"position": st.just([37.0, 48.0]), "radius_m": st.integers(-1, 5000)},
        )
    return st.sampled_from(
        [
            b'{"pick_id":"A0001-999999","sensor_id":"A0001","t_arrival":"2026-02-18T00:00:00Z"}\n',
            b'{"status_id":"x","sensor_id":"R07","state":"up"}\n',
            b"not json",
        ]
    )


@st.composite
def requests(
    draw: st.DrawFn, operation: str, ops: dict[str, Any], secrets: Secrets
) -> tuple[str, str, str, dict[str, str], Any]:
    method, path, op = ops[operation]
    who = draw(st.sampled_from(sorted(WHO)), label="who")
    query: dict[str, str] = {}
    url = path
    for param in op.get("parameters", []):
        if param["in"] == "path":
            value = draw(value_of(param, secrets), label=param["name"])
            url = url.replace("{" + param["name"] + "}", quote(value))
        elif param["in"] == "query" and draw(st.booleans()):
            query[param["name"]] = draw(value_of(param, secrets), label=param["name"])
    if operation == "stream":  # a stream ends only when told
        query["max_seconds"] = draw(st.sampled_from(["0.05", "0.2"]))
        query.setdefault("from_start", "true")
    if operation == "report":
        query["format"] = "html"  # PDF only renders the same HTML, slowly
    body = draw(bodies(operation, secrets)) if method == "post" else None
    return who, method, url, query, body


def quote(value: str) -> str:
    from urllib.parse import quote as q

    return q(value, safe="") or "%20"


def token(app: Any, who: str) -> dict[str, str]:
    role, extra = WHO[who]
    if role is Role.PUBLIC:
        return {}
    issued = app.state.settings.key.issue(Principal(role, "tester", **extra), int(time.time()))
    return {"Authorization": f"Bearer {issued}"}


def answer_text(response: Any) -> tuple[str, list[Any]]:
    """The body as text, and its JSON values (one per SSE event, or the CSV as rows)."""
    text = response.text
    kind = response.headers.get("content-type", "")
    if "event-stream" in kind:
        events = [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:")]
        return text, events
    if "json" in kind:
        return text, [response.json()]
    if "csv" in kind:
        return text, [list(csv.reader(io.StringIO(text)))]
    return text, []


# -- the property ---------------------------------------------------------------------------

OPERATIONS = [
    "health", "whoami", "checkpoint", "consistency_proof", "log_entry", "inclusion_proof",
    "violations", "violation", "incidents", "incident", "aggregates", "coverage", "complaints",
    "sensors", "records", "stream", "report", "export", "agreement", "complaint_submit",
    "review", "ingest", "metrics",
]  # fmt: skip


def test_the_property_covers_every_operation(schema: dict[str, Any]) -> None:
    assert set(operations(schema)) == set(OPERATIONS)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_no_role_sees_what_it_may_not(
    operation: str, app: Any, reader: TestClient, schema: dict[str, Any], secrets: Secrets
) -> None:
    ops = operations(schema)
    if operation not in ops:
        pytest.skip(f"no {operation} operation in this build")

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(request=requests(operation, ops, secrets))
    def check(request: tuple[str, str, str, dict[str, str], Any]) -> None:
        who, method, url, query, body = request
        role, extra = WHO[who]
        headers = token(app, who)
        if method == "get":
            response = reader.get(url, params=query, headers=headers)
        elif isinstance(body, bytes):
            headers["content-type"] = "application/x-ndjson"
            response = reader.post(url, params=query, content=body, headers=headers)
        else:
            response = reader.post(url, params=query, json=body, headers=headers)
        where = f"{who}: {method.upper()} {url} {query} → {response.status_code}"
        assert response.status_code < 500, f"{where}: {response.text[:300]}"
        text, values = answer_text(response)
        sent = f"{url} {json.dumps(query)} {body!r}"
        coords, ids = secrets.forbidden(role, extra)
        found = leaks(text, coords, ids, sent)
        assert not found, f"{where} shows {found[:5]}"
        if response.status_code >= 400:
            assert not values or set(values[0]) <= {"error", "detail"}, where
            return
        for value in values:
            for kind, row in rows_of(operation, value):
                assert not key_problems(kind, role, row), (where, key_problems(kind, role, row))
        if operation == "stream":
            for row in values:
                assert not key_problems("violation", role, row), where

    check()


def test_the_checks_would_catch_the_cells_view_given_to_others(
    app: Any, reader: TestClient, secrets: Secrets
) -> None:
    analyst = token(app, "analyst")
    registry = reader.get("/api/sensors", headers=analyst).text
    picks = reader.get("/api/records?source=picks&limit=50", headers=analyst).text
    violations = reader.get("/api/violations?limit=5", headers=analyst).json()["items"]
    for who in ("public", "party RU", "contributor FR"):
        coords, ids = secrets.forbidden(*WHO[who])
        assert leaks(registry, coords, ids, ""), who
        assert leaks(picks, set(), ids, ""), who
    assert all(key_problems("violation", Role.PARTY, v) for v in violations)
