"""Ingest: one adapter per source format; every record validated alone, bad ones quarantined
with their place and reason, good ones appended to the evidence log, idempotent on resend."""
