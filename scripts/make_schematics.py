"""Write the schematic GeoJSON of the undof-1974 and sinai-1979 examples from vertex lists.

    python scripts/make_schematics.py

Shared edges are written from the same vertex tuples, so they are identical.
"""

import json
import math
from pathlib import Path

from shapely.geometry import Polygon, shape

ROOT = Path(__file__).resolve().parents[1] / "src" / "ceasewatch" / "data" / "agreements"
SCHEMATIC = "schematic, not the treaty map"


MAX_STEP_DEG = 0.015  # about 1.5 km: straight in lon/lat and in any local projection agree


def _between(p, q):
    """Points strictly between p and q, on the lon/lat chord, the same whichever way round."""
    if (q[0], q[1]) < (p[0], p[1]):
        return list(reversed(_between(q, p)))
    n = max(1, math.ceil(max(abs(q[0] - p[0]), abs(q[1] - p[1])) / MAX_STEP_DEG))
    return [
        (round(p[0] + (q[0] - p[0]) * k / n, 6), round(p[1] + (q[1] - p[1]) * k / n, 6))
        for k in range(1, n)
    ]


def dense(points):
    """The polyline through ``points`` with extra vertices at most MAX_STEP_DEG apart."""
    out = [points[0]]
    for p, q in zip(points[:-1], points[1:], strict=True):
        out.extend(_between(p, q))
        out.append(q)
    return out


def ring(points):
    points = dense([*points, points[0]])[:-1]
    pts = [list(p) for p in points]
    if pts[0] != pts[-1]:
        pts.append(pts[0])
    poly = Polygon(pts)
    assert poly.is_valid, points
    if not poly.exterior.is_ccw:  # RFC 7946: exterior rings counter-clockwise
        pts = pts[::-1]
    return pts


def feature(fid, name, points, note):
    return {
        "type": "Feature",
        "properties": {"id": fid, "name": f"{name} ({SCHEMATIC})", "schematic": True, "note": note},
        "geometry": {"type": "Polygon", "coordinates": [ring(points)]},
    }


def write(path, name, features):
    # One feature per line, so that a diff shows which feature changed.
    body = ",\n".join(json.dumps(f, separators=(", ", ": ")) for f in features)
    text = (
        f'{{"type": "FeatureCollection", "name": {json.dumps(name)}, "features": [\n{body}\n]}}\n'
    )
    assert json.loads(text)["features"] == features
    path.write_text(text, encoding="utf-8")
    for f in features:
        assert shape(f["geometry"]).is_valid


# ---- undof-1974 -------------------------------------------------------------------------------
# Alpha (Israeli side of the area of separation) and Bravo (Syrian side), north to south, from the
# slopes of Mount Hermon to the Yarmouk. Straight runs A4-A6 and B4-B6 are kept for tests.
ALPHA = [
    (35.745, 33.330),  # A1 Hermon slopes
    (35.770, 33.255),  # A2
    (35.795, 33.190),  # A3
    (35.808, 33.130),  # A4 just west of Quneitra
    (35.840, 32.960),  # A6 (straight run A4-A6)
    (35.835, 32.880),  # A7
    (35.862, 32.800),  # A8
    (35.842, 32.745),  # A9
    (35.850, 32.700),  # A10 Yarmouk
]
BRAVO = [
    (35.761, 33.330),  # B1 (about 1.5 km from A1)
    (35.786, 33.255),  # B2
    (35.813, 33.190),  # B3
    (35.843, 33.130),  # B4 just east of Quneitra
    (35.935, 32.960),  # B6 (straight run B4-B6); widest, about 9 km
    (35.880, 32.880),  # B7
    (35.885, 32.800),  # B8
    (35.850, 32.745),  # B9
    (35.8525, 32.700),  # B10 (about 230 m from A10)
]
IL_WEST, SY_EAST = 35.45, 36.25
north, south = ALPHA[0][1], ALPHA[-1][1]
assert BRAVO[0][1] == north and BRAVO[-1][1] == south
il_area = [(IL_WEST, north), *ALPHA, (IL_WEST, south)]
aos = [*ALPHA, *reversed(BRAVO)]
sy_area = [*BRAVO, (SY_EAST, south), (SY_EAST, north)]
write(
    ROOT / "undof-1974" / "v1" / "geometry.geojson",
    "undof-1974 geometry (schematic, not the treaty map)",
    [
        feature(
            "il-held",
            "Israeli-held side, west of the Alpha line",
            il_area,
            "A box from 35.45 E to the Alpha line, large enough for the 25 km limitation bands.",
        ),
        feature(
            "area-of-separation",
            "Area of separation between the Alpha and Bravo lines",
            aos,
            "Drawn to the published description: over 75 km long, about 10 km wide in the "
            "centre, a few hundred metres in the south; Quneitra lies inside.",
        ),
        feature(
            "sy-held",
            "Syrian-held side, east of the Bravo line",
            sy_area,
            "A box from the Bravo line to 36.25 E, large enough for the 25 km limitation bands.",
        ),
    ],
)

