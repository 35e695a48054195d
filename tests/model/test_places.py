"""Place-relative wording, in the style of monitoring reports."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasewatch.model.geo import COMPASS_16, geodesic_forward
from ceasewatch.model.places import Gazetteer

HORLIVKA = (38.01709, 48.29986)

SMALL = """geonameid,name,longitude,latitude,population,oblast,names_cyrillic
1,Bigtown,35.0,48.0,200000,Test Oblast,Біґтаун
2,Village,35.10,48.0,600,Test Oblast,
"""


def at(origin: tuple[float, float], azimuth: float, km: float) -> tuple[float, float]:
    lon, lat = geodesic_forward(origin[0], origin[1], azimuth, km * 1000.0)
    return float(lon[0]), float(lat[0])


@pytest.mark.parametrize(
    ("azimuth", "km", "text"),
    [
        (135, 3, "3 km SE of Horlivka"),
        (45, 8, "8 km NE of Horlivka"),
        (0, 15, "15 km N of Horlivka"),
        (270, 1, "in Horlivka"),
        (202.5, 5.4, "5 km SSW of Horlivka"),
    ],
)
def test_wording_around_horlivka(
    gazetteer: Gazetteer, azimuth: float, km: float, text: str
) -> None:
    place = gazetteer.describe(*at(HORLIVKA, azimuth, km))
    assert place is not None
    assert place.text == text
    assert place.settlement.oblast == "Donetsk Oblast"


def test_a_village_close_by_beats_a_town_far_away() -> None:
    small = Gazetteer.from_csv(SMALL)
    # 1 km north of the village, 7.5 km from the town: the village is the better reference.
    near_village = small.describe(*at((35.10, 48.0), 0.0, 1.0))
    assert near_village is not None and near_village.text == "1 km N of Village"
    # 3 km from the town and 4.5 km from the village: the town (a reader knows it) wins.
    near_town = small.describe(*at((35.0, 48.0), 270.0, 3.0))
    assert near_town is not None and near_town.text == "3 km W of Bigtown"


def test_far_from_every_settlement_there_is_no_wording(gazetteer: Gazetteer) -> None:
    assert gazetteer.describe(33.0, 43.5) is None  # the Black Sea


def test_vectorised_equals_one_by_one(gazetteer: Gazetteer) -> None:
    points = [at(HORLIVKA, az, km) for az, km in [(10, 2), (100, 12), (250, 30), (330, 4)]]
    many = gazetteer.describe_many([p[0] for p in points], [p[1] for p in points])
    assert many == [gazetteer.describe(*p) for p in points]


@settings(max_examples=60, deadline=None)
@given(azimuth=st.floats(0, 359.9), km=st.floats(2.5, 6.0))
def test_distance_and_bearing_round_trip(gazetteer: Gazetteer, azimuth: float, km: float) -> None:
    place = gazetteer.describe(*at(HORLIVKA, azimuth, km))
    assert place is not None
    if place.settlement.name == "Horlivka":
        assert place.text.endswith(" of Horlivka")
        assert place.compass in COMPASS_16
        assert abs(place.distance_m - km * 1000) < 1.0
        assert place.text.startswith(f"{max(1, round(place.distance_m / 1000))} km ")
