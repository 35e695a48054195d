"""Table-driven checks of the JSON Lines formats: one good record per kind, many named bad ones.

Each bad case asserts the exact field at fault and a key phrase of the reason; the good records
around a bad one are still accepted.
"""

from __future__ import annotations

import pytest

from ceasewatch.ingest.adapters import ADAPTERS
from ceasewatch.ingest.base import MAX_RECORD_BYTES, Accepted, Rejected
from ceasewatch.model.time import parse_ns

from .records import (
    GOOD,
    ID_FIELD,
    KEY32,
    POSITION_FIELD,
    SIG64,
    SIGNATURE_FIELD,
    SOURCE_FIELD,
    T2,
    TIME_FIELD,
    T,
    changed,
    line,
    without,
)

JSONL_KINDS = tuple(GOOD)


def parse_one(kind: str, raw: bytes) -> Accepted | Rejected:
    results = list(ADAPTERS[kind].parse(raw))
    assert len(results) == 1
    return results[0]


@pytest.mark.parametrize("kind", JSONL_KINDS)
def test_good_record_is_accepted_as_sent(kind: str) -> None:
    raw = line(GOOD[kind])
    got = parse_one(kind, raw)
    assert isinstance(got, Accepted)
    assert got.kind == kind
    assert got.record_id == GOOD[kind][ID_FIELD[kind]]
    assert got.record == GOOD[kind]
    assert got.raw == raw
    assert got.line == 1
    assert got.source_time_ns == parse_ns(GOOD[kind][TIME_FIELD[kind]])
    assert got.signature is None


@pytest.mark.parametrize("kind", JSONL_KINDS)
def test_unknown_fields_kept_and_signature_reported(kind: str) -> None:
    extra = {"vendor": {"gain": [1, 2.5, None, True]}, "note": "ü ✓ 𝄞"}
    raw = changed(kind, **extra, **{SIGNATURE_FIELD[kind]: SIG64})
    got = parse_one(kind, raw)
    assert isinstance(got, Accepted)
    assert got.record["vendor"] == extra["vendor"] and got.record["note"] == extra["note"]
    assert got.signature == SIG64


@pytest.mark.parametrize("kind", JSONL_KINDS)
def test_optional_fields_may_be_left_out_or_null(kind: str) -> None:
    required = {ID_FIELD[kind], SOURCE_FIELD[kind], TIME_FIELD[kind]}
    if kind == "tracks":
        required = {"track_id", "sensor_id", "t_impact", "impact"}
    if kind == "status":
        required |= {"t_start", "state"}
    if kind == "open-reports":
        required |= {"observer", "source"}
    minimal = {k: v for k, v in GOOD[kind].items() if k in required}
    assert isinstance(parse_one(kind, line(minimal)), Accepted)
    nulls = {k: (v if k in required else None) for k, v in GOOD[kind].items()}
    assert isinstance(parse_one(kind, line(nulls)), Accepted)


