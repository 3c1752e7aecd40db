"""ISO 3166-1 alpha-2 country codes and ISO 639 language codes (639-1 and living 639-3).

The tables are generated from Debian's iso-codes and shipped in ``data/`` so a node never
needs the package or the network.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import cast

_DATA = Path(__file__).parent / "data"


@cache
def countries() -> dict[str, str]:
    """Alpha-2 code -> English short name."""
    return cast(dict[str, str], json.loads((_DATA / "iso3166_1.json").read_text(encoding="utf-8")))


@cache
def languages() -> dict[str, str]:
    """ISO 639-1 two-letter and ISO 639-3 three-letter code -> English name."""
    return cast(dict[str, str], json.loads((_DATA / "iso639.json").read_text(encoding="utf-8")))


def is_country(code: str) -> bool:
    return code in countries()


def is_language(code: str) -> bool:
    return code in languages()
