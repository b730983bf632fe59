# Regenerate the bundled example (from the repository root; the output is byte-for-byte stable):
#
#     python bench/alertgen.py --alerts 360 --seed 2026 --story balkans \
#         --corridors examples/balkans/corridors.csv > examples/balkans/alerts.jsonl
#
# Benchmark use (streams; memory stays flat for any N):
#
#     python bench/alertgen.py --alerts 100000 --seed 7 --malformed-rate 0.01 > /tmp/alerts.jsonl
"""Seeded generator of realistic Cordon alerts (SPEC §5, alert object v1), one JSON object a line.

Used by the intake benchmark (`generate_lines` is a generator: nothing is kept per alert, so
N=100,000 streams in constant memory) and to write `examples/balkans/alerts.jsonl` (`--story
balkans` adds the hand-crafted story lines documented in `examples/balkans/README.md`).

What a run contains (rates are per emitted line; `--alerts N` counts every line: duplicates,
malformed lines and story lines included):

- sources as a task force receives them: customs (`HR-customs`, `RS-customs`,
  `BA-indirect-taxation`…), port authorities, AIS vessel tracking (`SI-vessel-tracking`), financial
  intelligence units (`DE-FIU`, `AT-FIU`, `RS-FIU`), border and criminal police, the end-user-
  certificate desk (`EU-EUC-check`, reporting for HR, SI, AT or DE) and partners outside the task
  force (`IT-guardia-di-finanza`, `BG-customs`); `source_ref` is unique per source; `observed_at`
  lies in `[start, end)`, roughly in line order, with offset `+01:00` (CET: local desks) or `Z`
  (AIS, FIUs, EUC desk);
- indicators only from the non-derived part of the catalogue (`embargoed_destination` and
  `watchlist_hit` are derived by Cordon and never sent); consignments with HS chapter 93 codes,
  some to embargoed destinations (LY, SD, SS, YE, KP); vessels with valid IMO check digits;
- correlated groups (~30 % of lines): 2-5 alerts from different sources sharing one strong
  identifier (vessel IMO, company country+registration, person nationality+document, EUC
  issuer+number, firearm make+serial), each alert spelling it its own way;
- standalone alerts with fresh identifiers; low-risk noise (~20 %: one weak indicator, score
  <= 0.35, no embargoed destination or EUC issuer, so it stays a `watch` alert); name-only
  similarities (company and person names come from small pools, so one name appears with different
  registrations or documents; these must never merge); unknown extra top-level fields (~6 %);
- exact duplicates (`--duplicate-rate`, default 3 %): a byte-identical repeat of a recent line;
- malformed lines (`--malformed-rate`, default 0): see MALFORMATIONS.

Spelling variants of a shared identifier (all normalise to one key under "uppercase, drop all
whitespace"; no punctuation is ever added or removed, so the `-` of the canonical form stays):
letter case (`m70-418822`; `Zastava`, `ZASTAVA`, `zastava`), surrounding spaces (`" 9387425 "`),
and spaces inside where the canonical form has none, only between two digits or where a letter
meets a digit, never next to a `-` (`2098 7654`, `C10 153280`, `M70-4188 22`). IMO numbers only
get surrounding spaces. Country codes (`country`, `nationality`, `issuer`, `jurisdiction`) are
always upper-case ISO codes. Normalised keys, as on a watchlist: vessel `9387425`, company
`RS:20987654`, person `RS:008412375`, euc `LY:MOD-2026-0442`, firearm `ZASTAVA:M70-418822`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import sys
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

DEFAULT_START = date(2026, 11, 1)
DEFAULT_END = date(2026, 11, 25)
CET_OFFSET = timedelta(hours=1)  # November: every task-force member is on CET (UTC+01:00)

# --- catalogue facts (SPEC §5; ../shared/data) ----------------------------------------------------

WEAK_INDICATORS = {  # weight ≤ 0.35: alone they never reach the 0.6 threshold
    "hs_chapter_93": 0.20,
    "vessel_renamed": 0.25,
    "flag_hopping": 0.25,
    "ais_gap": 0.30,
    "transshipment_high_risk": 0.30,
    "route_deviation": 0.30,
    "unusual_payment": 0.35,
}
SENT_INDICATORS = (  # the non-derived catalogue
    "undeclared_arms",
    "euc_forged",
    "euc_mismatch",
    "concealment",
    "seal_tampered",
    "broker_unlicensed",
    "postal_parts",
    *WEAK_INDICATORS,
)
INDICATORS_BY_KIND: dict[str, tuple[tuple[str, int], ...]] = {
    "consignment": (
        ("hs_chapter_93", 8),
        ("concealment", 2),
        ("seal_tampered", 2),
        ("route_deviation", 3),
        ("transshipment_high_risk", 3),
        ("euc_mismatch", 1),
        ("undeclared_arms", 1),
        ("broker_unlicensed", 1),
    ),
    "vessel": (
        ("ais_gap", 4),
        ("route_deviation", 3),
        ("vessel_renamed", 2),
        ("flag_hopping", 2),
        ("transshipment_high_risk", 2),
    ),
    "end_user_certificate": (("euc_mismatch", 4), ("broker_unlicensed", 3), ("euc_forged", 2)),
    "financial": (("unusual_payment", 6), ("broker_unlicensed", 2)),
    "seizure": (
        ("undeclared_arms", 5),
        ("concealment", 4),
        ("seal_tampered", 1),
    ),
    "intelligence": (
        ("broker_unlicensed", 2),
        ("route_deviation", 2),
        ("unusual_payment", 1),
        ("transshipment_high_risk", 1),
    ),
}
EMBARGOED = ("LY", "SD", "SS", "YE", "KP")
HS_ARMS = ("930190", "930200", "930320", "930390", "930400", "930591", "930599", "930621", "930630")
HS_PARTS = ("930591", "930599")
HS_COVER = {  # cover goods declared when arms are hidden in legal cargo
    "furniture": "940360",
    "frozen raspberries": "081120",
    "car parts": "870899",
    "ceramic tiles": "690721",
    "household appliances": "851660",
    "used tyres": "401220",
    "olive oil": "150920",
    "timber": "440799",
    "textiles": "620342",
}
HS_WORDS = {
    "930190": "military rifles",
    "930200": "pistols",
    "930320": "sporting shotguns",
    "930390": "hunting rifles",
    "930400": "air guns",
    "930591": "parts of military weapons",
    "930599": "firearm parts",
    "930621": "shotgun cartridges",
    "930630": "cartridges",
    **{code: goods for goods, code in HS_COVER.items()},
}
INDICATOR_CLAUSES: dict[str, tuple[str, ...]] = {
    "undeclared_arms": ("{what} found, not declared", "{what} and {rounds} rounds found"),
    "concealment": (
        "hidden behind a false wall of the trailer",
        "goods hidden among {cover}",
        "hidden compartment under the rear seats",
    ),
    "seal_tampered": (
        "customs seal replaced since departure",
        "seal number differs from the transit declaration",
    ),
    "euc_mismatch": (
        "end-user certificate names a different consignee",
        "quantities on the end-user certificate differ from the licence",
    ),
    "euc_forged": ("signatory stamp does not match the issuer's specimen", "certificate forged"),
    "broker_unlicensed": ("broker holds no brokering licence", "intermediary not registered"),
    "postal_parts": ("firearm components in the parcel", "slides and barrels in the parcel"),
    "unusual_payment": (
        "paid from a third-country account with no commercial link",
        "cash deposits split below the reporting threshold",
    ),
    "ais_gap": ("AIS off for {hours} h south of the Strait of Otranto", "{hours} h AIS gap"),
    "transshipment_high_risk": ("transshipped via {hub}", "cargo came through {hub}"),
    "route_deviation": ("left the declared route", "called at an unscheduled stop"),
    "vessel_renamed": ("renamed within the last six months",),
    "flag_hopping": ("changed flag to {flag} this year", "third flag since 2024 (now {flag})"),
    "hs_chapter_93": ("declared under HS {codes}", "HS {codes} on the invoice"),
}
ARMS_ORIGINS = ("RS", "RS", "BA", "BA", "ME", "MK", "AL", "XK", "BG", "TR")
MARKETS = ("DE", "DE", "AT", "NL", "FR", "SE", "BE", "IT", "DK", "SI", "HR")
THIRD_COUNTRIES = ("AE", "SA", "JO", "EG", "NG", "PK", "TR", "GE")
VESSEL_FLAGS = ("PA", "LR", "MT", "CY", "TG", "KM", "SL", "MD")

# --- corridors and sources ------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteCorridor:
    """A corridor code; kind and jurisdictions are optional (bench corridors may be bare codes)."""

    code: str
    kind: str | None = None
    jurisdictions: tuple[str, ...] = ()
    name: str = ""


BALKAN_CORRIDORS = tuple(
    RouteCorridor(code, kind, tuple(j.split("|")), name)
    for code, kind, j, name in (
        ("RS-HR-BATROVCI", "land", "HR|RS", "Batrovci - Bajakovo motorway crossing"),
        ("HR-SI-BREGANA", "land", "HR|SI", "Bregana - Obrezje motorway crossing"),
        ("SI-AT-SENTILJ", "land", "AT|SI", "Sentilj - Spielfeld motorway crossing"),
        ("SI-AT-KARAVANKE", "land", "AT|SI", "Karawanken tunnel crossing"),
        ("RS-MK-TABANOVCE", "land", "MK|RS", "Presevo - Tabanovce motorway crossing"),
        ("RS-BA-RACA", "land", "BA|RS", "Sremska Raca - Raca crossing"),
        ("BA-HR-GRADISKA", "land", "BA|HR", "Gradiska - Stara Gradiska crossing"),
        ("BA-HR-IZACIC", "land", "BA|HR", "Izacic crossing"),
        ("RS-XK-JARINJE", "land", "RS|XK", "Jarinje crossing"),
        ("RS-XK-MERDARE", "land", "RS|XK", "Merdare crossing"),
        ("XK-AL-MORINA", "land", "AL|XK", "Vermica - Morine crossing"),
        ("AL-ME-HANIHOTIT", "land", "AL|ME", "Hani i Hotit - Bozaj crossing"),
        ("ME-HR-DEBELIBRIJEG", "land", "HR|ME", "Debeli Brijeg - Karasovici crossing"),
        ("AL-PORT-DURRES", "sea", "AL", "Port of Durres"),
        ("ME-PORT-BAR", "sea", "ME", "Port of Bar"),
        ("HR-PORT-PLOCE", "sea", "HR", "Port of Ploce"),
        ("HR-PORT-RIJEKA", "sea", "HR", "Port of Rijeka"),
        ("SI-PORT-KOPER", "sea", "SI", "Port of Koper"),
        ("RS-POSTAL-BEOGRAD", "postal", "RS", "Belgrade international postal exchange"),
        ("BA-POSTAL-SARAJEVO", "postal", "BA", "Sarajevo international postal exchange"),
        ("DE-AIR-FRANKFURT", "air", "DE", "Frankfurt airport cargo"),
        ("AT-AIR-VIENNA", "air", "AT", "Vienna airport cargo"),
    )
)


def load_corridors(path: Path) -> tuple[RouteCorridor, ...]:
    """Read `code,kind,jurisdictions[,name]` from a scenario's corridors.csv."""
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(
            RouteCorridor(
                row["code"],
                row.get("kind") or None,
                tuple(j for j in (row.get("jurisdictions") or "").split("|") if j),
                row.get("name") or "",
            )
            for row in csv.DictReader(handle)
        )


