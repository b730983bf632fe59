"""Validated field types for scenario and reference rows (pydantic annotations)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from cases.kernel.countries import country_code, language_code


def _yes_no(value: Any) -> Any:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("yes", "no"):
            return lowered == "yes"
        raise ValueError(f"expected yes or no, not {value!r}")
    return value


def _pipe_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split("|") if part.strip()]
    return value


def _unique(values: list[str]) -> list[str]:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"repeats {', '.join(repeated)}")
    return values


CountryCode = Annotated[str, AfterValidator(country_code)]
LanguageCode = Annotated[str, AfterValidator(language_code)]
YesNo = Annotated[bool, BeforeValidator(_yes_no)]
CountryList = Annotated[list[CountryCode], BeforeValidator(_pipe_list), AfterValidator(_unique)]
LanguageList = Annotated[list[LanguageCode], BeforeValidator(_pipe_list), AfterValidator(_unique)]
