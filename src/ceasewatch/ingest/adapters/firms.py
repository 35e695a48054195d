"""Satellite thermal anomalies — NASA FIRMS CSV (FORMATS.md).

Two forms, told apart by the header (the first non-blank line; column names in any case and
order, a UTF-8 byte-order mark ignored):

* the standard form, MODIS or VIIRS: ``latitude, longitude, bright_ti4 | brightness, scan, track,
  acq_date, acq_time, satellite, instrument, confidence, version, bright_ti5 | bright_t31, frp,
  daynight`` (other columns are kept unchecked);
* the reduced form ``LATITUDE,LONGITUDE,ACQ_DATE``.

Every row is a record: ``Accepted.record`` maps the lower-case column names to the text exactly as
written. A row is rejected alone when it has the wrong number of columns or a bad value: latitude
and longitude must be decimal numbers in range, ``acq_date`` a date ``YYYY-MM-DD``, ``acq_time``
``HHMM`` (leading zeros may be dropped: ``7`` is 00:07), ``confidence`` 0–100 or l/n/h (or low /
nominal / high), ``daynight`` D or N, the brightness, scan, track and frp columns numbers.

FIRMS rows carry no id, so one is made from the content: ``<instrument>:<satellite>:<acq_date>T
<HHMM>:<latitude>,<longitude>`` (latitude and longitude as written), e.g.
``VIIRS:N:2022-02-24T0012:48.12345,37.54321``; for the reduced form ``<acq_date>:<latitude>,
<longitude>``. Source time: ``acq_date`` + ``acq_time`` in UTC (the reduced form: 00:00 that day).
A header that is not a FIRMS header is rejected (as line 1), and so is every row under it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from ceasewatch.ingest.adapters.checks import Bad
from ceasewatch.ingest.adapters.jsonl import basename, split_lines
from ceasewatch.ingest.adapters.strict_json import shorten
from ceasewatch.ingest.base import MAX_RECORD_BYTES, Accepted, Rejected
from ceasewatch.model.time import NS_PER_S

REQUIRED = ("latitude", "longitude", "acq_date")
NUMERIC = ("bright_ti4", "bright_ti5", "brightness", "bright_t31", "scan", "track", "frp")
CONFIDENCE_WORDS = frozenset({"l", "n", "h", "low", "nominal", "high"})
_DECIMAL = re.compile(r"\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*\Z", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)
_HHMM = re.compile(r"\d{1,4}\Z", re.ASCII)
_EPOCH_DAY = date(1970, 1, 1).toordinal()
_NS_PER_DAY = 86_400 * NS_PER_S
_NS_PER_MIN = 60 * NS_PER_S


def csv_header(data: bytes) -> bytes:
    """The header line of a FIRMS file (its first non-blank line, no BOM or ending), or ``b""``."""
    for _, line in split_lines(data):
        return line
    return b""


def _cells(text: str) -> list[str]:
    """The cells of one CSV line (RFC 4180 quoting allowed within the line)."""
    if '"' not in text:
        return text.split(",")
    return next(csv.reader([text], strict=True))


def _header_names(head: bytes) -> list[str] | None:
    try:
        return [name.strip().lower() for name in _cells(csv_header(head).decode("utf-8"))]
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None


@dataclass(frozen=True)
class FirmsAdapter:
    """Reads FIRMS CSV in either form (see the module docstring)."""

    kind: str = "firms"

    def sniff_name(self, filename: str) -> bool:
        """``firms*.csv`` or a FIRMS download's own name, ``fire_*.csv``."""
        name = basename(filename)
        return name.endswith(".csv") and name.startswith(("firms", "fire_"))

    def sniff_content(self, head: bytes) -> bool:
        """The first line is a CSV header with latitude, longitude and acq_date."""
        names = _header_names(head)
        return names is not None and all(column in names for column in REQUIRED)

    def sniff(self, filename: str, head: bytes) -> bool:
        return self.sniff_name(filename) or self.sniff_content(head)

    def parse(self, data: bytes) -> Iterator[Accepted | Rejected]:
        lines = split_lines(data)
        header = next(lines, None)
        if header is None:
            return
        number, raw = header
        names, problem = _read_header(raw)
        if problem is not None:
            yield Rejected(self.kind, number, problem.field, problem.reason, problem.fix, raw, None)
            for row_number, row in lines:
                yield Rejected(
                    self.kind,
                    row_number,
                    "",
                    f"cannot be read: the header on line {number} is not a FIRMS header",
                    "fix the header line and resend the file",
                    row,
                    None,
                )
            return
        for row_number, row in lines:
            yield self._row(names, row_number, row)

    def _row(self, names: list[str], number: int, raw: bytes) -> Accepted | Rejected:
        record: dict[str, str] | None = None
        try:
            record = _read_row(names, raw)
            t_ns = _check(record)
        except Bad as bad:
            readable = shorten(_record_id(record), 200) if record is not None else None
            return Rejected(self.kind, number, bad.field, bad.reason, bad.fix, raw, readable)
        return Accepted(self.kind, _record_id(record), record, raw, number, t_ns, None)