@dataclass(frozen=True)
class Source:
    """A reporting system: jurisdiction(s), source_ref format, alert kinds, where it reports."""

    name: str
    jurisdictions: tuple[str, ...]
    ref_format: str  # str.format() pattern over n
    kinds: tuple[tuple[str, int], ...]
    corridor_kinds: tuple[str, ...] = ()
    any_corridor: bool = False  # report at corridors outside its own jurisdiction (AIS)
    corridor_rate: float = 0.9
    utc: bool = False
    weight: int = 4


_CUSTOMS_KINDS = (("consignment", 6), ("seizure", 1), ("intelligence", 1))
_POLICE_KINDS = (("seizure", 3), ("intelligence", 4))
_LAND = ("land",)

SOURCES: tuple[Source, ...] = (
    Source("HR-customs", ("HR",), "HR-C-2026-{n:05d}", _CUSTOMS_KINDS, ("land", "sea"), weight=9),
    Source(
        "RS-customs", ("RS",), "UC-RS-2026-{n:06d}", _CUSTOMS_KINDS, ("land", "postal"), weight=9
    ),
    Source(
        "BA-indirect-taxation",
        ("BA",),
        "UIO-{n:06d}/26",
        _CUSTOMS_KINDS,
        ("land", "postal"),
        weight=6,
    ),
    Source("ME-customs", ("ME",), "UPC-ME-26-{n:05d}", _CUSTOMS_KINDS, ("land", "sea")),
    Source("MK-customs", ("MK",), "CU-MK-2026-{n:05d}", _CUSTOMS_KINDS, _LAND),
    Source("AL-customs", ("AL",), "DPD-2026-{n:05d}", _CUSTOMS_KINDS, ("land", "sea")),
    Source("XK-customs", ("XK",), "DK-2026-{n:05d}", _CUSTOMS_KINDS, _LAND, weight=3),
    Source("SI-customs", ("SI",), "FURS-2026-{n:06d}", _CUSTOMS_KINDS, ("land", "sea")),
    Source("AT-customs", ("AT",), "ZA-2026-{n:06d}", _CUSTOMS_KINDS, ("land", "air")),
    Source("DE-customs", ("DE",), "ZKA-2026-{n:06d}", _CUSTOMS_KINDS, ("air",), corridor_rate=0.6),
    Source(
        "AL-port-authority",
        ("AL",),
        "APD-DRZ-{n:05d}",
        (("vessel", 3), ("consignment", 2)),
        ("sea",),
    ),
    Source(
        "ME-port-authority", ("ME",), "LB-{n:05d}-26", (("vessel", 3), ("consignment", 2)), ("sea",)
    ),
    Source(
        "HR-port-authority",
        ("HR",),
        "LK-2026-{n:05d}",
        (("vessel", 3), ("consignment", 1)),
        ("sea",),
    ),
    Source(
        "SI-vessel-tracking",
        ("SI",),
        "AIS-SI-{n:07d}",
        (("vessel", 1),),
        ("sea",),
        any_corridor=True,
        corridor_rate=0.7,
        utc=True,
        weight=6,
    ),
    Source(
        "IT-guardia-di-finanza",
        ("IT",),
        "GDF-2026-{n:05d}",
        (("vessel", 2), ("intelligence", 1)),
        ("sea",),
        any_corridor=True,
        corridor_rate=0.5,
        weight=2,
    ),
    Source("DE-FIU", ("DE",), "FIU-DE-2026-{n:06d}", (("financial", 1),), utc=True, weight=3),
    Source("AT-FIU", ("AT",), "A-FIU-{n:06d}", (("financial", 1),), utc=True, weight=2),
    Source("RS-FIU", ("RS",), "APML-2026-{n:05d}", (("financial", 1),), utc=True, weight=2),
    Source("HR-border-police", ("HR",), "PU-HR-2026-{n:05d}", _POLICE_KINDS, _LAND),
    Source("BA-border-police", ("BA",), "GP-BIH-{n:05d}-26", _POLICE_KINDS, _LAND),
    Source("RS-border-police", ("RS",), "UGP-2026-{n:05d}", _POLICE_KINDS, _LAND),
    Source("MK-border-police", ("MK",), "MVR-GP-{n:05d}", _POLICE_KINDS, _LAND, weight=3),
    Source("XK-border-police", ("XK",), "PK-KUFI-{n:05d}", _POLICE_KINDS, _LAND, weight=3),
    Source("AL-state-police", ("AL",), "ASP-{n:05d}-2026", _POLICE_KINDS, _LAND, weight=3),
    Source("SI-police", ("SI",), "PU-SI-2026-{n:05d}", _POLICE_KINDS, _LAND, weight=3),
    Source("AT-police", ("AT",), "BK-2026-{n:06d}", _POLICE_KINDS, _LAND, corridor_rate=0.5),
    Source("DE-police", ("DE",), "BKA-SO-2026-{n:05d}", _POLICE_KINDS, corridor_rate=0.0),
    Source(
        "EU-EUC-check",
        ("HR", "SI", "AT", "DE"),
        "EUC-CHK-2026-{n:05d}",
        (("end_user_certificate", 1),),
        ("land", "sea", "air"),
        corridor_rate=0.3,
        utc=True,
    ),
    Source(
        "BG-customs", ("BG",), "BG-AM-2026-{n:05d}", _CUSTOMS_KINDS, corridor_rate=0.0, weight=2
    ),
)
SOURCE_BY_NAME = {source.name: source for source in SOURCES}

# Correlated groups cycle through these identifier kinds, so every kind is represented.
GROUP_KINDS = ("company", "vessel", "person", "euc", "firearm", "company")
# Which sources report on which kind of shared identifier.
GROUP_SOURCES: dict[str, tuple[str, ...]] = {
    "vessel": (
        "SI-vessel-tracking",
        "AL-port-authority",
        "ME-port-authority",
        "HR-port-authority",
        "IT-guardia-di-finanza",
        "HR-customs",
        "ME-customs",
    ),
    "company": (
        "HR-customs",
        "RS-customs",
        "BA-indirect-taxation",
        "SI-customs",
        "AT-customs",
        "MK-customs",
        "DE-FIU",
        "AT-FIU",
        "RS-FIU",
        "EU-EUC-check",
    ),
    "person": (
        "HR-border-police",
        "BA-border-police",
        "RS-border-police",
        "XK-border-police",
        "AL-state-police",
        "SI-police",
        "AT-police",
        "DE-police",
        "DE-FIU",
        "RS-FIU",
    ),
    "euc": ("EU-EUC-check", "HR-customs", "RS-customs", "ME-customs", "SI-customs", "DE-FIU"),
    "firearm": (
        "DE-police",
        "AT-police",
        "SI-police",
        "HR-border-police",
        "RS-border-police",
        "BA-border-police",
        "MK-border-police",
        "BG-customs",
    ),
}

