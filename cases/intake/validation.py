"""Alert intake, step 1 (SPEC §5): read JSON lines, validate them, derive indicators.

Everything here is pure: a line of text and the reference data in, a ``ValidAlert`` or a
``Rejection`` out. ``cases.intake.store`` stores the results; the ``intake`` flow streams a file
through both in batches. A rejection names the field and the reason, so a coordinator can fix
the sending system; the line itself is quarantined with its raw text, never dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from cases.casework.identifiers import (
    COUNTRY_FIELDS,
    SUBJECT_TYPES,
    imo_digits,
    imo_is_valid,
    key_of,
)
from cases.kernel.countries import COUNTRY_CODES
from cases.kernel.models import AlertKind

MAX_LINE_BYTES = 1024 * 1024  # SPEC §5: a line over 1 MiB is quarantined
KEPT_OF_LONG_LINE = 64 * 1024  # what the quarantine keeps of such a line
FUTURE_TOLERANCE = timedelta(days=1)  # clocks differ; a day ahead is a mistake
REQUIRED = ("source", "source_ref", "observed_at", "jurisdiction", "kind")
KINDS = frozenset(k.value for k in AlertKind)
DERIVED_INDICATORS = ("embargoed_destination", "watchlist_hit")


@dataclass(frozen=True)
class RawLine:
    """One physical line of an alerts file: where it came from and its text."""

    origin: str  # the file, "-" for stdin
    line_no: int  # 1-based
    text: str
    too_long_bytes: int | None = None  # set when the line was over MAX_LINE_BYTES
    not_utf8: bool = False  # the bytes were not UTF-8 (text has U+FFFD in their place)


@dataclass(frozen=True)
class Rejection:
    origin: str
    line_no: int
    raw_text: str
    reason: str


@dataclass(frozen=True)
class ValidAlert:
    """A validated alert (v1), with its normalised identifiers; ``payload`` is the raw object."""

    origin: str
    line_no: int
    source: str
    source_ref: str
    observed_at: datetime
    jurisdiction: str
    corridor: str | None
    kind: str
    indicators: tuple[str, ...]  # as reported, in order, each once
    payload: dict[str, Any]
    keys: tuple[str, ...]  # normalised strong identifiers, sorted
    subject_keys: tuple[str | None, ...] = ()  # each subject's key, in order
    text: str = ""  # the line as received: stored as the payload, byte for byte

    @property
    def subjects(self) -> list[dict[str, Any]]:
        return [s for s in self.payload.get("subjects") or [] if isinstance(s, dict)]


@dataclass(frozen=True)
class IntakeReference:
    """What validation and scoring need from the database, as plain data (read once a run)."""

    indicator_weights: Mapping[str, float]  # every catalogue code → weight (overrides applied)
    corridor_jurisdictions: Mapping[str, tuple[str, ...]]  # loaded corridor code → states
    embargoed: frozenset[str] = frozenset()  # states under a UN arms embargo (full or partial)
    watchlist: frozenset[str] = frozenset()  # normalised keys (identifiers.watchlist_key)
    members: frozenset[str] = frozenset()
    risk_threshold: float = 0.6
    reportable_indicators: frozenset[str] = field(init=False)  # what a source may send

    def __post_init__(self) -> None:
        reportable = frozenset(self.indicator_weights) - frozenset(DERIVED_INDICATORS)
        object.__setattr__(self, "reportable_indicators", reportable)


class Invalid(ValueError):
    """A validation failure: ``field`` names where, the message says what."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)


# --- reading a file -------------------------------------------------------------------------------


