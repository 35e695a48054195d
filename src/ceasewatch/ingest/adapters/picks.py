"""Acoustic / seismic picks — ``picks.jsonl`` (FORMATS.md).

Required: ``pick_id``, ``sensor_id``, ``t_arrival``. Optional: ``t_sigma_s`` (0 or more),
``signature`` (the *acoustic* signature: launch | impact | blast | unknown), ``snr_db``.
Source time: ``t_arrival``.

A sensor's Ed25519 signature over its record travels in ``signature_ed25519`` (base64 of 64
bytes), as in every format; in picks ``signature`` is the acoustic signature.
"""

from __future__ import annotations

from ceasewatch.ingest.adapters import checks as c
from ceasewatch.ingest.adapters.jsonl import JsonLinesAdapter

ACOUSTIC_SIGNATURES = ("launch", "impact", "blast", "unknown")
SIGNATURE_FIELD = c.SIGNATURE_FIELD


def validate(record: c.Record) -> c.Checked:
    """Check one pick; raise :class:`~checks.Bad` for its first problem."""
    pick_id = c.ident(record, "pick_id")
    c.ident(record, "sensor_id")
    t_arrival = c.time_ns(record, "t_arrival")
    c.number(record, "t_sigma_s", minimum=0)
    if c.given(record, "signature") and record["signature"] not in ACOUSTIC_SIGNATURES:
        listed = ", ".join(ACOUSTIC_SIGNATURES)
        raise c.Bad(
            "signature",
            f"{c.show(record['signature'])} is not one of: {listed} (in picks, signature is "
            "the acoustic signature)",
            f"use one of: {listed}; send an Ed25519 signature as {SIGNATURE_FIELD}",
        )
    c.number(record, "snr_db")
    signed = c.signature(record, SIGNATURE_FIELD)
    return c.Checked(pick_id, t_arrival, signed)


ADAPTER = JsonLinesAdapter("picks", "pick_id", validate)
