"""The legal core's refusals, each of one of the kernel's kinds (SPEC §10.1)."""

from __future__ import annotations

from cases.kernel.errors import Conflict, IllegalTransition, Invalid

__all__ = [
    "EvidenceError",
    "IllegalTransition",
    "InvalidRequest",
    "MissingFields",
    "ReferenceDataError",
]


class ReferenceDataError(Invalid):
    """A reference-data row (state, membership, bilateral treaty, instrument) fails validation."""


class InvalidRequest(Invalid):
    """A request's inputs cannot be understood (unknown type, measure, state code, capital value
    …)."""


class EvidenceError(Invalid):
    """An evidence item or chain-of-custody entry is incomplete or inconsistent."""


class MissingFields(Conflict):
    """A document cannot be rendered because required fields are empty; `fields` names each one."""

    def __init__(self, document: str, fields: tuple[str, ...]) -> None:
        self.document = document
        self.fields = fields
        super().__init__(
            f"cannot render the {document.replace('_', ' ')}: missing required field(s): "
            f"{', '.join(fields)} — fill them in and render again"
        )