def read_lines(stream: IO[bytes], origin: str) -> Iterator[RawLine]:
    """The non-blank lines of a binary stream, numbered from 1; memory bounded by one line.

    A line over 1 MiB is not read into memory: its first 64 KiB are kept for the quarantine.
    """
    line_no = 0
    while True:
        chunk = stream.readline(MAX_LINE_BYTES + 1)
        if not chunk:
            return
        line_no += 1
        too_long: int | None = None
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            size = len(chunk)
            kept = chunk[:KEPT_OF_LONG_LINE]
            while chunk and not chunk.endswith(b"\n"):  # skip the rest of the line
                chunk = stream.readline(MAX_LINE_BYTES)
                size += len(chunk)
            too_long = size - (1 if chunk.endswith(b"\n") else 0)
            chunk = kept
        try:
            text, not_utf8 = chunk.decode("utf-8"), False
        except UnicodeDecodeError:
            text, not_utf8 = chunk.decode("utf-8", errors="replace"), too_long is None
        text = text.rstrip("\r\n")
        if too_long is None and not text.strip():
            continue
        yield RawLine(origin, line_no, text, too_long, not_utf8)


def batched(lines: Iterable[RawLine], size: int) -> Iterator[list[RawLine]]:
    batch: list[RawLine] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- validation -----------------------------------------------------------------------------------


def validate_line(
    line: RawLine, reference: IntakeReference, now: datetime
) -> ValidAlert | Rejection:
    """Check one line against the alert object v1 (SPEC §5); never raises for bad input."""
    try:
        return _validate(line, reference, now)
    except Invalid as problem:
        return Rejection(line.origin, line.line_no, line.text, str(problem))


