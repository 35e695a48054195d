"""Where the sun is: solar elevation from time and place (the NOAA approximation), and the
windows of light a day-only sensor can work in.

The NOAA "general solar position" formulas (fractional year, equation of time, declination,
hour angle) are good to about a minute of sunrise time at mid latitudes, which is all a
drone's flight plan or a FIRMS day/night flag needs. Refraction is not modelled: sunrise is
the instant the elevation crosses −0.833° (the refracted upper limb), civil dusk −6°.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ceasewatch.model.geo import FloatArray, as_array
from ceasewatch.model.time import NS_PER_S

SUNRISE_DEG = -0.833  # upper limb on the horizon, with standard refraction
CIVIL_DEG = -6.0  # civil twilight: light enough to fly and see


def solar_elevation_deg(t_ns: ArrayLike, lon: ArrayLike, lat: ArrayLike) -> FloatArray:
    """Elevation of the sun's centre above the horizon (degrees), vectorised and broadcast."""
    t = np.atleast_1d(np.asarray(t_ns, dtype=np.int64))
    lon_a, lat_a = as_array(lon), as_array(lat)
    instant = t.astype("datetime64[ns]")
    year = instant.astype("datetime64[Y]")
    day = instant.astype("datetime64[D]")
    day_of_year = (day - year.astype("datetime64[D]")).astype(np.int64) + 1
    days_in_year = ((year + 1).astype("datetime64[D]") - year.astype("datetime64[D]")).astype(
        np.int64
    )
    minutes = (t - day.astype("datetime64[ns]").astype(np.int64)) / (60.0 * NS_PER_S)
    gamma = 2.0 * np.pi / days_in_year * (day_of_year - 1 + (minutes / 60.0 - 12.0) / 24.0)
    eqtime_min = 229.18 * (
        0.000075
        + 0.001868 * np.cos(gamma)
        - 0.032077 * np.sin(gamma)
        - 0.014615 * np.cos(2 * gamma)
        - 0.040849 * np.sin(2 * gamma)
    )
    declination = (
        0.006918
        - 0.399912 * np.cos(gamma)
        + 0.070257 * np.sin(gamma)
        - 0.006758 * np.cos(2 * gamma)
        + 0.000907 * np.sin(2 * gamma)
        - 0.002697 * np.cos(3 * gamma)
        + 0.00148 * np.sin(3 * gamma)
    )
    true_solar_min = minutes + eqtime_min + 4.0 * lon_a
    hour_angle = np.radians(true_solar_min / 4.0 - 180.0)
    phi = np.radians(lat_a)
    cos_zenith = np.sin(phi) * np.sin(declination) + np.cos(phi) * np.cos(declination) * np.cos(
        hour_angle
    )
    return np.asarray(90.0 - np.degrees(np.arccos(np.clip(cos_zenith, -1.0, 1.0))))


def light_windows(
    lon: float,
    lat: float,
    start_ns: int,
    end_ns: int,
    threshold_deg: float = CIVIL_DEG,
    step_s: float = 60.0,
) -> list[tuple[int, int]]:
    """The intervals within [start, end) when the sun at (lon, lat) is above ``threshold_deg``.

    The elevation is sampled every ``step_s`` and each crossing placed by linear interpolation
    between samples (seconds of error for a one-minute step).
    """
    if end_ns <= start_ns:
        return []
    step_ns = int(step_s * NS_PER_S)
    t = np.arange(start_ns, end_ns, step_ns, dtype=np.int64)
    t = np.append(t, end_ns)
    above = solar_elevation_deg(t, lon, lat) - threshold_deg
    windows: list[tuple[int, int]] = []
    opened: int | None = start_ns if above[0] > 0 else None
    for i in np.flatnonzero(np.diff(np.sign(above)) != 0):
        a, b = above[i], above[i + 1]
        if a == b:
            continue
        crossing = int(t[i] + (t[i + 1] - t[i]) * (a / (a - b)))
        if b > 0 and opened is None:
            opened = crossing
        elif b <= 0 and opened is not None:
            windows.append((opened, crossing))
            opened = None
    if opened is not None:
        windows.append((opened, end_ns))
    return [(a, b) for a, b in windows if b > a]


def is_light(
    t_ns: ArrayLike, lon: ArrayLike, lat: ArrayLike, threshold_deg: float = CIVIL_DEG
) -> NDArray[np.bool_]:
    """True where the sun is above ``threshold_deg`` (default: civil twilight, −6°)."""
    return np.asarray(solar_elevation_deg(t_ns, lon, lat) > threshold_deg)