def generic_cases() -> list[tuple[str, str, bytes, str, str]]:
    """(name, kind, line, field, phrase) — the same mistakes in every JSON Lines format."""
    cases = []
    for kind in JSONL_KINDS:
        idf, tf, src = ID_FIELD[kind], TIME_FIELD[kind], SOURCE_FIELD[kind]
        sig = SIGNATURE_FIELD[kind]
        cases += [
            ("missing id", kind, without(kind, idf), idf, "is missing"),
            ("null id", kind, changed(kind, **{idf: None}), idf, "is null"),
            ("numeric id", kind, changed(kind, **{idf: 17}), idf, "must be a string"),
            ("empty id", kind, changed(kind, **{idf: ""}), idf, "is empty"),
            ("blank id", kind, changed(kind, **{idf: "   "}), idf, "is empty"),
            ("long id", kind, changed(kind, **{idf: "x" * 201}), idf, "the limit is 200"),
            ("control id", kind, changed(kind, **{idf: "a\nb"}), idf, "control characters"),
            ("missing source", kind, without(kind, src), src, "is missing"),
            ("missing time", kind, without(kind, tf), tf, "is missing"),
            ("time as number", kind, changed(kind, **{tf: 1771384365}), tf, "must be a time"),
            ("time no zone", kind, changed(kind, **{tf: "2026-02-18T03:12:45"}), tf, "not an RFC"),
            ("time offset", kind, changed(kind, **{tf: "2026-02-18T05:12:45+02:00"}), tf, "offset"),
            ("time date only", kind, changed(kind, **{tf: "2026-02-18"}), tf, "not an RFC 3339"),
            ("time space", kind, changed(kind, **{tf: "2026-02-18 03:12:45Z"}), tf, "not an RFC"),
            ("time 10 digits", kind, changed(kind, **{tf: "2026-02-18T03:12:45.1234567890Z"}), tf,
             "not an RFC 3339"),
            ("time feb 30", kind, changed(kind, **{tf: "2026-02-30T03:12:45Z"}), tf, "calendar"),
            ("time hour 24", kind, changed(kind, **{tf: "2026-02-18T24:00:00Z"}), tf, "calendar"),
            ("signature not base64", kind, changed(kind, **{sig: "not base64!"}), sig, "base64"),
            ("signature short", kind, changed(kind, **{sig: KEY32}), sig, "decodes to 32 bytes"),
            ("signature number", kind, changed(kind, **{sig: 5}), sig, "must be a base64 string"),
        ]  # fmt: skip
        if kind in POSITION_FIELD:
            pos = POSITION_FIELD[kind]
            cases += [
                ("position string", kind, changed(kind, **{pos: "37.9,48.3"}), pos, "[lon, lat]"),
                ("position 1 item", kind, changed(kind, **{pos: [37.9]}), pos, "not 1 items"),
                ("position 4 items", kind, changed(kind, **{pos: [1, 2, 3, 4]}), pos, "4 items"),
                ("position text lat", kind, changed(kind, **{pos: [37.9, "48.3"]}), f"{pos}[1]",
                 "must be a number"),
                ("position bool", kind, changed(kind, **{pos: [True, 48.3]}), f"{pos}[0]",
                 "true/false"),
                ("position swapped", kind, changed(kind, **{pos: [48.3, 137.9]}), f"{pos}[1]",
                 "looks swapped"),
                ("position lat 91", kind, changed(kind, **{pos: [37.9, 91]}), f"{pos}[1]",
                 "outside [-90, 90]"),
                ("position lon 181", kind, changed(kind, **{pos: [181, 48.3]}), f"{pos}[0]",
                 "outside [-180, 180]"),
                ("position elev text", kind, changed(kind, **{pos: [37.9, 48.3, "x"]}), f"{pos}[2]",
                 "must be a number"),
            ]  # fmt: skip
    return cases


def raw_cases() -> list[tuple[str, str, bytes, str, str]]:
    """Lines that are not records at all, and values JSON allows but canonical JSON does not."""
    kind = "picks"
    good = line(GOOD[kind])
    return [
        ("not json", kind, b"hello", "", "is not JSON"),
        ("truncated", kind, good[:-5], "", "is not JSON"),
        ("column reported", kind, b'{"pick_id": "a",, }', "", "column 17"),
        ("array", kind, b"[1, 2]", "", "an array, not a JSON object"),
        ("string", kind, b'"pick"', "", "a single value"),
        ("number", kind, b"12", "", "a single value"),
        ("invalid utf-8", kind, good.replace(b"A017", b"A\xff17"), "", "not valid UTF-8"),
        ("latin-1", kind, changed(kind, note="é").replace(b"\xc3\xa9", b"\xe9"), "",
         "not valid UTF-8"),
        ("nan", kind, good[:-1] + b', "snr_db2": NaN}', "snr_db2", "NaN is not a JSON number"),
        ("infinity", kind, good[:-1] + b', "x": [1, Infinity]}', "x[1]", "Infinity"),
        ("-infinity", kind, good[:-1] + b', "x": {"y": -Infinity}}', "x.y", "-Infinity"),
        ("overflowing float", kind, good[:-1] + b', "x": 1e400}', "x", "infinity"),
        ("big integer", kind, good[:-1] + b', "x": 9007199254740992}', "x", "2**53"),
        ("huge integer", kind, good[:-1] + b', "x": -' + b"9" * 5000 + b"}", "x", "2**53"),
        ("duplicate key", kind, good[:-1] + b', "pick_id": "B"}', "pick_id", "appears twice"),
        ("nested duplicate", kind, good[:-1] + b', "x": {"a": 1, "a": 1}}', "a", "twice"),
        ("lone surrogate", kind, good[:-1] + b', "x": "\\ud800"}', "x", "surrogate"),
        ("too large", kind, good[:-1] + b', "x": "' + b"a" * MAX_RECORD_BYTES + b'"}', "",
         "the limit is 1,048,576 bytes"),
    ]  # fmt: skip