def _read_header(raw: bytes) -> tuple[list[str], Bad | None]:
    fix = "start the file with the FIRMS header, e.g. latitude,longitude,acq_date"
    try:
        names = [name.strip().lower() for name in _cells(raw.decode("utf-8"))]
    except UnicodeDecodeError:
        return [], Bad("", "the header is not valid UTF-8", fix)
    except csv.Error as exc:
        return [], Bad("", f"the header is not a CSV line ({exc})", fix)
    for column in REQUIRED:
        if column not in names:
            return names, Bad(column, f"the header has no {column} column", fix)
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        return names, Bad(twice, f"the header names {twice} twice (ambiguous)", "keep one")
    return names, None


def _read_row(names: list[str], raw: bytes) -> dict[str, str]:
    if len(raw) > MAX_RECORD_BYTES:
        raise Bad(
            "",
            f"the row is {len(raw):,} bytes; the limit is {MAX_RECORD_BYTES:,} bytes",
            "check the row; it was not read",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = f"is not valid UTF-8 (byte {exc.start + 1} of the row)"
        raise Bad("", reason, "save the file as UTF-8") from None
    try:
        cells = _cells(text)
    except csv.Error as exc:
        raise Bad("", f"is not a CSV row ({exc})", "close every quoted cell on its line") from None
    if len(cells) != len(names):
        raise Bad(
            "",
            f"has {len(cells)} columns; the header has {len(names)}",
            "give one value for every header column, separated by commas",
        )
    return dict(zip(names, cells, strict=True))


def _decimal(record: Mapping[str, str], name: str, low: float, high: float) -> float:
    value = record[name]
    fix = f"write {name} as a decimal number between {low:g} and {high:g}"
    if not _DECIMAL.match(value):
        raise Bad(name, f'"{shorten(value)}" is not a decimal number', fix)
    number = float(value)
    if not low <= number <= high:
        raise Bad(name, f"{value.strip()} is outside [{low:g}, {high:g}]", fix)
    return number


def _check(record: Mapping[str, str]) -> int:
    """Check a row's values; return its source time."""
    _decimal(record, "latitude", -90.0, 90.0)
    _decimal(record, "longitude", -180.0, 180.0)
    day_ns = _date_ns(record["acq_date"])
    for name in NUMERIC:
        if name in record and not _DECIMAL.match(record[name]):
            reason = f'"{shorten(record[name])}" is not a number'
            raise Bad(name, reason, f"write {name} as a decimal number")
    if "confidence" in record:
        _confidence(record["confidence"])
    if "daynight" in record and record["daynight"].strip().upper() not in ("D", "N"):
        raise Bad("daynight", f'"{shorten(record["daynight"])}" is not D or N', "write D or N")
    if "acq_time" not in record:
        return day_ns
    hhmm = _hhmm(record["acq_time"])
    return day_ns + (int(hhmm[:2]) * 60 + int(hhmm[2:])) * _NS_PER_MIN


def _record_id(record: Mapping[str, str]) -> str:
    """The id made from a row's content (see the module docstring)."""
    lat, lon, day = (record[k].strip() for k in REQUIRED)
    if "acq_time" not in record:
        return f"{day}:{lat},{lon}"
    hhmm = record["acq_time"].strip().zfill(4)
    instrument = record.get("instrument", "").strip()
    satellite = record.get("satellite", "").strip()
    return f"{instrument}:{satellite}:{day}T{hhmm}:{lat},{lon}"


def _date_ns(text: str) -> int:
    fix = "write acq_date as YYYY-MM-DD, e.g. 2022-02-24"
    value = text.strip()
    if not _DATE.match(value):
        raise Bad("acq_date", f'"{shorten(text)}" is not a date YYYY-MM-DD', fix)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Bad("acq_date", f'"{value}" is not a calendar date', fix) from None
    return (day.toordinal() - _EPOCH_DAY) * _NS_PER_DAY


def _hhmm(text: str) -> str:
    value = text.strip()
    fix = "write acq_time as HHMM in UTC, e.g. 0012 for 00:12"
    if not _HHMM.match(value):
        raise Bad("acq_time", f'"{shorten(text)}" is not a time HHMM', fix)
    hhmm = value.zfill(4)
    if int(hhmm[:2]) > 23 or int(hhmm[2:]) > 59:
        raise Bad("acq_time", f'"{value}" is not a time of day (HHMM)', fix)
    return hhmm


def _confidence(text: str) -> None:
    value = text.strip()
    if value.lower() in CONFIDENCE_WORDS:
        return
    if _DECIMAL.match(value) and 0.0 <= float(value) <= 100.0:
        return
    raise Bad(
        "confidence",
        f'"{shorten(text)}" is neither 0-100 nor l/n/h',
        "write a percentage (MODIS) or l, n or h (VIIRS)",
    )


ADAPTER = FirmsAdapter()
