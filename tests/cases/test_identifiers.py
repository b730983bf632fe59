"""Strong identifiers: one key per identifier whatever its spelling; names never form keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.casework.identifiers import compact, imo_is_valid, subject_key, watchlist_key


def imo_with_check_digit(six: str) -> str:
    total = sum(int(d) * w for d, w in zip(six, (7, 6, 5, 4, 3, 2), strict=True))
    return six + str(total % 10)


@pytest.mark.parametrize("imo", ["9074729", "9176187", "8814275"])
def test_real_imo_numbers_pass_the_check_digit(imo: str) -> None:
    # 9074729 is the worked example of the IMO number scheme; the others were checked by hand
    assert imo_is_valid(imo)


@given(st.text(alphabet="0123456789", min_size=6, max_size=6), st.integers(1, 9))
def test_a_wrong_check_digit_fails(six: str, shift: int) -> None:
    good = imo_with_check_digit(six)
    bad = six + str((int(good[6]) + shift) % 10)
    assert imo_is_valid(good)
    assert not imo_is_valid(bad)


def test_imo_needs_seven_digits() -> None:
    assert not imo_is_valid("907472")
    assert not imo_is_valid("90747290")
    assert not imo_is_valid("90747a9")


separators = st.sampled_from(["", " ", "-", "  ", ".", "/", " - "])


@given(
    st.lists(
        st.text(alphabet="ABCDEFGHXYZ0123456789", min_size=1, max_size=4), min_size=1, max_size=4
    ),
    st.data(),
)
def test_spelling_variants_give_one_key(parts: list[str], data: st.DataObject) -> None:
    canonical = "-".join(parts)
    variant = "".join(p.lower() if data.draw(st.booleans()) else p for p in parts[:1])
    for part in parts[1:]:
        variant += data.draw(separators) + (part.lower() if data.draw(st.booleans()) else part)
    variant = (
        data.draw(st.sampled_from(["", " "])) + variant + data.draw(st.sampled_from(["", " "]))
    )
    first = subject_key({"type": "euc", "issuer": "LY", "number": canonical})
    second = subject_key({"type": "euc", "issuer": " ly", "number": variant})
    assert first == second == f"euc:LY:{compact(canonical)}"


@given(st.text())
def test_compact_is_idempotent_and_alphanumeric(value: str) -> None:
    once = compact(value)
    assert compact(once) == once
    assert all(c.isascii() and c.isalnum() and not c.islower() for c in once)


def test_every_subject_kind_has_its_key() -> None:
    assert subject_key({"type": "vessel", "imo": "IMO 9074729", "name": "MV X"}) == "vessel:9074729"
    assert (
        subject_key({"type": "company", "country": "RS", "registration": "20 123 456"})
        == "company:RS:20123456"
    )
    assert (
        subject_key({"type": "person", "nationality": "rs", "document": "p1234567"})
        == "person:RS:P1234567"
    )
    assert (
        subject_key({"type": "euc", "issuer": "LY", "number": "EUC-2026-445"})
        == "euc:LY:EUC2026445"
    )
    assert (
        subject_key({"type": "firearm", "make": "Zastava", "serial": "M70-123456"})
        == "firearm:ZASTAVA:M70123456"
    )


def test_names_alone_give_no_key() -> None:
    assert subject_key({"type": "company", "name": "Balkan Trade d.o.o.", "country": "RS"}) is None
    assert subject_key({"type": "person", "name": "Ivan Horvat"}) is None
    assert subject_key({"type": "vessel", "name": "MV Example"}) is None


def test_watchlist_identifiers_match_alert_subjects() -> None:
    assert watchlist_key("vessel", "9074729") == subject_key({"type": "vessel", "imo": "9074729"})
    assert watchlist_key("company", "RS:20123456") == subject_key(
        {"type": "company", "country": "RS", "registration": "20123456"}
    )
    assert watchlist_key("person", "RS:P1234567") == subject_key(
        {"type": "person", "nationality": "RS", "document": "P1234567"}
    )
    assert watchlist_key("euc", "LY:EUC-2026-445") == subject_key(
        {"type": "euc", "issuer": "LY", "number": "EUC 2026 445"}
    )
    assert watchlist_key("firearm", "ZASTAVA:M70-123456") == subject_key(
        {"type": "firearm", "make": "zastava", "serial": "M70 123456"}
    )


@pytest.mark.parametrize(
    ("kind", "identifier", "reason"),
    [
        ("vessel", "9074728", "check digit"),
        ("company", "20123456", "CC:NUMBER"),
        ("company", "YU:20123456", "unknown country code"),
        ("firearm", "M70-123456", "MAKE:SERIAL"),
        ("ship", "9074729", "unknown identifier type"),
    ],
)
def test_malformed_watchlist_identifiers_are_named(kind: str, identifier: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        watchlist_key(kind, identifier)