# ---- sinai-1979 -------------------------------------------------------------------------------
# The 1979 international boundary, Rafah on the Mediterranean to Taba on the Gulf of Aqaba.
RAFAH, TABA = (34.250, 31.320), (34.900, 29.490)
BORDER = [RAFAH, (34.400, 30.880), (34.760, 29.900), TABA]  # straight run in the middle
NORTH_COAST = [
    (32.320, 31.250),
    (32.700, 31.080),
    (32.930, 31.075),
    (33.300, 31.150),
    (33.800, 31.130),
    (33.970, 31.160),
]  # Port Said (east bank) ... east of El Arish
AQABA_COAST = [(34.660, 29.030), (34.520, 28.500), (34.330, 27.910), (34.250, 27.730)]
SUEZ_COAST = [
    (33.620, 28.240),
    (33.400, 28.550),
    (33.180, 28.900),
    (32.710, 29.590),
    (32.570, 29.950),
]  # El Tor ... Suez
CANAL = [(32.400, 30.300), (32.300, 30.600), (32.320, 30.900)]  # Suez ... Port Said
# Line A: about 55-60 km east of the canal, from the north coast down to the Gulf of Suez.
LINE_A = [(32.930, 31.075), (32.950, 30.600), (33.000, 30.000), (33.150, 29.400), (33.400, 28.550)]
# Line B: about 30-35 km west of the boundary in the north, bending to the Gulf of Suez at El Tor.
LINE_B = [
    (33.970, 31.160),
    (34.080, 30.600),
    (34.280, 30.000),
    (34.250, 29.400),
    (33.900, 28.600),
    (33.620, 28.240),
]
eg_area = [*NORTH_COAST, *BORDER, *AQABA_COAST, *SUEZ_COAST, *CANAL]
zone_a = [
    NORTH_COAST[0],
    NORTH_COAST[1],
    *LINE_A,
    SUEZ_COAST[2],
    SUEZ_COAST[3],
    SUEZ_COAST[4],
    *CANAL,
]
assert LINE_A[0] == NORTH_COAST[2] and LINE_A[-1] == SUEZ_COAST[1]
assert LINE_B[0] == NORTH_COAST[-1] and LINE_B[-1] == SUEZ_COAST[0]
zone_b = [*NORTH_COAST[2:], *LINE_B[1:], *reversed(LINE_A[1:])]
zone_c = [*BORDER, *AQABA_COAST, *reversed(LINE_B)]
IL_NEGEV = [
    (34.500, 31.590),
    (34.880, 31.400),
    (35.400, 31.300),
    (35.200, 30.500),
    (34.980, 29.550),
]
il_area = [*reversed(BORDER), *IL_NEGEV]
write(
    ROOT / "sinai-1979" / "v1" / "geometry.geojson",
    "sinai-1979 geometry (schematic, not the treaty map)",
    [
        feature(
            "eg-sinai",
            "Egypt: the Sinai peninsula",
            eg_area,
            "Coasts, the Suez Canal and the boundary with a few vertices each; mainland Egypt "
            "west of the canal is left out.",
        ),
        feature(
            "il-south",
            "Israel: the south (with the Gaza Strip as in 1979)",
            il_area,
            "The boundary from Rafah to Taba and a rough outline of the Negev; in 1979 the Gaza "
            "Strip was under Israeli administration, so the boundary starts at the sea.",
        ),
        feature(
            "zone-a",
            "Zone A: from the Suez Canal and the Gulf of Suez to Line A",
            zone_a,
            "Line A runs about 55-60 km east of the canal.",
        ),
        feature("zone-b", "Zone B: between Line A and Line B", zone_b, "Central Sinai."),
        feature(
            "zone-c",
            "Zone C: from Line B to the boundary and the Gulf of Aqaba",
            zone_c,
            "About 30-35 km wide along the boundary in the north, and all of the Gulf of Aqaba "
            "coast with Sharm el-Sheikh.",
        ),
    ],
)
print("written")