# --- people, companies, vessels, weapons ----------------------------------------------------------


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_SOUTH_SLAVIC_FIRST = _names(
    "Marko Nikola Stefan Milan Dragan Zoran Goran Nenad Dejan Ivan Ante Josip Tomislav Emir Adnan "
    "Mirza Haris Vladimir Bojan Jelena Ivana Maja Amra Milica"
)
_SOUTH_SLAVIC_LAST = _names(
    "Petrović Jovanović Nikolić Marković Đorđević Horvat Kovačević Babić Marić Hodžić Delić "
    "Begović Vuković Popović Knežević Radović Šarić Ilić"
)
PERSON_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "RS": (_SOUTH_SLAVIC_FIRST, _SOUTH_SLAVIC_LAST),
    "BA": (_SOUTH_SLAVIC_FIRST, _SOUTH_SLAVIC_LAST),
    "ME": (_SOUTH_SLAVIC_FIRST, _SOUTH_SLAVIC_LAST),
    "HR": (_SOUTH_SLAVIC_FIRST, _SOUTH_SLAVIC_LAST),
    "AL": (
        _names("Arben Besnik Fatmir Ilir Dritan Gentian Erion Blerim Agron Valon Elira"),
        _names("Krasniqi Berisha Gashi Hoxha Shehu Leka Dervishi Morina Kelmendi Hasani"),
    ),
    "XK": (
        _names("Arben Besnik Fatmir Ilir Driton Valon Blerim Agon Shpend Arta"),
        _names("Krasniqi Berisha Gashi Hoxha Morina Kelmendi Hasani Bytyqi Rexhepi"),
    ),
    "MK": (
        _names("Aleksandar Goce Dimitar Zoran Igor Blagoja Darko Elena"),
        _names("Stojanovski Trajkovski Nikolovski Petrovski Dimitrovski Angelovski"),
    ),
    "SI": (
        _names("Matej Luka Jure Primož Gregor Tina Nejc"),
        _names("Novak Krajnc Zupančič Potočnik Kovačič Mlakar"),
    ),
    "AT": (
        _names("Thomas Michael Stefan Andreas Markus Lukas Katharina"),
        _names("Gruber Huber Bauer Wagner Pichler Steiner"),
    ),
    "DE": (
        _names("Thomas Michael Stefan Andreas Jan Lukas Sabine"),
        _names("Müller Schmidt Weber Hoffmann Becker Schulz"),
    ),
    "BG": (
        _names("Georgi Ivan Dimitar Nikolay Stoyan"),
        _names("Ivanov Georgiev Dimitrov Petrov Stoyanov"),
    ),
    "TR": (
        _names("Mehmet Mustafa Ahmet Emre Murat"),
        _names("Yılmaz Kaya Demir Şahin Çelik"),
    ),
}
PERSON_NATIONALITIES = (
    "RS",
    "RS",
    "BA",
    "BA",
    "ME",
    "HR",
    "AL",
    "XK",
    "MK",
    "SI",
    "AT",
    "DE",
    "BG",
    "TR",
)
# Passport-number patterns: L = letter, D = digit (from the counter, so never repeated).
DOCUMENT_FORMATS = {
    "RS": "DDDDDDDDD",
    "HR": "DDDDDDDDD",
    "BA": "LDDDDDDD",
    "ME": "DDDDDDDD",
    "MK": "LDDDDDDD",
    "AL": "LLDDDDDDD",
    "XK": "PDDDDDDDD",
    "SI": "PLDDDDDDD",
    "AT": "PDDDDDDD",
    "DE": "CDDDDDDDD",
    "BG": "DDDDDDDDD",
    "TR": "UDDDDDDDD",
}
# Company-registration patterns (matični broj, OIB, JIB, NIPT, Firmenbuch, Handelsregister, EIK…).
REGISTRATION_FORMATS = {
    "RS": "DDDDDDDD",
    "HR": "DDDDDDDDDDD",
    "BA": "4DDDDDDDDDDDD",
    "ME": "02DDDDDD",
    "MK": "DDDDDDD",
    "AL": "LDDDDDDDDL",
    "XK": "81DDDDDDD",
    "SI": "DDDDDDD000",
    "AT": "FN DDDDDDl",
    "DE": "HRB DDDDDD",
    "BG": "DDDDDDDDD",
    "TR": "DDDDDDDDDD",
    "CY": "HEDDDDDD",
    "AE": "DDDDDDD",
    "MT": "C DDDDDD",
    "LY": "DDDDDD",
    "NL": "DDDDDDDD",
}
_COMPANY_STEMS = {
    "RS": ("Dunav", "Morava", "Srem", "Timok", "Zlatibor", "Sava", "Kolubara"),
    "HR": ("Jadran", "Adria", "Slavonija", "Kvarner", "Dalmacija", "Posavina"),
    "BA": ("Una", "Neretva", "Bosna", "Drina", "Vrbas", "Adria"),
    "ME": ("Lovćen", "Tara", "Bojana", "Adria"),
    "MK": ("Vardar", "Ohrid", "Pelister", "Balkan"),
    "AL": ("Adriatik", "Shkumbin", "Drini", "Vlora"),
    "XK": ("Dardania", "Sharri", "Ibri", "Balkan"),
    "SI": ("Adria", "Triglav", "Soča", "Kras"),
    "AT": ("Alpen", "Donau", "Steirer", "Karawanken"),
    "DE": ("Rhein", "Main", "Nordstern", "Adria"),
    "BG": ("Trakia", "Balkan", "Rodopi", "Struma"),
    "TR": ("Anadolu", "Marmara", "Ege", "Trakya"),
    "CY": ("Meridian", "Levant", "Aphrodite"),
    "AE": ("Gulf Star", "Falcon", "Al Noor"),
    "MT": ("Melita", "Grand Harbour"),
    "LY": ("Al-Nasr", "Tripoli", "Sirte"),
    "NL": ("Noordzee", "Maas"),
}
_COMPANY_ACTIVITIES = ("Trade", "Promet", "Logistik", "Trans", "Metal", "Export-Import", "Shipping")
_COMPANY_FORMS = {
    "RS": "d.o.o.",
    "HR": "d.o.o.",
    "BA": "d.o.o.",
    "ME": "d.o.o.",
    "SI": "d.o.o.",
    "MK": "DOOEL",
    "AL": "Sh.p.k.",
    "XK": "Sh.p.k.",
    "AT": "GmbH",
    "DE": "GmbH",
    "BG": "EOOD",
    "TR": "Ltd. Şti.",
    "CY": "Ltd",
    "AE": "FZE",
    "MT": "Ltd",
    "LY": "General Trading Co.",
    "NL": "B.V.",
}
COMPANY_COUNTRIES = (
    "RS",
    "RS",
    "BA",
    "HR",
    "ME",
    "MK",
    "AL",
    "XK",
    "SI",
    "AT",
    "DE",
    "BG",
    "TR",
    "CY",
)
BROKER_COUNTRIES = ("CY", "AE", "BG", "TR", "MT", "RS", "BA")
_VESSEL_WORDS = (
    ("SEA", "BLUE", "ADRIA", "IONIAN", "NORD", "OCEAN", "AEGEAN", "LEVANT", "MARE", "CAPE"),
    ("PRIDE", "SPIRIT", "QUEEN", "WAVE", "TRADER", "EXPRESS", "HORIZON", "FORTUNE", "CARRIER"),
)


@dataclass(frozen=True)
class FirearmModel:
    make: str
    model: str
    calibre: str
    serial_format: str  # L = letter, D = digit
    description: str


FIREARM_MODELS = (
    FirearmModel("Zastava", "M70", "7.62x39", "M70-DDDDDD", "Zastava M70 assault rifle"),
    FirearmModel("Zastava", "M92", "7.62x39", "M92-DDDDDD", "Zastava M92 carbine"),
    FirearmModel("Zastava", "M57", "7.62x25", "M57-DDDDDD", "Zastava M57 pistol"),
    FirearmModel("Zastava", "M84", "7.62x54R", "M84-DDDDDD", "Zastava M84 machine gun"),
    FirearmModel("CZ", "vz. 58", "7.62x39", "LDDDDDD", "CZ vz. 58 rifle"),
    FirearmModel("HS Produkt", "HS2000", "9x19", "HSDDDDDD", "HS2000 pistol"),
    FirearmModel("Glock", "17", "9x19", "LLLDDDDDD", "Glock 17 pistol"),
    FirearmModel("Zoraki", "914", "9 mm P.A.K.", "DDDDDDD", "converted Zoraki 914 blank pistol"),
    FirearmModel("Ekol", "Firat Magnum", "9 mm P.A.K.", "DDDDDDD", "converted Ekol blank pistol"),
)
FIREARM_BY_MAKE_MODEL = {(re.sub(r"\s+", "", m.make).upper(), m.model): m for m in FIREARM_MODELS}
EUC_PREFIXES = {  # issuer → certificate-number prefix
    "LY": "MOD",
    "AE": "MOD-EUC",
    "SA": "MODA",
    "JO": "JAF",
    "EG": "MMP",
    "NG": "DHQ-EUC",
    "PK": "MODP",
    "SD": "SAF",
    "YE": "MOD-YE",
    "TR": "MSB",
    "BF": "MDAC",
    "GE": "MOD-GE",
}
# Issuers for ordinary certificates: none on the UN embargo list (IQ, for one, is partial scope).
EUC_ISSUERS = ("AE", "AE", "SA", "JO", "EG", "NG", "PK", "TR", "BF", "GE")

# --- identifiers ----------------------------------------------------------------------------------


def imo_check_digit(first_six: str) -> int:
    """IMO check digit: the six digits weighted 7,6,5,4,3,2, summed, mod 10."""
    return sum(int(d) * w for d, w in zip(first_six, (7, 6, 5, 4, 3, 2), strict=True)) % 10


def valid_imo(value: str) -> bool:
    digits = value.strip()
    return len(digits) == 7 and digits.isdigit() and imo_check_digit(digits[:6]) == int(digits[6])


def normalise(value: str) -> str:
    """The normalisation this generator relies on: uppercase, all whitespace removed."""
    return re.sub(r"\s+", "", value).upper()


def identifier_key(subject: dict[str, Any]) -> str | None:
    """The normalised strong identifier of a subject (SPEC §5 step 4), as written on a watchlist."""
    kind = subject.get("type")
    if kind == "vessel":
        return normalise(subject["imo"])
    if kind == "company":
        return f"{normalise(subject['country'])}:{normalise(subject['registration'])}"
    if kind == "person":
        return f"{normalise(subject['nationality'])}:{normalise(subject['document'])}"
    if kind == "euc":
        return f"{normalise(subject['issuer'])}:{normalise(subject['number'])}"
    if kind == "firearm":
        return f"{normalise(subject['make'])}:{normalise(subject['serial'])}"
    return None


