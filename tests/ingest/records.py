"""Named good records of every JSON Lines format, and helpers to make bad ones from them."""

from __future__ import annotations

import json
from typing import Any

T = "2026-02-18T03:12:45.123456Z"
T2 = "2026-02-18T03:13:05Z"
SIG64 = "A" * 86 + "=="  # base64 of 64 zero bytes
KEY32 = "A" * 43 + "="  # base64 of 32 zero bytes

GOOD: dict[str, dict[str, Any]] = {
    "picks": {
        "pick_id": "A017-000912",
        "sensor_id": "A017",
        "t_arrival": T,
        "t_sigma_s": 0.05,
        "signature": "impact",
        "snr_db": 14.2,
    },
    "tracks": {
        "track_id": "R03-7781",
        "sensor_id": "R03",
        "t_launch": T,
        "launch": [37.91, 48.41],
        "launch_cep_m": 60,
        "t_impact": T2,
        "impact": [37.99, 48.33],
        "impact_cep_m": 40,
        "projectile": "artillery",
    },
    "detections": {
        "detection_id": "U12-0043",
        "sensor_id": "U12",
        "t": T,
        "position": [37.95, 48.30],
        "pos_sigma_m": 25,
        "object_class": "artillery_ge_100mm",
        "class_confidence": 0.86,
        "count": 2,
    },
    "reports": {
        "report_id": "T4-2026-02-18-07",
        "team_id": "T4",
        "t_start": T,
        "t_end": T2,
        "observer": [37.80, 48.50],
        "mode": "heard",
        "what": "explosion",
        "count": 5,
        "bearing_deg": [120, 150],
        "range_km": [3, 5],
        "text": "Heard 5 undetermined explosions 3-5 km SE.",
    },
    "open-reports": {
        "report_id": "viina-3f2a9c1d",
        "team_id": "viina",
        "source": "viina",
        "t_start": T,
        "t_end": T2,
        "observer": [37.55, 48.59],
        "what": "explosion",
        "category": "explosion/impact",
        "headline": "Обстріл Костянтинівки: пошкоджено будинки",
        "text": "Обстріл Костянтинівки: пошкоджено будинки",
    },
    "complaints": {
        "complaint_id": "RU-2026-0031",
        "party": "RU",
        "t_submitted": T2,
        "t_alleged": [T, T2],
        "position": [37.99, 48.33],
        "radius_m": 2000,
        "alleged_party": "UA",
        "category": "shelling",
        "text": "Shelling of the village.",
    },
    "notifications": {
        "notification_id": "RU-N-0001",
        "party": "RU",
        "t_submitted": T,
        "t_window": [T, T2],
        "position": [38.02184, 49.13212],
        "radius_m": 1000,
        "activity": "demining",
        "text": "Controlled detonation of explosive remnants, 1 charges.",
    },
    "status": {
        "status_id": "U12-S-0007",
        "sensor_id": "U12",
        "t_start": T,
        "t_end": T2,
        "state": "jammed",
        "reason": "GNSS jamming reported by the ground station",
        "share": 0.4,
    },
}

ID_FIELD = {
    "picks": "pick_id",
    "tracks": "track_id",
    "detections": "detection_id",
    "reports": "report_id",
    "open-reports": "report_id",
    "complaints": "complaint_id",
    "notifications": "notification_id",
    "status": "status_id",
}
TIME_FIELD = {
    "picks": "t_arrival",
    "tracks": "t_launch",
    "detections": "t",
    "reports": "t_start",
    "open-reports": "t_start",
    "complaints": "t_submitted",
    "notifications": "t_submitted",
    "status": "t_end",
}
SOURCE_FIELD = {
    "picks": "sensor_id",
    "tracks": "sensor_id",
    "detections": "sensor_id",
    "reports": "team_id",
    "open-reports": "team_id",
    "complaints": "party",
    "notifications": "party",
    "status": "sensor_id",
}
POSITION_FIELD = {
    "tracks": "impact",
    "detections": "position",
    "reports": "observer",
    "open-reports": "observer",
    "complaints": "position",
    "notifications": "position",
}
SIGNATURE_FIELD = {kind: "signature_ed25519" for kind in GOOD}


def line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def changed(kind: str, **changes: Any) -> bytes:
    """The good record of ``kind`` with fields replaced (or added)."""
    return line({**GOOD[kind], **changes})


def without(kind: str, *names: str) -> bytes:
    """The good record of ``kind`` without some fields."""
    return line({k: v for k, v in GOOD[kind].items() if k not in names})
