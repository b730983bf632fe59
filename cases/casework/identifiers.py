"""Strong identifiers (SPEC §5 step 4) and their normalised keys.

Two spellings of one identifier must give one key: case, spaces and punctuation are dropped, so
``euc-2026-445``, ``EUC 2026 445`` and ``EUC2026445`` all become ``EUC2026445``. A key names its
kind and, where the number is only unique within a country or maker, that qualifier:

    vessel:9074729   company:RS:20123456   person:RS:P1234567
    euc:LY:EUC2026445   firearm:ZASTAVA:M70123456

Names never form a key: two companies called "Balkan Trade" are not the same company.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cases.kernel.countries import COUNTRY_CODES

SUBJECT_TYPES = ("vessel", "company", "person", "euc", "firearm")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
# subject field → what kind of value it is, per subject type (countries are checked, IMO too)
COUNTRY_FIELDS = {"company": "country", "person": "nationality", "euc": "issuer"}
KEY_FIELDS = {  # what each kind of strong identifier is made of (SPEC §5 step 4)
    "vessel": ("imo",),
    "company": ("country", "registration"),
    "person": ("nationality", "document"),
    "euc": ("issuer", "number"),
    "firearm": ("make", "serial"),
}


def compact(value: str) -> str:
    """Upper-case letters and digits only: the comparable form of a number or a name part."""
    return _NOT_ALNUM.sub("", value.upper())


def imo_is_valid(imo: str) -> bool:
    """IMO ship number check digit: the first six digits weighted 7..2, sum mod 10 is the 7th."""
    if not re.fullmatch(r"\d{7}", imo):
        return False
    total = sum(int(d) * w for d, w in zip(imo[:6], range(7, 1, -1), strict=True))
    return total % 10 == int(imo[6])


def imo_digits(value: str) -> str:
    """``IMO 9074729``, ``imo9074729`` or ``9074729`` → ``9074729``."""
    digits = compact(value)
    return digits.removeprefix("IMO")


def _qualified(kind: str, qualifier: str | None, number: str | None) -> str | None:
    if not qualifier or not number:
        return None
    q, n = compact(qualifier), compact(number)
    return f"{kind}:{q}:{n}" if q and n else None


def subject_key(subject: Mapping[str, Any]) -> str | None:
    """The normalised key of an alert subject, or None when it carries no strong identifier."""
    kind = subject.get("type")
    match kind:
        case "vessel":
            imo = imo_digits(str(subject.get("imo") or ""))
            return f"vessel:{imo}" if imo else None
        case "company":
            return _qualified("company", subject.get("country"), subject.get("registration"))
        case "person":
            return _qualified("person", subject.get("nationality"), subject.get("document"))
        case "euc":
            return _qualified("euc", subject.get("issuer"), subject.get("number"))
        case "firearm":
            return _qualified("firearm", subject.get("make"), subject.get("serial"))
    return None


def watchlist_key(kind: str, identifier: str) -> str:
    """The key of a watchlist entry written as in SPEC §3 (``RS:20123456``, ``9074729``, ...).

    ValueError says what is wrong with a malformed identifier.
    """
    if kind not in SUBJECT_TYPES:
        raise ValueError(
            f"unknown identifier type {kind!r} (expected one of {', '.join(SUBJECT_TYPES)})"
        )
    if kind == "vessel":
        imo = imo_digits(identifier)
        if not imo_is_valid(imo):
            raise ValueError(f"{identifier!r} is not an IMO number with a valid check digit")
        return f"vessel:{imo}"
    qualifier, sep, number = identifier.partition(":")
    if not sep or not compact(qualifier) or not compact(number):
        expected = "MAKE:SERIAL" if kind == "firearm" else "CC:NUMBER"
        raise ValueError(f"{identifier!r} is not of the form {expected}")
    if kind != "firearm" and compact(qualifier) not in COUNTRY_CODES:
        raise ValueError(f"unknown country code {qualifier!r} in {identifier!r}")
    return f"{kind}:{compact(qualifier)}:{compact(number)}"


def key_of(subject: Mapping[str, Any]) -> str | None:
    """``subject_key`` of a subject as sent (numbers may be JSON numbers)."""
    kind = subject.get("type")
    fields = KEY_FIELDS.get(kind) if isinstance(kind, str) else None
    if fields is None:
        return None
    return subject_key({"type": kind, **{f: _scalar_text(subject.get(f)) for f in fields}})


def _scalar_text(value: Any) -> str | None:
    """Identifier parts as text (a number sent as a JSON number counts); objects don't."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def name_key(name: Any) -> str | None:
    """A subject name in comparable form, for "possible link" suggestions (never for merging)."""
    if not isinstance(name, str):
        return None
    key = compact(name)
    return key or None