def specific_cases() -> list[tuple[str, str, bytes, str, str]]:
    """Rules of one format each."""
    return [
        ("negative sigma", "picks", changed("picks", t_sigma_s=-0.1), "t_sigma_s", "negative"),
        ("sigma string", "picks", changed("picks", t_sigma_s="0.1"), "t_sigma_s",
         "must be a number"),
        ("sigma bool", "picks", changed("picks", t_sigma_s=True), "t_sigma_s", "true/false"),
        ("acoustic signature", "picks", changed("picks", signature="bang"), "signature",
         "launch, impact, blast, unknown"),
        ("snr string", "picks", changed("picks", snr_db="14"), "snr_db", "must be a number"),
        ("no end at all", "tracks", without("tracks", "t_launch", "launch", "t_impact", "impact"),
         "", "neither"),
        ("launch without time", "tracks", without("tracks", "t_launch"), "t_launch",
         "is missing while launch is given"),
        ("impact time alone", "tracks", without("tracks", "impact"), "impact",
         "is missing while t_impact is given"),
        ("impact before launch", "tracks", changed("tracks", t_impact="2026-02-18T03:00:00Z"),
         "t_impact", "before t_launch"),
        ("negative cep", "tracks", changed("tracks", launch_cep_m=-1), "launch_cep_m", "negative"),
        ("projectile", "tracks", changed("tracks", projectile="rock"), "projectile",
         "mortar, artillery, mlrs, missile, uav, unknown"),
        ("launch swapped", "tracks", changed("tracks", launch=[48.41, 137.91]), "launch[1]",
         "swapped"),
        ("object class", "detections", changed("detections", object_class="Tank"),
         "object_class", "tank, artillery_ge_100mm"),
        ("confidence > 1", "detections", changed("detections", class_confidence=1.5),
         "class_confidence", "above 1"),
        ("confidence < 0", "detections", changed("detections", class_confidence=-0.1),
         "class_confidence", "negative"),
        ("negative count", "detections", changed("detections", count=-2), "count", "negative"),
        ("fractional count", "detections", changed("detections", count=2.5), "count",
         "whole number"),
        ("negative pos sigma", "detections", changed("detections", pos_sigma_m=-3),
         "pos_sigma_m", "negative"),
        ("mode", "reports", changed("reports", mode="smelled"), "mode", "heard, saw, camera"),
        ("what", "reports", changed("reports", what="noise"), "what", "explosion, shot"),
        ("end before start", "reports", changed("reports", t_end="2026-02-18T03:00:00Z"),
         "t_end", "before t_start"),
        ("bearing 3 items", "reports", changed("reports", bearing_deg=[1, 2, 3]), "bearing_deg",
         "pair"),
        ("bearing 400", "reports", changed("reports", bearing_deg=[120, 400]), "bearing_deg[1]",
         "above 360"),
        ("bearing text", "reports", changed("reports", bearing_deg="SE"), "bearing_deg", "pair"),
        ("range reversed", "reports", changed("reports", range_km=[5, 3]), "range_km",
         "not in order"),
        ("range negative", "reports", changed("reports", range_km=[-1, 3]), "range_km[0]",
         "negative"),
        ("report count", "reports", changed("reports", count=-1), "count", "negative"),
        ("text number", "reports", changed("reports", text=5), "text", "must be a string"),
        ("alleged reversed", "complaints", changed("complaints", t_alleged=[T2, T]), "t_alleged",
         "ends before it starts"),
        ("alleged one", "complaints", changed("complaints", t_alleged=[T]), "t_alleged", "pair"),
        ("alleged bad time", "complaints", changed("complaints", t_alleged=[T, "soon"]),
         "t_alleged[1]", "not an RFC 3339"),
        ("negative radius", "complaints", changed("complaints", radius_m=-5), "radius_m",
         "negative"),
        ("alleged party", "complaints", changed("complaints", alleged_party=""), "alleged_party",
         "is empty"),
        ("window reversed", "notifications", changed("notifications", t_window=[T2, T]),
         "t_window", "ends before it starts"),
        ("window text", "notifications", changed("notifications", t_window="today"), "t_window",
         "pair"),
        ("notification radius", "notifications", changed("notifications", radius_m="1 km"),
         "radius_m", "must be a number"),
    ]  # fmt: skip


