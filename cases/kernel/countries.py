"""Country codes: ISO 3166-1 alpha-2 as pycountry knows them, plus ``XK`` (Kosovo)."""

from __future__ import annotations

import pycountry

EXTRA_CODES = frozenset({"XK"})
COUNTRY_CODES = frozenset(c.alpha_2 for c in pycountry.countries) | EXTRA_CODES


def is_country_code(code: str) -> bool:
    return code in COUNTRY_CODES


def country_code(value: str) -> str:
    """``value`` as an upper-case alpha-2 code; ValueError naming the bad code otherwise."""
    code = value.strip().upper()
    if code not in COUNTRY_CODES:
        raise ValueError(f"unknown country code {value!r} (ISO 3166-1 alpha-2 expected, or XK)")
    return code


def language_code(value: str) -> str:
    """An ISO 639 language code (alpha-2 or alpha-3, e.g. ``hr`` or ``cnr``), lower-case."""
    code = value.strip().lower()
    if len(code) == 2 and pycountry.languages.get(alpha_2=code):
        return code
    if len(code) == 3 and pycountry.languages.get(alpha_3=code):
        return code
    raise ValueError(f"unknown language code {value!r} (ISO 639-1 or 639-3 expected)")
