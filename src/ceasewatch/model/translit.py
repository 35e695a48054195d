"""Spelling-insensitive keys for Ukrainian, Russian and Latin words.

The same place or verb is written Харків (uk), Харьков (ru), Kharkiv and Kharkov; атакували (uk)
and атаковала (ru). A word's *skeleton* — transliterated to Latin (Ukrainian national system, with
the Russian-only letters added), digraphs folded to one letter, g/h merged, vowels, soft signs and
apostrophes dropped, doubled letters collapsed — is the same for all of them: ``xrkv``, ``tkvl``.
Grammatical endings change the skeleton's tail, so text comparison uses its first letters only.
"""

from __future__ import annotations

import re

CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "ё": "e", "ы": "y",
    "э": "e", "ъ": "",
}  # fmt: skip
DIGRAPHS = (("shch", "w"), ("kh", "x"), ("zh", "j"), ("ch", "c"), ("sh", "w"), ("ts", "c"))
VOWELS = re.compile(r"[aeiouy'’ʼ`\-\s]+")
WORD = re.compile(r"[^\W\d_]+(?:['’ʼ`][^\W\d_]+)*", re.UNICODE)


def latin(text: str) -> str:
    """Lower-case Latin transliteration (Ukrainian national system, Russian letters added)."""
    return "".join(CYRILLIC.get(ch, ch) for ch in text.lower())


def skeleton(text: str) -> str:
    """The consonant skeleton of a word or name: ``Kharkiv``, ``Харків``, ``Харьков`` → ``xrkv``."""
    s = latin(text)
    for digraph, letter in DIGRAPHS:
        s = s.replace(digraph, letter)
    s = s.replace("g", "h")
    s = VOWELS.sub("", s)
    return re.sub(r"(.)\1+", r"\1", s)


def words(text: str) -> list[str]:
    """The words of a text (letters only; apostrophes inside a word kept)."""
    return WORD.findall(text)
