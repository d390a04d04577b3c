"""Search text: case-, diacritic- and Unicode-form-insensitive (``hộ chiếu`` = ``HO CHIEU``)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^0-9a-z.\s]")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d), keep letters, digits, dots; collapse spaces.

    NFC and NFD inputs fold to the same string, so a query typed on any keyboard
    matches what is stored.
    """
    decomposed = unicodedata.normalize("NFD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d")
    stripped = _NOT_WORD.sub(" ", stripped)
    return _SPACES.sub(" ", stripped).strip()