def _validate(line: RawLine, reference: IntakeReference, now: datetime) -> ValidAlert:
    if line.too_long_bytes is not None:
        raise Invalid(
            "", f"line of {line.too_long_bytes} bytes is over the 1 MiB limit (first 64 KiB kept)"
        )
    if len(line.text.encode("utf-8")) > MAX_LINE_BYTES:
        raise Invalid("", "line is over the 1 MiB limit")
    if line.not_utf8:
        raise Invalid("", "line is not valid UTF-8")
    try:
        alert = json.loads(line.text, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        raise Invalid("", f"not valid JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(alert, dict):
        raise Invalid("", f"a JSON {_json_type(alert)}, not an alert object")
    for name in REQUIRED:
        value = alert.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise Invalid(name, "missing required field")
        if not isinstance(value, str):
            raise Invalid(name, f"must be a string, not a JSON {_json_type(value)}")
    source, source_ref = alert["source"].strip(), alert["source_ref"].strip()
    observed_at = _observed_at(alert["observed_at"], now)
    jurisdiction = _country(alert["jurisdiction"], "jurisdiction")
    kind = alert["kind"].strip()
    if kind not in KINDS:
        raise Invalid("kind", f"unknown kind {kind!r} (expected one of {', '.join(sorted(KINDS))})")
    corridor = alert.get("corridor")
    if corridor is not None:
        if not isinstance(corridor, str):
            raise Invalid("corridor", f"must be a string, not a JSON {_json_type(corridor)}")
        corridor = corridor.strip()
        if corridor not in reference.corridor_jurisdictions:
            raise Invalid("corridor", f"unknown corridor {corridor!r} (not a loaded corridor code)")
    indicators = _indicators(alert.get("indicators"), reference)
    keys, subject_keys = _subjects(alert.get("subjects"))
    _consignment(alert.get("consignment"))
    return ValidAlert(
        origin=line.origin,
        line_no=line.line_no,
        source=source,
        source_ref=source_ref,
        observed_at=observed_at,
        jurisdiction=jurisdiction,
        corridor=corridor or None,
        kind=kind,
        indicators=indicators,
        payload=alert,
        keys=keys,
        subject_keys=subject_keys,
        text=line.text,
    )


def _no_constants(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def _observed_at(value: str, now: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid("observed_at", f"{value!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise Invalid("observed_at", f"{value!r} has no UTC offset (add Z or +01:00)")
    if moment > now + FUTURE_TOLERANCE:
        raise Invalid("observed_at", f"{value!r} is more than a day in the future")
    return moment


def _country(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise Invalid(where, f"must be a country code, not a JSON {_json_type(value)}")
    code = value.strip().upper()
    if code not in COUNTRY_CODES:
        raise Invalid(where, f"unknown country code {value!r} (ISO 3166-1 alpha-2 expected, or XK)")
    return code


def _indicators(value: Any, reference: IntakeReference) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise Invalid("indicators", f"must be a list, not a JSON {_json_type(value)}")
    seen: list[str] = []
    for i, code in enumerate(value):
        if not isinstance(code, str):
            raise Invalid(f"indicators[{i}]", f"must be a string, not a JSON {_json_type(code)}")
        code = code.strip()
        if code in DERIVED_INDICATORS:
            raise Invalid(f"indicators[{i}]", f"{code!r} is derived by Cordon, not sent")
        if code not in reference.reportable_indicators:
            raise Invalid(f"indicators[{i}]", f"unknown indicator {code!r}")
        if code not in seen:
            seen.append(code)
    return tuple(seen)


def _subjects(value: Any) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    """The alert's distinct keys (sorted), and each subject's key in order."""
    if value is None:
        return (), ()
    if not isinstance(value, list):
        raise Invalid("subjects", f"must be a list, not a JSON {_json_type(value)}")
    keys: set[str] = set()
    each: list[str | None] = []
    for i, subject in enumerate(value):
        where = f"subjects[{i}]"
        if not isinstance(subject, dict):
            raise Invalid(where, f"must be an object, not a JSON {_json_type(subject)}")
        kind = subject.get("type")
        if kind not in SUBJECT_TYPES:
            expected = ", ".join(SUBJECT_TYPES)
            raise Invalid(f"{where}.type", f"unknown subject type {kind!r} (expected {expected})")
        if kind in COUNTRY_FIELDS and subject.get(COUNTRY_FIELDS[kind]) is not None:
            name = COUNTRY_FIELDS[kind]
            _country(subject[name], f"{where}.{name}")
        if kind == "vessel" and subject.get("imo") is not None:
            imo = imo_digits(str(subject["imo"]))
            if not imo_is_valid(imo):
                raise Invalid(
                    f"{where}.imo",
                    f"{subject['imo']!r} is not an IMO number with a valid check digit",
                )
        key = key_of(subject)
        each.append(key)
        if key:
            keys.add(key)
    return tuple(sorted(keys)), tuple(each)


def _consignment(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise Invalid("consignment", f"must be an object, not a JSON {_json_type(value)}")
    for name in ("origin", "destination"):
        if value.get(name) is not None:
            _country(value[name], f"consignment.{name}")
    transit = value.get("transit")
    if transit is not None:
        if not isinstance(transit, list):
            raise Invalid("consignment.transit", "must be a list of country codes")
        for i, code in enumerate(transit):
            _country(code, f"consignment.transit[{i}]")


# --- derived indicators (SPEC §5 step 3) ----------------------------------------------------------


def derived_indicators(alert: ValidAlert, reference: IntakeReference) -> tuple[str, ...]:
    """``embargoed_destination`` and ``watchlist_hit``, when the alert earns them."""
    derived: list[str] = []
    consignment = alert.payload.get("consignment") or {}
    destination = str(consignment.get("destination") or "").strip().upper()
    issuers = {
        str(s.get("issuer") or "").strip().upper() for s in alert.subjects if s.get("type") == "euc"
    }
    if destination in reference.embargoed or issuers & reference.embargoed:
        derived.append("embargoed_destination")
    if reference.watchlist.intersection(alert.keys):
        derived.append("watchlist_hit")
    return tuple(derived)


def all_indicators(alert: ValidAlert, reference: IntakeReference) -> tuple[str, ...]:
    """The alert's indicators as reported, then the derived ones."""
    return alert.indicators + derived_indicators(alert, reference)


def loose_source_ref(text: str) -> tuple[str, str] | None:
    """``(source, source_ref)`` of a line that may not parse (to match a fixed re-send)."""
    try:
        alert = json.loads(text)
        if isinstance(alert, dict):
            source, ref = alert.get("source"), alert.get("source_ref")
            if isinstance(source, str) and isinstance(ref, str):
                return source.strip(), ref.strip()
    except ValueError:
        pass
    source = re.search(r'"source"\s*:\s*"([^"]*)"', text)
    ref = re.search(r'"source_ref"\s*:\s*"([^"]*)"', text)
    if source and ref:
        return source.group(1).strip(), ref.group(1).strip()
    return None
