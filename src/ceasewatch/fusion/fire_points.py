"""NASA FIRMS points as arrays: longitude, latitude and acquisition day, for counting.

The excess-fire detector needs only where and on which day, for a year of points at a time
(a 2022 extract holds 134k rows), so this reader skips the per-record ``Observation`` of the
ingest adapter and fills three numpy arrays. It accepts both forms of the file:

* the reduced extract ``LATITUDE,LONGITUDE,ACQ_DATE`` (any column order, any case), and
* the full FIRMS CSV (``latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,...``).

Reading is all or nothing: the first bad row raises an ``InputError`` naming the file, the line
and the fix (a year of counts with holes in it would read as a quiet day).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ceasewatch.errors import InputError

REQUIRED = ("latitude", "longitude", "acq_date")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
HEADER_FIX = "start the file with a FIRMS header naming latitude, longitude and acq_date"


@dataclass(frozen=True)
class FirePoints:
    """Fire detections: ``lon_deg``/``lat_deg`` (WGS84) and ``day`` (days since 1970-01-01)."""

    lon_deg: NDArray[np.float64]
    lat_deg: NDArray[np.float64]
    day: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.day)

    @classmethod
    def of(cls, lon_deg: object, lat_deg: object, dates: object) -> FirePoints:
        """From sequences of lon, lat and ISO dates (``"2022-03-01"``) or day numbers."""
        day = np.asarray(dates)
        if day.dtype.kind in "UO":
            day = day.astype("datetime64[D]").astype(np.int64)
        return cls(
            np.asarray(lon_deg, dtype=np.float64),
            np.asarray(lat_deg, dtype=np.float64),
            np.asarray(day, dtype=np.int64),
        )


def _split(line: str) -> list[str]:
    if '"' in line:
        return next(csv.reader([line]))
    return line.split(",")


def read_fire_points(text: str, source: str) -> FirePoints:
    """Parse FIRMS CSV text; ``source`` names the file in error messages."""
    lines = text.lstrip("\ufeff").splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        raise InputError(f"{source}: the file is empty; {HEADER_FIX}")
    names = [name.strip().lower() for name in _split(lines[start])]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise InputError(
            f"{source}, line {start + 1}: the header has no {', '.join(missing)} column "
            f"(it reads {lines[start][:80]!r}); {HEADER_FIX}"
        )
    i_lat, i_lon, i_date = (names.index(name) for name in REQUIRED)
    width = len(names)
    lats: list[str] = []
    lons: list[str] = []
    dates: list[str] = []
    numbers: list[int] = []
    for number, line in enumerate(lines[start + 1 :], start=start + 2):
        if not line.strip():
            continue
        cells = _split(line)
        if len(cells) != width:
            raise InputError(
                f"{source}, line {number}: {len(cells)} values where the header has {width}; "
                "give every row one value per header column"
            )
        lats.append(cells[i_lat])
        lons.append(cells[i_lon])
        dates.append(cells[i_date].strip())
        numbers.append(number)
    lat = _numbers(lats, numbers, source, "latitude", 90.0)
    lon = _numbers(lons, numbers, source, "longitude", 180.0)
    return FirePoints(lon, lat, _days(dates, numbers, source))


def _numbers(
    values: list[str], numbers: list[int], source: str, column: str, limit: float
) -> NDArray[np.float64]:
    try:
        array = np.array(values, dtype=np.float64)
    except ValueError:
        array = np.full(len(values), np.nan)
        for k, value in enumerate(values):
            try:
                array[k] = float(value)
            except ValueError:
                break
    bad = np.flatnonzero(~(np.abs(array) <= limit))
    if len(bad):
        k = int(bad[0])
        raise InputError(
            f"{source}, line {numbers[k]}: {column} {values[k].strip()!r} is not a number "
            f"between -{limit:g} and {limit:g}; write decimal degrees, e.g. 48.512"
        )
    return array


def _days(values: list[str], numbers: list[int], source: str) -> NDArray[np.int64]:
    shaped = [k for k, value in enumerate(values) if not DATE.fullmatch(value)][:1]
    if not shaped:
        try:
            return np.array(values, dtype="datetime64[D]").astype(np.int64)
        except ValueError:
            shaped = [_first_bad_date(values)]
    k = shaped[0]
    raise InputError(
        f"{source}, line {numbers[k]}: acq_date {values[k]!r} is not a date; "
        "write it as YYYY-MM-DD, e.g. 2022-03-01"
    )


def _first_bad_date(values: list[str]) -> int:
    for k, value in enumerate(values):
        try:
            np.datetime64(value, "D")
        except ValueError:
            return k
    raise AssertionError("numpy refused dates that each parse")