CASES = generic_cases() + raw_cases() + specific_cases()


@pytest.mark.parametrize(
    ("kind", "raw", "field", "phrase"),
    [case[1:] for case in CASES],
    ids=[f"{case[1]}-{case[0]}" for case in CASES],
)
def test_bad_record_is_rejected_alone(kind: str, raw: bytes, field: str, phrase: str) -> None:
    good = line(GOOD[kind])
    results = list(ADAPTERS[kind].parse(b"\n".join([good, raw, good])))
    assert [type(r) for r in results] == [Accepted, Rejected, Accepted]
    bad = results[1]
    assert isinstance(bad, Rejected)
    assert bad.line == 2
    assert bad.raw == raw
    assert bad.field == field
    assert phrase in bad.reason
    assert bad.fix
    assert str(bad).startswith(f"{kind}:2: ")
    assert "\n" not in str(bad)


def test_rejection_names_id_when_readable() -> None:
    got = parse_one("picks", changed("picks", t_arrival="yesterday"))
    assert isinstance(got, Rejected)
    assert got.record_id == "A017-000912"
    assert parse_one("picks", b"[]").record_id is None  # type: ignore[union-attr]


def test_describe_format() -> None:
    got = parse_one("picks", changed("picks", t_sigma_s=-1))
    assert isinstance(got, Rejected)
    assert got.describe("in/picks.jsonl") == (
        'in/picks.jsonl:1: t_sigma_s: -1 is negative Fix: send "t_sigma_s" as 0 or more'
    )
    whole = parse_one("picks", b"[]")
    assert isinstance(whole, Rejected)
    assert (
        str(whole) == "picks:1: is an array, not a JSON object Fix: send one JSON object per line"
    )


def test_lines_blank_crlf_bom_and_last_line_without_ending() -> None:
    good = line(GOOD["picks"])
    data = b"\xef\xbb\xbf" + good + b"\r\n\r\n   \n" + good + b"\n\n" + good
    results = list(ADAPTERS["picks"].parse(data))
    assert [r.line for r in results] == [1, 4, 6]
    assert all(isinstance(r, Accepted) and r.raw == good for r in results)


def test_long_value_is_shortened_in_the_reason() -> None:
    got = parse_one("picks", changed("picks", t_arrival="x" * 10_000))
    assert isinstance(got, Rejected)
    assert len(got.reason) < 200 and "…" in got.reason


def test_tracks_source_time_is_launch_else_impact() -> None:
    both = parse_one("tracks", line(GOOD["tracks"]))
    impact_only = parse_one("tracks", without("tracks", "t_launch", "launch"))
    assert isinstance(both, Accepted) and isinstance(impact_only, Accepted)
    assert both.source_time_ns == parse_ns(T)
    assert impact_only.source_time_ns == parse_ns(T2)


def test_bearing_may_wrap_through_north() -> None:
    assert isinstance(parse_one("reports", changed("reports", bearing_deg=[337.5, 22.5])), Accepted)


def test_whole_numbers_written_as_floats_are_counts() -> None:
    assert isinstance(parse_one("detections", changed("detections", count=2.0)), Accepted)


def test_elevation_allowed_and_nanosecond_times() -> None:
    raw = changed("detections", position=[37.95, 48.30, 212.5], t="2026-02-18T03:12:45.123456789Z")
    got = parse_one("detections", raw)
    assert isinstance(got, Accepted)
    assert got.source_time_ns is not None and got.source_time_ns % 1_000_000_000 == 123_456_789


def test_lower_case_t_and_z_are_rfc3339() -> None:
    got = parse_one("picks", changed("picks", t_arrival="2026-02-18t03:12:45.123456z"))
    assert isinstance(got, Accepted) and got.source_time_ns == parse_ns(T)