class Identifiers:
    """Fresh strong identifiers: a counter per series mapped through the bijection
    k → (a·k + b) mod 10^d, so values never repeat and nothing is remembered; reserved keys
    (story and watchlist identifiers) are skipped."""

    def __init__(self, rng: random.Random, reserved: set[str]) -> None:
        self._rng = rng
        self._reserved = reserved
        self._count: dict[str, int] = defaultdict(int)
        self._offset: dict[str, int] = {}

    def _number(self, series: str, digits: int, modulus: int | None = None) -> str:
        """The next number of a series; distinct for the first `modulus` (default 10^digits)."""
        modulus = modulus or 10**digits  # 7654321 is coprime with it: 2, 3 and 5 do not divide it
        if series not in self._offset:
            self._offset[series] = self._rng.randrange(modulus)
        k = self._count[series]
        self._count[series] += 1
        return f"{(k * 7654321 + self._offset[series]) % modulus:0{digits}d}"

    def _fill(self, series: str, pattern: str) -> str:
        digits = self._number(series, pattern.count("D"))
        out, i = [], 0
        for ch in pattern:
            if ch == "D":
                out.append(digits[i])
                i += 1
            elif ch == "L":
                out.append(self._rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ"))
            elif ch == "l":
                out.append(self._rng.choice("abcdefghkmnpstvwxyz"))
            else:
                out.append(ch)
        return "".join(out)

    def _fresh(self, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        while True:
            subject = make()
            if identifier_key(subject) not in self._reserved:
                return subject

    def vessel(self, name: str) -> dict[str, Any]:
        def make() -> dict[str, Any]:
            first_six = str(700000 + int(self._number("imo", 6, modulus=300000)))
            return {
                "type": "vessel",
                "imo": first_six + str(imo_check_digit(first_six)),
                "name": name,
            }

        return self._fresh(make)

    def company(self, country: str, name: str) -> dict[str, Any]:
        pattern = REGISTRATION_FORMATS.get(country, "DDDDDDDD")
        return self._fresh(
            lambda: {
                "type": "company",
                "name": name,
                "country": country,
                "registration": self._fill(f"company:{country}", pattern),
            }
        )

    def person(self, nationality: str, name: str) -> dict[str, Any]:
        pattern = DOCUMENT_FORMATS.get(nationality, "DDDDDDDDD")
        return self._fresh(
            lambda: {
                "type": "person",
                "name": name,
                "nationality": nationality,
                "document": self._fill(f"person:{nationality}", pattern),
            }
        )

    def euc(self, issuer: str, year: int) -> dict[str, Any]:
        prefix = EUC_PREFIXES.get(issuer, "EUC")
        return self._fresh(
            lambda: {
                "type": "euc",
                "number": f"{prefix}-{year}-{self._number(f'euc:{issuer}', 5)}",
                "issuer": issuer,
            }
        )

    def firearm(self, model: FirearmModel) -> dict[str, Any]:
        return self._fresh(
            lambda: {
                "type": "firearm",
                "serial": self._fill(f"firearm:{model.make}", model.serial_format),
                "make": model.make,
                "model": model.model,
                "calibre": model.calibre,
            }
        )


# The fields that carry a strong identifier, per subject type (only these get spelling variants).
_VARIED_FIELDS = {
    "vessel": ("imo",),
    "company": ("registration",),
    "person": ("document",),
    "euc": ("number",),
    "firearm": ("make", "serial"),
}


def spelling_variant(rng: random.Random, value: str, *, digits_only: bool = False) -> str:
    """Write `value` as another source would (case, surrounding or inner spaces; see top)."""
    if digits_only:  # IMO numbers: surrounding spaces only
        return rng.choice((value, value, f" {value}", f"{value} ", f"  {value} "))
    has_letters = any(ch.isalpha() for ch in value)
    choice = rng.randrange(6) if has_letters else rng.choice((2, 3, 5))  # case means nothing
    if choice == 0:
        return value.lower()
    if choice == 1:
        return value.upper()
    if choice == 2:
        return rng.choice((f" {value}", f"{value} ", f"  {value}  "))
    if choice == 3:
        compact = re.sub(r"\s+", "", value)
        spots = [  # between two digits or where letters meet digits, never next to "-"
            i
            for i in range(2, len(compact) - 1)
            if compact[i - 1].isalnum()
            and compact[i].isalnum()
            and (compact[i - 1].isdigit() or compact[i].isdigit())
        ]
        if spots:
            i = rng.choice(spots)
            return f"{compact[:i]} {compact[i:]}"
        return compact
    if choice == 4:
        return value.capitalize() if not value[:1].isdigit() else value.lower()
    return value


def vary_subject(rng: random.Random, subject: dict[str, Any]) -> dict[str, Any]:
    varied = dict(subject)
    for name in _VARIED_FIELDS[subject["type"]]:
        varied[name] = spelling_variant(rng, subject[name], digits_only=name == "imo")
    return varied


def subject_from_watchlist(kind: str, identifier: str) -> dict[str, Any]:
    """Turn a normalised watchlist identifier back into a subject (for `--watchlist` hits)."""
    if kind == "vessel":
        return {"type": "vessel", "imo": identifier, "name": "UNKNOWN"}
    prefix, _, rest = identifier.partition(":")
    if kind == "company":
        return {"type": "company", "name": "n/k", "country": prefix, "registration": rest}
    if kind == "person":
        return {"type": "person", "name": "n/k", "nationality": prefix, "document": rest}
    if kind == "euc":
        return {"type": "euc", "number": rest, "issuer": prefix}
    return {
        "type": "firearm",
        "serial": rest,
        "make": prefix.title(),
        "model": rest.split("-")[0] if "-" in rest else "n/k",
        "calibre": "n/k",
    }


# --- malformed lines ------------------------------------------------------------------------------


def _broken_json(rng: random.Random, alert: dict[str, Any]) -> str:
    text = json.dumps(alert, ensure_ascii=False)
    return text[: rng.randrange(len(text) // 3, len(text) - 5)]


def _missing_field(rng: random.Random, alert: dict[str, Any]) -> str:
    alert.pop(rng.choice(("source", "source_ref", "observed_at", "jurisdiction", "kind")))
    return json.dumps(alert, ensure_ascii=False)


def _bad_country(rng: random.Random, alert: dict[str, Any]) -> str:
    bad = rng.choice(("YU", "XX", "UK"))  # withdrawn (Yugoslavia), user-assigned, not ISO (GB is)
    alert["jurisdiction"] = bad
    return json.dumps(alert, ensure_ascii=False)


def _bad_imo(rng: random.Random, alert: dict[str, Any]) -> str:
    first_six = f"{rng.randrange(900000, 1000000)}"
    wrong = (imo_check_digit(first_six) + rng.randrange(1, 10)) % 10
    alert.setdefault("subjects", []).append(
        {"type": "vessel", "imo": f"{first_six}{wrong}", "name": "MV UNKNOWN"}
    )
    return json.dumps(alert, ensure_ascii=False)


def _unknown_indicator(rng: random.Random, alert: dict[str, Any]) -> str:
    alert["indicators"] = [*alert.get("indicators", []), rng.choice(("weapons_suspected", "x_ray"))]
    return json.dumps(alert, ensure_ascii=False)


def _future_observed_at(rng: random.Random, alert: dict[str, Any]) -> str:
    alert["observed_at"] = f"2036-{rng.randrange(1, 13):02d}-14T10:15:00+01:00"
    return json.dumps(alert, ensure_ascii=False)


def _missing_offset(rng: random.Random, alert: dict[str, Any]) -> str:
    alert["observed_at"] = re.sub(r"(Z|[+-]\d\d:\d\d)$", "", alert["observed_at"])
    return json.dumps(alert, ensure_ascii=False)


def _unknown_kind(rng: random.Random, alert: dict[str, Any]) -> str:
    alert["kind"] = rng.choice(("shipment", "tip-off"))
    return json.dumps(alert, ensure_ascii=False)


def _unknown_corridor(rng: random.Random, alert: dict[str, Any]) -> str:
    alert["corridor"] = rng.choice(("RS-HU-HORGOS", "BG-TR-KAPITAN-ANDREEVO"))
    return json.dumps(alert, ensure_ascii=False)


def _not_an_object(rng: random.Random, alert: dict[str, Any]) -> str:
    return json.dumps([alert["source"], alert["source_ref"], alert["observed_at"]])


MALFORMATIONS: dict[str, Callable[[random.Random, dict[str, Any]], str]] = {
    "broken_json": _broken_json,  # truncated mid-object
    "missing_field": _missing_field,  # one of the required fields left out
    "bad_country": _bad_country,  # jurisdiction YU / XX / UK
    "bad_imo": _bad_imo,  # an IMO number whose check digit does not match
    "unknown_indicator": _unknown_indicator,  # not in the catalogue
    "future_observed_at": _future_observed_at,  # years ahead (more than a day in the future)
    "missing_offset": _missing_offset,  # observed_at without a UTC offset
    "unknown_kind": _unknown_kind,  # kind outside the six alert kinds
    "unknown_corridor": _unknown_corridor,  # not a loaded corridor code
    "not_an_object": _not_an_object,  # valid JSON, but an array
}

# --- the stream -----------------------------------------------------------------------------------


class GeneratedLine(NamedTuple):
    line: int  # 1-based, as Cordon reports it
    text: str  # the JSON line, without newline
    tag: str  # what the line is: standalone, noise, group:<kind>:<id>, duplicate:of=<line>, …
    source: str
    source_ref: str


@dataclass
class Group:
    """A correlated group in progress: alerts from several sources sharing one identifier."""

    gid: str
    kind: str
    subject: dict[str, Any]
    remaining: int
    used_sources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StoryLine:
    """A hand-crafted line at a fixed line number; `build` returns an alert (or raw text)."""

    tag: str
    build: Callable[[AlertStream, datetime], dict[str, Any] | str]


class AlertStream:
    """Produces the lines one at a time; holds only counters, open groups and recent lines."""

    def __init__(
        self,
        *,
        seed: int,
        total: int,
        start: date = DEFAULT_START,
        end: date = DEFAULT_END,
        corridors: Sequence[RouteCorridor | str] = BALKAN_CORRIDORS,
        malformed_rate: float = 0.0,
        duplicate_rate: float = 0.03,
        noise_rate: float = 0.20,
        group_rate: float = 0.30,
        extra_fields_rate: float = 0.06,
        watchlist: Sequence[tuple[str, str]] = (),
        watchlist_rate: float = 0.01,
        story: dict[int, StoryLine] | None = None,
        reserved: Sequence[str] = (),
    ) -> None:
        if end <= start:
            raise ValueError(f"end {end} must be after start {start}")
        self.rng = random.Random(seed)
        self.total = total
        self.start = datetime(start.year, start.month, start.day, tzinfo=UTC)
        self.span = datetime(end.year, end.month, end.day, tzinfo=UTC) - self.start
        self.corridors = tuple(
            c if isinstance(c, RouteCorridor) else RouteCorridor(c) for c in corridors
        )
        self.malformed_rate = malformed_rate
        self.duplicate_rate = duplicate_rate
        self.noise_rate = noise_rate
        self.group_rate = group_rate
        self.extra_fields_rate = extra_fields_rate
        self.watchlist = tuple(watchlist)
        self.watchlist_rate = watchlist_rate if watchlist else 0.0
        self.story = story or {}
        reserved_keys = {normalise(r) for r in reserved} | {normalise(i) for _, i in watchlist}
        self.ids = Identifiers(self.rng, reserved_keys)
        self._refs: dict[str, int] = {}
        self._groups: list[Group] = []
        self._group_count = 0
        self._recent: deque[tuple[int, str, str, str]] = deque(maxlen=300)
        self.story_texts: dict[int, str] = {}

    # -- small helpers used by the generator and by story lines --

    def next_ref(self, source: Source | str) -> str:
        src = SOURCE_BY_NAME[source] if isinstance(source, str) else source
        if src.name not in self._refs:
            self._refs[src.name] = self.rng.randrange(100, 900)
        self._refs[src.name] += self.rng.choice((1, 1, 1, 2, 3))  # gaps: not every case is shared
        return src.ref_format.format(n=self._refs[src.name])

    def time_at(self, line: int) -> datetime:
        """Roughly chronological: line position in the window, plus up to ±3 hours of jitter."""
        base = self.start + self.span * ((line - 0.5) / max(self.total, 1))
        jitter = timedelta(minutes=self.rng.randrange(-180, 181))
        moment = min(max(base + jitter, self.start), self.start + self.span - timedelta(minutes=1))
        return moment.replace(second=self.rng.randrange(60))

    @staticmethod
    def stamp(moment: datetime, *, utc: bool) -> str:
        if utc:
            return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        return (moment + CET_OFFSET).strftime("%Y-%m-%dT%H:%M:%S") + "+01:00"

    def corridor_for(self, source: Source) -> RouteCorridor | None:
        if not source.corridor_kinds or self.rng.random() >= source.corridor_rate:
            return None
        fitting = [
            c
            for c in self.corridors
            if (c.kind is None or c.kind in source.corridor_kinds)
            and (
                not c.jurisdictions
                or source.any_corridor
                or source.jurisdictions[0] in c.jurisdictions
            )
        ]
        return self.rng.choice(fitting) if fitting else None

    def person_name(self, nationality: str) -> str:
        first, last = PERSON_NAMES.get(nationality, PERSON_NAMES["RS"])
        return f"{self.rng.choice(first)} {self.rng.choice(last)}"

    def company_name(self, country: str) -> str:
        stem = self.rng.choice(_COMPANY_STEMS.get(country, ("Global",)))
        return f"{stem} {self.rng.choice(_COMPANY_ACTIVITIES)} {_COMPANY_FORMS.get(country, 'Ltd')}"

    def vessel_name(self) -> str:
        return f"{self.rng.choice(_VESSEL_WORDS[0])} {self.rng.choice(_VESSEL_WORDS[1])}"

    # -- building alerts --

    def _consignment(
        self, corridor: RouteCorridor | None, *, arms: bool, embargoed: bool, postal: bool = False
    ) -> dict[str, Any]:
        rng = self.rng
        origin = rng.choice(ARMS_ORIGINS)
        if embargoed:
            destination = rng.choice(EMBARGOED)
        elif rng.random() < 0.15:
            destination = rng.choice(THIRD_COUNTRIES)
        else:
            destination = rng.choice(MARKETS)
        if postal:
            hs_codes = [rng.choice(HS_PARTS)] if arms else [HS_COVER["car parts"]]
        elif arms:
            hs_codes = sorted(set(rng.sample(HS_ARMS, rng.choice((1, 1, 2)))))
        else:
            hs_codes = [HS_COVER[rng.choice(tuple(HS_COVER))]]
        transit = [
            j
            for j in (corridor.jurisdictions if corridor else ())
            if j not in (origin, destination)
        ]
        consignment: dict[str, Any] = {
            "hs_codes": hs_codes,
            "origin": origin,
            "destination": destination,
            "transit": transit,
        }
        if rng.random() < 0.85:
            low, high = (150, 4000) if postal else (8000, 900000)
            consignment["declared_value_eur"] = round(
                rng.randrange(low, high), -1 if postal else -2
            )
        return consignment

    def _indicators(self, kind: str, count: int, *, postal: bool) -> list[str]:
        pool = dict(INDICATORS_BY_KIND[kind])
        if postal:
            pool = {"postal_parts": 6, "concealment": 2, "hs_chapter_93": 2}
        chosen: list[str] = []
        while len(chosen) < min(count, len(pool)):
            pick = self.rng.choices(tuple(pool), weights=tuple(pool.values()))[0]
            if pick not in chosen:
                chosen.append(pick)
        return chosen

    def build_alert(
        self,
        source: Source,
        kind: str,
        moment: datetime,
        *,
        indicator_count: int,
        noise: bool = False,
        shared: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One valid alert of `kind` from `source`: fresh subjects, plus `shared` (a correlated
        group's identifier) when given."""
        rng = self.rng
        jurisdiction = rng.choice(source.jurisdictions)
        corridor = self.corridor_for(source)
        postal = corridor is not None and corridor.kind == "postal"
        if noise:
            weak = [i for i, _ in INDICATORS_BY_KIND[kind] if i in WEAK_INDICATORS] or [
                "hs_chapter_93"
            ]
            indicators = [rng.choice(weak)]
        else:
            indicators = self._indicators(kind, indicator_count, postal=postal)
        embargoed = not noise and rng.random() < 0.04
        subjects: list[dict[str, Any]] = []
        consignment: dict[str, Any] | None = None

        if (
            kind in ("consignment", "end_user_certificate")
            or (kind == "seizure" and (postal or rng.random() < 0.4))
            or (kind == "vessel" and rng.random() < 0.3)
        ):
            arms = (
                "hs_chapter_93" in indicators
                or "undeclared_arms" in indicators
                or kind in ("seizure", "end_user_certificate")
            )
            consignment = self._consignment(corridor, arms=arms, embargoed=embargoed, postal=postal)
            if (
                kind == "consignment"
                and consignment["hs_codes"][0].startswith("93")
                and "hs_chapter_93" not in indicators
                and not noise
                and rng.random() < 0.7
            ):
                indicators.append("hs_chapter_93")
        if kind == "vessel":
            subjects.append(self.ids.vessel(self.vessel_name()))
            if rng.random() < 0.5:
                country = rng.choice(("MT", "CY", "TR", "AE", "BG"))
                subjects.append(self.ids.company(country, self.company_name(country)))
        elif kind == "consignment":
            country = consignment["origin"] if consignment else rng.choice(COMPANY_COUNTRIES)
            subjects.append(self.ids.company(country, self.company_name(country)))
            if corridor is not None and corridor.kind == "land" and rng.random() < 0.6:
                nationality = rng.choice(PERSON_NATIONALITIES)
                subjects.append(self.ids.person(nationality, self.person_name(nationality)))
            if "euc_mismatch" in indicators or rng.random() < 0.1:
                subjects.append(self._euc_subject(embargoed=embargoed, noise=noise))
        elif kind == "end_user_certificate":
            subjects.append(self._euc_subject(embargoed=embargoed, noise=noise))
            if rng.random() < 0.8:
                country = rng.choice(BROKER_COUNTRIES)
                subjects.append(self.ids.company(country, self.company_name(country)))
        elif kind == "financial":
            for _ in range(rng.choice((1, 1, 2))):
                country = rng.choice(COMPANY_COUNTRIES)
                subjects.append(self.ids.company(country, self.company_name(country)))
            if rng.random() < 0.5:
                nationality = rng.choice(PERSON_NATIONALITIES)
                subjects.append(self.ids.person(nationality, self.person_name(nationality)))
        elif kind == "seizure":
            if rng.random() < 0.8:
                nationality = rng.choice(PERSON_NATIONALITIES)
                subjects.append(self.ids.person(nationality, self.person_name(nationality)))
            if not postal:
                for _ in range(rng.choice((1, 1, 2, 3))):
                    subjects.append(self.ids.firearm(rng.choice(FIREARM_MODELS)))
        else:  # intelligence
            pick = rng.random()
            if pick < 0.5:
                nationality = rng.choice(PERSON_NATIONALITIES)
                subjects.append(self.ids.person(nationality, self.person_name(nationality)))
            if pick >= 0.3:
                country = rng.choice(COMPANY_COUNTRIES)
                subjects.append(self.ids.company(country, self.company_name(country)))

        if shared is not None:
            same_type = [i for i, s in enumerate(subjects) if s["type"] == shared["type"]]
            if same_type and shared["type"] in ("vessel", "euc"):
                subjects[same_type[0]] = shared  # the alert is about this vessel / certificate
            else:
                subjects.append(shared)
        alert: dict[str, Any] = {
            "source": source.name,
            "source_ref": self.next_ref(source),
            "observed_at": self.stamp(moment, utc=source.utc),
            "jurisdiction": jurisdiction,
        }
        if corridor is not None:
            alert["corridor"] = corridor.code
        alert["kind"] = kind
        alert["indicators"] = indicators
        alert["subjects"] = subjects
        if consignment is not None:
            alert["consignment"] = consignment
        alert["description"] = self.describe(alert, corridor)
        return alert

    def _euc_subject(self, *, embargoed: bool, noise: bool) -> dict[str, Any]:
        if embargoed and not noise:
            issuer = self.rng.choice(("LY", "SD", "YE"))
        else:
            issuer = self.rng.choice(EUC_ISSUERS)
        return self.ids.euc(issuer, self.rng.choice((2025, 2026, 2026)))

    def describe(self, alert: dict[str, Any], corridor: RouteCorridor | None) -> str:
        """Free text as an officer writes it: what was checked, then one clause per indicator."""
        rng = self.rng
        at = f" at {corridor.name or corridor.code}" if corridor else ""
        subjects = alert["subjects"]
        firearms = [s for s in subjects if s["type"] == "firearm"]
        what = ", ".join(
            f"{FIREARM_BY_MAKE_MODEL[(normalise(f['make']), f['model'])].description} "
            f"(serial {f['serial'].strip()})"
            for f in firearms
        )
        consignment = alert.get("consignment") or {}
        codes = consignment.get("hs_codes", [])
        goods = HS_WORDS.get(codes[0], "general cargo") if codes else "general cargo"
        route = f" ({consignment['origin']} → {consignment['destination']})" if consignment else ""
        person = next((s["name"] for s in subjects if s["type"] == "person"), "")
        kind = alert["kind"]
        carrier = {"sea": ("Container",), "air": ("Air cargo",), "postal": ("Parcel",)}.get(
            corridor.kind if corridor and corridor.kind else "", ("TIR truck", "Van", "Consignment")
        )
        if kind == "consignment":
            lead = f"{rng.choice(carrier)}{at}{route}, declared as {goods}"
        elif kind == "vessel":
            vessel = next((s["name"] for s in subjects if s["type"] == "vessel"), "Vessel")
            lead = f"{vessel}{at or ' in the Adriatic'}"
        elif kind == "end_user_certificate":
            euc = next(s for s in subjects if s["type"] == "euc")
            lead = f"End-user certificate issued by {euc['issuer']} for {goods}{route}"
        elif kind == "financial":
            paid_for = rng.choice((*HS_COVER, "hunting equipment", "consulting"))
            lead = f"Payments of EUR {rng.randrange(20, 900) * 1000:,} for '{paid_for}'"
        elif kind == "seizure":
            if corridor is not None and corridor.kind == "postal":
                lead = f"Parcel{at}{route}, declared as car parts"
            else:
                lead = rng.choice(("Car", "Coach", "Truck", "Van")) + at
                lead += f"; {person} detained" if person else ""
        else:
            lead = rng.choice(("Informant report", "Liaison officer report", "Surveillance")) + at
        clauses = [
            rng.choice(INDICATOR_CLAUSES[i]).format(
                what=what or "weapons and ammunition",
                hours=rng.randrange(4, 40),
                flag=rng.choice(VESSEL_FLAGS),
                hub=rng.choice(("Mersin", "Port Said", "Jebel Ali", "Piraeus")),
                codes=", ".join(codes) or "chapter 93",
                cover=rng.choice(tuple(HS_COVER)),
                rounds=rng.randrange(100, 3000),
            )
            for i in alert["indicators"]
        ]
        if firearms and "undeclared_arms" not in alert["indicators"]:
            clauses.append(f"{what} seen")
        if not clauses:
            clauses.append(rng.choice(("no irregularity found yet", "for information")))
        return f"{lead}: {'; '.join(clauses)}."

    def _add_extra_fields(self, alert: dict[str, Any]) -> None:
        rng = self.rng
        plate = f"{rng.choice(('BG', 'NS', 'SA', 'PG', 'SK', 'TR'))} {rng.randrange(100, 999)}-"
        plate += "".join(rng.choice("ABCEJKMT") for _ in range(2))
        scan = {
            "name": f"scan_{rng.randrange(1000, 9999)}.png",
            "sha256": f"{rng.getrandbits(256):064x}",
        }
        extras: list[tuple[str, Any]] = [
            ("vehicle_plate", plate),
            ("analyst_grading", rng.choice(("A1", "B2", "C3", "B3"))),
            ("x_feed_version", rng.choice(("2.3.1", "2.4.0"))),
            ("attachments", [scan]),
            (
                "geo",
                {
                    "lat": round(rng.uniform(41.0, 48.5), 4),
                    "lon": round(rng.uniform(13.0, 22.0), 4),
                },
            ),
        ]
        for key, value in rng.sample(extras, rng.choice((1, 1, 2))):
            alert[key] = value

    # -- the line loop --

    def _start_group(self) -> Group:
        rng = self.rng
        kind = GROUP_KINDS[self._group_count % len(GROUP_KINDS)]
        if kind == "vessel":
            subject = self.ids.vessel(self.vessel_name())
        elif kind == "company":
            country = rng.choice(COMPANY_COUNTRIES)
            subject = self.ids.company(country, self.company_name(country))
        elif kind == "person":
            nationality = rng.choice(PERSON_NATIONALITIES)
            subject = self.ids.person(nationality, self.person_name(nationality))
        elif kind == "euc":
            subject = self._euc_subject(embargoed=False, noise=False)
        else:
            subject = self.ids.firearm(rng.choice(FIREARM_MODELS[:7]))
        self._group_count += 1
        group = Group(f"G{self._group_count:04d}", kind, subject, rng.choice((2, 2, 3, 3, 4, 5)))
        self._groups.append(group)
        return group

    def _group_alert(self, moment: datetime) -> tuple[dict[str, Any], str]:
        rng = self.rng
        if self._groups and (len(self._groups) >= 12 or rng.random() < 0.7):
            group = rng.choice(self._groups)
        else:
            group = self._start_group()
        fresh = [s for s in GROUP_SOURCES[group.kind] if s not in group.used_sources]
        source = SOURCE_BY_NAME[rng.choice(fresh or list(GROUP_SOURCES[group.kind]))]
        group.used_sources.append(source.name)
        kind = rng.choices(*zip(*source.kinds, strict=True))[0]
        if group.kind == "firearm" and kind not in ("seizure", "intelligence"):
            kind = "seizure"
        alert = self.build_alert(
            source,
            kind,
            moment,
            indicator_count=rng.choice((1, 1, 2)),
            shared=vary_subject(rng, group.subject),
        )
        group.remaining -= 1
        if group.remaining == 0:
            self._groups.remove(group)
        return alert, f"group:{group.kind}:{group.gid}"

    def _fresh_alert(self, moment: datetime, *, noise: bool) -> dict[str, Any]:
        rng = self.rng
        source = rng.choices(SOURCES, weights=[s.weight for s in SOURCES])[0]
        kinds = [
            (k, w)
            for k, w in source.kinds
            if not noise or k not in ("seizure", "end_user_certificate")
        ]
        if not kinds:
            source, kinds = SOURCE_BY_NAME["HR-customs"], [("consignment", 1)]
        kind = rng.choices(*zip(*kinds, strict=True))[0]
        count = rng.choices((1, 2, 3), weights=(60, 32, 8))[0]
        return self.build_alert(source, kind, moment, indicator_count=count, noise=noise)

    def lines(self) -> Iterator[GeneratedLine]:
        rng = self.rng
        for line in range(1, self.total + 1):
            moment = self.time_at(line)
            if line in self.story:
                story = self.story[line]
                built = story.build(self, moment)
                text = built if isinstance(built, str) else json.dumps(built, ensure_ascii=False)
                self.story_texts[line] = text
                try:  # a malformed or re-sent story line may still name its source
                    parsed = json.loads(text)
                except ValueError:
                    parsed = None
                about = parsed if isinstance(parsed, dict) else {}
                source, ref = str(about.get("source", "")), str(about.get("source_ref", ""))
                yield GeneratedLine(line, text, f"story:{story.tag}", source, ref)
                continue
            roll = rng.random()
            if self._recent and roll < self.duplicate_rate:
                of_line, text, source, ref = rng.choice(self._recent)
                yield GeneratedLine(line, text, f"duplicate:of={of_line}", source, ref)
                continue
            if roll < self.duplicate_rate + self.malformed_rate:
                reason = rng.choice(tuple(MALFORMATIONS))
                alert = self._fresh_alert(moment, noise=False)
                source, ref = alert["source"], alert["source_ref"]
                text = MALFORMATIONS[reason](rng, alert)
                yield GeneratedLine(line, text, f"malformed:{reason}", source, ref)
                continue
            roll = rng.random()
            if roll < self.noise_rate:
                alert, tag = self._fresh_alert(moment, noise=True), "noise"
            elif roll < self.noise_rate + self.group_rate:
                alert, tag = self._group_alert(moment)
            else:
                alert, tag = self._fresh_alert(moment, noise=False), "standalone"
                if rng.random() < self.watchlist_rate:
                    alert["subjects"].append(subject_from_watchlist(*rng.choice(self.watchlist)))
                    tag = "watchlist"
            if rng.random() < self.extra_fields_rate:
                self._add_extra_fields(alert)
                tag += "+extra_fields"
            text = json.dumps(alert, ensure_ascii=False)
            self._recent.append((line, text, alert["source"], alert["source_ref"]))
            yield GeneratedLine(line, text, tag, alert["source"], alert["source_ref"])


def generate(total: int, seed: int, **options: Any) -> Iterator[GeneratedLine]:
    """Every line with its tag (see AlertStream for the options)."""
    return AlertStream(seed=seed, total=total, **options).lines()


def generate_lines(total: int, seed: int, **options: Any) -> Iterator[str]:
    """Just the JSON lines — what the intake benchmark feeds to `cordon ingest`."""
    return (generated.text for generated in generate(total, seed, **options))


# --- the Balkans story (examples/balkans/README.md documents every line) --------------------------

# examples/balkans/watchlist.csv, in the normalised form of SPEC §5 step 4.
BALKANS_WATCHLIST = (
    ("vessel", "8642139", "ORION STAR - reported ship-to-ship transfers off Durres (2025)"),
    ("company", "RS:20987654", "Dunav Promet d.o.o. - front company in a 2025 EIO (DE-RS)"),
    ("person", "RS:008412375", "Dragan Nikolić - driver in the 2024 Bregana seizure"),
    ("euc", "AE:MOD-EUC-2026-0117", "EUC reported as lost by the issuer"),
    ("firearm", "ZASTAVA:M70-418822", "rifle from a 2017 stockpile theft (SEESAC tracing)"),
    ("company", "AL:L61512003K", "Adriatik Shpk - Durres freight forwarder under investigation"),
    ("person", "XK:P01458823", "Arben Krasniqi - wanted broker (EAW issued by DE)"),
    ("company", "BG:204511127", "Trakia Trading EOOD - converted blank pistols (C3)"),
    ("vessel", "9331086", "LADY MIRA - ex-ADRIA QUEEN, flag hopping since 2024"),
    ("euc", "NG:DHQ-EUC-2026-0031", "EUC number used twice by different brokers"),
)
STORY_IDENTIFIERS = (  # never produced at random in a storied run
    "9387425",  # ADRIATIC DAWN / SEA FALCON: weak-signal chain
    "9173563",  # MARINA K: repeated indicator, stays watch
    "RS:21458803",  # Srem Metal d.o.o.: exporter to LY
    "LY:MOD-2026-0442",  # the LY end-user certificate
    "LY:30417",  # Al-Nasr General Trading Co.: LY consignee
    "HR:48213970562",  # Adria Logistik d.o.o. (HR)
    "SI:6849271000",  # Adria Logistik d.o.o. (SI): same name, different company
    "DE:HRB204417",  # Rhein Metal GmbH: consignee of the Frankfurt air shipment
    "CY:HE415502",  # Meridian Trade Ltd: broker on the watchlisted AE certificate
    "BA:A4417093",  # Nenad Ilić: carried the watchlisted rifle
    "HR:97110428356",  # Posavina Trans d.o.o.: only on malformed lines
)


def _alert(
    stream: AlertStream,
    moment: datetime,
    source: str,
    *,
    jurisdiction: str | None = None,
    corridor: str | None = None,
    kind: str,
    indicators: list[str],
    subjects: list[dict[str, Any]],
    consignment: dict[str, Any] | None = None,
    description: str,
    **extra: Any,
) -> dict[str, Any]:
    src = SOURCE_BY_NAME[source]
    alert: dict[str, Any] = {
        "source": source,
        "source_ref": stream.next_ref(src),
        "observed_at": stream.stamp(moment, utc=src.utc),
        "jurisdiction": jurisdiction or src.jurisdictions[0],
    }
    if corridor:
        alert["corridor"] = corridor
    alert |= {"kind": kind, "indicators": indicators, "subjects": subjects}
    if consignment:
        alert["consignment"] = consignment
    alert["description"] = description
    alert |= extra
    return alert


def _vessel(imo: str, name: str) -> dict[str, Any]:
    return {"type": "vessel", "imo": imo, "name": name}


def _company(name: str, country: str, registration: str) -> dict[str, Any]:
    return {"type": "company", "name": name, "country": country, "registration": registration}


def _malformed(reason: str, build: Callable[[AlertStream, datetime], dict[str, Any]]) -> StoryLine:
    def make(stream: AlertStream, moment: datetime) -> str:
        alert = build(stream, moment)
        if reason == "broken_json":
            text = json.dumps(alert, ensure_ascii=False)
            return text[: len(text) * 2 // 3]
        if reason == "not_an_object":
            return json.dumps([alert["source"], alert["source_ref"], alert["observed_at"]])
        return json.dumps(alert, ensure_ascii=False)

    return StoryLine(f"malformed:{reason}", make)


def _truck(stream: AlertStream, moment: datetime, **changes: Any) -> dict[str, Any]:
    """A plain, otherwise valid customs alert that a malformed story line then breaks."""
    alert = _alert(
        stream,
        moment,
        changes.pop("source", "HR-customs"),
        corridor=changes.pop("corridor", "RS-HR-BATROVCI"),
        kind="consignment",
        indicators=["hs_chapter_93", "seal_tampered"],
        subjects=[_company("Posavina Trans d.o.o.", "HR", "97110428356")],
        consignment={
            "hs_codes": ["930630"],
            "origin": "RS",
            "destination": "AT",
            "transit": ["HR"],
        },
        description="Seal replaced since departure; ammunition declared as sporting cartridges.",
    )
    for key, value in changes.items():
        if value is None:
            alert.pop(key, None)
        else:
            alert[key] = value
    return alert


def balkans_story() -> dict[int, StoryLine]:
    """The hand-crafted lines of examples/balkans/alerts.jsonl, by line number (needs N ≥ 331)."""
    dawn, marina = "9387425", "9173563"
    srem = ("Srem Metal d.o.o.", "RS", "21458803")
    ly_euc = {"type": "euc", "number": "MOD-2026-0442", "issuer": "LY"}

    def chain_1(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "SI-vessel-tracking",
            corridor="ME-PORT-BAR",
            kind="vessel",
            indicators=["ais_gap"],
            subjects=[_vessel(dawn, "ADRIATIC DAWN")],
            description="AIS signal lost for 19 h between Bar and the Strait of Otranto.",
        )

    def chain_2(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "ME-port-authority",
            corridor="ME-PORT-BAR",
            kind="vessel",
            indicators=["route_deviation"],
            subjects=[_vessel(f" {dawn}", "Adriatic Dawn")],
            description="Declared Bar - Koper, called at an anchorage off Vlore instead.",
        )

    def chain_3(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "HR-port-authority",
            corridor="HR-PORT-RIJEKA",
            kind="vessel",
            indicators=["vessel_renamed"],
            subjects=[_vessel(f"{dawn} ", "SEA FALCON")],
            description="Arrived as SEA FALCON, renamed from ADRIATIC DAWN on 12 Nov.",
        )

    def marina_1(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "SI-vessel-tracking",
            kind="vessel",
            indicators=["ais_gap"],
            subjects=[_vessel(marina, "MARINA K")],
            description="AIS gap of 11 h in the southern Adriatic.",
        )

    def marina_2(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "IT-guardia-di-finanza",
            kind="vessel",
            indicators=["ais_gap"],
            subjects=[_vessel(f" {marina}", "Marina K")],
            description="Second AIS gap, 8 h, off Brindisi.",
        )

    def marina_3(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "AL-port-authority",
            corridor="AL-PORT-DURRES",
            kind="vessel",
            indicators=["route_deviation"],
            subjects=[_vessel(marina, "MARINA K")],
            description="Arrived in Durres one day late via an unscheduled stop.",
        )

    def ly_1(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "ME-customs",
            corridor="ME-PORT-BAR",
            kind="consignment",
            indicators=["hs_chapter_93", "euc_mismatch"],
            subjects=[
                _company(*srem),
                _company("Al-Nasr General Trading Co.", "LY", "30417"),
                ly_euc,
            ],
            consignment={
                "hs_codes": ["930190", "930630"],
                "origin": "RS",
                "destination": "LY",
                "transit": ["ME"],
                "declared_value_eur": 486000,
            },
            description="Two containers of 'hunting rifles and cartridges' for Benghazi; "
            "the EUC names a different consignee and half the quantity.",
        )

    def ly_2(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "RS-FIU",
            kind="financial",
            indicators=["unusual_payment"],
            subjects=[_company("SREM METAL DOO", "RS", "2145 8803")],
            description="EUR 486,000 received from a UAE account with no link to the "
            "Libyan consignee, ten days before shipment.",
        )

    def ly_3(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "EU-EUC-check",
            jurisdiction="HR",
            kind="end_user_certificate",
            indicators=["euc_forged"],
            subjects=[{"type": "euc", "number": " mod-2026-0442", "issuer": "LY"}],
            description="Issuer's specimen does not match: seal and signatory forged.",
        )

    def ly_resend(s: AlertStream, t: datetime) -> str:
        original = json.loads(s.story_texts[78])
        return json.dumps(dict(reversed(list(original.items()))), ensure_ascii=False)

    def name_a(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "HR-customs",
            corridor="HR-SI-BREGANA",
            kind="consignment",
            indicators=["concealment", "hs_chapter_93"],
            subjects=[_company("Adria Logistik d.o.o.", "HR", "48213970562")],
            consignment={
                "hs_codes": ["930200", "940360"],
                "origin": "BA",
                "destination": "DE",
                "transit": ["HR", "SI", "AT"],
                "declared_value_eur": 23500,
            },
            description="Pistols hidden in flat-pack furniture, declared as furniture only.",
        )

    def name_b(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "SI-customs",
            corridor="SI-PORT-KOPER",
            kind="consignment",
            indicators=["concealment", "hs_chapter_93"],
            subjects=[_company("Adria Logistik d.o.o.", "SI", "6849271000")],
            consignment={
                "hs_codes": ["930591"],
                "origin": "TR",
                "destination": "AT",
                "transit": ["SI"],
                "declared_value_eur": 61200,
            },
            description="Pistol frames in a container of ceramic tiles from Mersin.",
        )

    def hit_1(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "HR-customs",
            corridor="RS-HR-BATROVCI",
            kind="consignment",
            indicators=["hs_chapter_93"],
            subjects=[_company("Dunav Promet d.o.o.", "RS", " 2098 7654")],
            consignment={
                "hs_codes": ["930621"],
                "origin": "RS",
                "destination": "AT",
                "transit": ["HR", "SI"],
                "declared_value_eur": 8900,
            },
            description="Declared shotgun cartridges; papers in order.",
        )

    def hit_2(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "AL-port-authority",
            corridor="AL-PORT-DURRES",
            kind="vessel",
            indicators=["flag_hopping"],
            subjects=[_vessel("8642139", "ORION STAR")],
            description="Third flag change in 18 months (now Togo).",
        )

    def hit_3(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "RS-border-police",
            corridor="RS-XK-JARINJE",
            kind="intelligence",
            indicators=[],
            subjects=[
                {
                    "type": "person",
                    "name": "Dragan Nikolic",
                    "nationality": "RS",
                    "document": "008 412375",
                }
            ],
            description="Crossed twice in one day with an empty van.",
        )

    def hit_4(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "EU-EUC-check",
            jurisdiction="AT",
            kind="end_user_certificate",
            indicators=["euc_mismatch"],
            subjects=[
                {"type": "euc", "number": "mod-euc-2026-0117 ", "issuer": "AE"},
                _company("Meridian Trade Ltd", "CY", "HE415502"),
            ],
            consignment={
                "hs_codes": ["930190"],
                "origin": "BA",
                "destination": "AE",
                "transit": ["HR"],
                "declared_value_eur": 212000,
            },
            description="EUC quantities (400 rifles) differ from the export licence (250).",
        )

    def hit_5(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "DE-police",
            kind="seizure",
            indicators=["undeclared_arms", "concealment"],
            subjects=[
                {
                    "type": "firearm",
                    "serial": "m70-418822",
                    "make": "zastava",
                    "model": "M70",
                    "calibre": "7.62x39",
                },
                {
                    "type": "person",
                    "name": "Nenad Ilić",
                    "nationality": "BA",
                    "document": "A4417093",
                },
            ],
            description="Zastava M70 found in the spare-wheel well of a car in Munich.",
        )

    def hit_6(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "AT-FIU",
            kind="financial",
            indicators=["unusual_payment"],
            subjects=[_company("ADRIATIK SHPK", "AL", "l61512003k")],
            description="Freight payments split across five Austrian accounts.",
        )

    def hit_7(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "SI-vessel-tracking",
            corridor="SI-PORT-KOPER",
            kind="vessel",
            indicators=["ais_gap"],
            subjects=[_vessel(" 8642139", "ORION STAR")],
            description="AIS off for 14 h before arrival at Koper anchorage.",
        )

    def extra_fields(s: AlertStream, t: datetime) -> dict[str, Any]:
        return _alert(
            s,
            t,
            "DE-customs",
            corridor="DE-AIR-FRANKFURT",
            kind="consignment",
            indicators=["concealment", "hs_chapter_93"],
            subjects=[_company("Rhein Metal GmbH", "DE", "HRB 204417")],
            consignment={
                "hs_codes": ["930599"],
                "origin": "RS",
                "destination": "DE",
                "transit": [],
                "declared_value_eur": 4300,
            },
            description="Air cargo declared as machine parts: 40 pistol slides.",
            awb="020-48213377",
            x_risk_profile="RP-93-07",
            attachments=[{"name": "xray_FRA_0412.png", "sha256": "9f2c4e0a" * 8}],
        )

    return {
        12: _malformed("broken_json", _truck),
        23: StoryLine("name-only:A", name_a),
        29: _malformed("missing_field:source_ref", lambda s, t: _truck(s, t, source_ref=None)),
        41: StoryLine("chain:1", chain_1),
        55: StoryLine("watchlist:company", hit_1),
        67: _malformed("bad_country:jurisdiction=YU", lambda s, t: _truck(s, t, jurisdiction="YU")),
        78: StoryLine("embargo:LY-1", ly_1),
        90: StoryLine("repeat-indicator:1", marina_1),
        96: _malformed(
            "bad_imo",
            lambda s, t: _truck(
                s,
                t,
                source="ME-port-authority",
                corridor="ME-PORT-BAR",
                kind="vessel",
                indicators=["ais_gap"],
                consignment=None,
                subjects=[_vessel("9387426", "ADRIATIC DAWN")],
                description="ADRIATIC DAWN at Port of Bar: 6 h AIS gap (IMO mistyped).",
            ),
        ),
        104: StoryLine("name-only:B", name_b),
        118: StoryLine("watchlist:vessel", hit_2),
        126: _malformed(
            "unknown_indicator",
            lambda s, t: _truck(s, t, indicators=["hs_chapter_93", "weapons_suspected"]),
        ),
        131: StoryLine("embargo:LY-2", ly_2),
        143: StoryLine("duplicate:resend-of=78", ly_resend),
        150: _malformed("missing_field:kind", lambda s, t: _truck(s, t, kind=None)),
        157: StoryLine("chain:2", chain_2),
        166: StoryLine("repeat-indicator:2", marina_2),
        172: StoryLine("watchlist:person", hit_3),
        185: _malformed(
            "future_observed_at", lambda s, t: _truck(s, t, observed_at="2036-11-20T10:15:00+01:00")
        ),
        199: StoryLine("extra_fields", extra_fields),
        204: StoryLine("embargo:LY-3", ly_3),
        213: _malformed(
            "missing_offset",
            lambda s, t: _truck(s, t, observed_at=s.stamp(t, utc=True).removesuffix("Z")),
        ),
        221: StoryLine("watchlist:euc", hit_4),
        236: _malformed(
            "bad_country:nationality=XX",
            lambda s, t: _truck(
                s,
                t,
                source="BA-border-police",
                corridor="BA-HR-GRADISKA",
                kind="seizure",
                indicators=["undeclared_arms"],
                consignment=None,
                subjects=[
                    {
                        "type": "person",
                        "name": "Goran Babić",
                        "nationality": "XX",
                        "document": "A1180342",
                    }
                ],
                description="Car at Gradiska: two M70 rifles under the rear seats; driver held.",
            ),
        ),
        241: StoryLine("repeat-indicator:3", marina_3),
        250: StoryLine("watchlist:firearm", hit_5),
        262: _malformed("unknown_kind", lambda s, t: _truck(s, t, kind="shipment")),
        270: StoryLine("duplicate:exact-of=55", lambda s, t: s.story_texts[55]),
        283: StoryLine("chain:3", chain_3),
        297: StoryLine("watchlist:company", hit_6),
        305: _malformed("unknown_corridor", lambda s, t: _truck(s, t, corridor="RS-HU-HORGOS")),
        318: _malformed("not_an_object", _truck),
        331: StoryLine("watchlist:vessel", hit_7),
    }


STORIES: dict[str, Callable[[], dict[int, StoryLine]]] = {"balkans": balkans_story}
STORY_CORRIDORS = {  # the corridor codes the Balkans story lines report at
    "ME-PORT-BAR",
    "HR-PORT-RIJEKA",
    "AL-PORT-DURRES",
    "SI-PORT-KOPER",
    "HR-SI-BREGANA",
    "RS-HR-BATROVCI",
    "RS-XK-JARINJE",
    "BA-HR-GRADISKA",
    "DE-AIR-FRANKFURT",
}
STORY_RESERVED = {"balkans": [i for _, i, _ in BALKANS_WATCHLIST] + list(STORY_IDENTIFIERS)}

# --- command line ---------------------------------------------------------------------------------


def read_watchlist(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["type"], row["identifier"]) for row in csv.DictReader(handle)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--alerts", type=int, required=True, help="lines to write (all included)")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--malformed-rate", type=float, default=0.0)
    parser.add_argument("--duplicate-rate", type=float, default=0.03)
    parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START)
    parser.add_argument("--end", type=date.fromisoformat, default=DEFAULT_END)
    parser.add_argument("--corridors", type=Path, help="a scenario's corridors.csv")
    parser.add_argument("--corridor-codes", help="comma-separated bare corridor codes (bench)")
    parser.add_argument("--watchlist", type=Path, help="a watchlist.csv to draw ~1 %% hits from")
    parser.add_argument("--story", choices=sorted(STORIES), help="add a scenario's story lines")
    parser.add_argument("--manifest", type=Path, help="also write line<TAB>source<TAB>ref<TAB>tag")
    args = parser.parse_args(argv)

    corridors: Sequence[RouteCorridor | str] = BALKAN_CORRIDORS
    if args.corridors:
        corridors = load_corridors(args.corridors)
    elif args.corridor_codes:
        corridors = [code.strip() for code in args.corridor_codes.split(",") if code.strip()]
    story = STORIES[args.story]() if args.story else {}
    if story and args.alerts < max(story):
        parser.error(f"--story {args.story} needs --alerts >= {max(story)}")
    codes = {c.code if isinstance(c, RouteCorridor) else c for c in corridors}
    if story and not STORY_CORRIDORS.issubset(codes):
        missing = ", ".join(sorted(STORY_CORRIDORS - codes))
        parser.error(f"--story {args.story} uses corridors not in --corridors: {missing}")
    if args.end <= args.start:
        parser.error(f"--end {args.end} must be after --start {args.start}")
    stream = AlertStream(
        seed=args.seed,
        total=args.alerts,
        start=args.start,
        end=args.end,
        corridors=corridors,
        malformed_rate=args.malformed_rate,
        duplicate_rate=args.duplicate_rate,
        watchlist=read_watchlist(args.watchlist) if args.watchlist else (),
        story=story,
        reserved=STORY_RESERVED.get(args.story or "", ()),
    )
    manifest = args.manifest.open("w", encoding="utf-8") if args.manifest else None
    out = sys.stdout
    if isinstance(out, io.TextIOWrapper):  # UTF-8 and LF whatever the platform's defaults
        out.reconfigure(encoding="utf-8", newline="\n")
    try:
        for generated in stream.lines():
            out.write(generated.text + "\n")
            if manifest:
                manifest.write(
                    f"{generated.line}\t{generated.source}\t{generated.source_ref}\t{generated.tag}\n"
                )
    finally:
        if manifest:
            manifest.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
