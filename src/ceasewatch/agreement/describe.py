"""Plain-text rendering of a :class:`~ceasewatch.agreement.locate.Location` for the terminal."""

from __future__ import annotations

from ceasewatch.agreement.locate import Location
from ceasewatch.agreement.types import Agreement


def _position(lon: float, lat: float) -> str:
    return f"{abs(lon):.4f} {'E' if lon >= 0 else 'W'}, {abs(lat):.4f} {'N' if lat >= 0 else 'S'}"


def describe_location(location: Location, agreement: Agreement) -> str:
    unc = location.uncertainty
    if unc.sigma_major_m == 0 and unc.sigma_minor_m == 0:
        error = "exact position"
    elif unc.is_circular:
        error = f"σ {unc.sigma_major_m:g} m"
    else:
        error = (
            f"σ {unc.sigma_major_m:g} × {unc.sigma_minor_m:g} m, major axis {unc.azimuth_deg:g}°"
        )
    out = [f"{_position(location.lon, location.lat)} ({error}) under {agreement.label}"]
    if location.place is not None:
        out.append(f"  place    {location.place.with_oblast}")
    else:
        out.append("  place    (no settlement of the gazetteer within 60 km)")
    out.append("  control  " + ", ".join(f"{party} {p:.3f}" for party, p in location.control))
    for line in location.lines:
        side = f"on the {line.side} side" if line.side else "on the line"
        out.append(
            f"  line     {line.line_id}: {line.distance_m / 1000:,.2f} km {side} "
            f"(nearest point {_position(*line.foot)})"
        )
    if location.zones:
        width = max(len(zone) for zone, _ in location.zones)
        out.append("  zones    probability of being inside")
        out.extend(f"           {zone:<{width}}  {p:.3f}" for zone, p in location.zones)
    else:
        out.append("  zones    none")
    if location.sites:
        out.append("  sites    " + ", ".join(f"{site} {p:.3f}" for site, p in location.sites))
    out.append(f"  sector   {location.sector or 'none'}")
    return "\n".join(out)
