"""Settlements a headline names, found through the gazetteer's Latin and Cyrillic name table.

Headline words are inflected (Харкові, Торецьком, Покровському напрямку), so a word names a
settlement when the word's consonant skeleton *starts with* the settlement's skeleton and adds at
most :data:`MAX_ENDING` letters (an ending). Capitalised words after the first and two-word
phrases (Часів Яр, Великої Новосілки) may match any settlement; a lower-case word only when it
is the adjective of a direction ("на Покровському напрямку", "на Курском направлении") and the
settlement's skeleton has at least :data:`MIN_LOWER` letters, so ordinary words rarely pass for
villages.
"""

from __future__ import annotations

from collections.abc import Iterable

from ceasewatch.model.places import Gazetteer
from ceasewatch.model.translit import skeleton, words

MAX_ENDING = 3
MIN_LOWER = 4
MIN_KEY = 2
DIRECTION = ("nprm", "nprv")  # напрямок, направление


class PlaceIndex:
    """Name skeletons of the settlements of a gazetteer."""

    def __init__(self, names: Iterable[str]) -> None:
        self.keys = frozenset(k for k in (skeleton(n) for n in names) if len(k) >= MIN_KEY)

    @classmethod
    def from_gazetteer(cls, gazetteer: Gazetteer) -> PlaceIndex:
        return cls(n for s in gazetteer.settlements for n in (s.name, *s.names_cyrillic))

    def _match(self, key: str, capitalised: bool) -> str | None:
        for cut in range(len(key), max(len(key) - MAX_ENDING, MIN_KEY) - 1, -1):
            stem = key[:cut]
            if stem in self.keys and (capitalised or len(stem) >= MIN_LOWER):
                if cut < len(key) and len(stem) < 3:
                    continue  # a two-letter name must match the whole word
                return stem
        return None

    def mentions(self, headline: str) -> frozenset[str]:
        """Skeletons of the settlements the headline names (two-word names first)."""
        found: set[str] = set()
        tokens = words(headline)
        used: set[int] = set()
        for i in range(len(tokens) - 1):
            a, b = tokens[i], tokens[i + 1]
            if a[:1].isupper() and b[:1].isupper():
                hit = self._match(skeleton(a) + skeleton(b), True)
                if hit is not None and len(hit) > len(skeleton(a)):
                    found.add(hit)
                    used.update((i, i + 1))
        for i, token in enumerate(tokens):
            if i in used:
                continue
            capitalised = i > 0 and token[:1].isupper()
            following = skeleton(tokens[i + 1]) if i + 1 < len(tokens) else ""
            if not capitalised and not following.startswith(DIRECTION):
                continue
            hit = self._match(skeleton(token), capitalised)
            if hit is not None:
                found.add(hit)
        return frozenset(found)
