"""Errors of the legal-cooperation core: each carries one line saying what is wrong and how to "
"fix it."""

from cases.kernel.errors import CordonError


class LegalCooperationError(ValueError, CordonError):
    """A user mistake or bad data in legal cooperation; the message is one line, fit for stderr
    (a `CordonError`, so the CLI prints it as one line and exits non-zero)."""


class ReferenceDataError(LegalCooperationError):
    """A reference-data row (state, membership, bilateral treaty, instrument) fails validation."""


class InvalidRequest(LegalCooperationError):
    """A request's inputs cannot be understood (unknown type, measure, state code, capital value "
    "…)."""


class IllegalTransition(LegalCooperationError):
    """A lifecycle or evidence status change that the state machine does not allow."""


class EvidenceError(LegalCooperationError):
    """An evidence item or chain-of-custody entry is incomplete or inconsistent."""


class MissingFields(LegalCooperationError):
    """A document cannot be rendered because required fields are empty; `fields` names each one."""

    def __init__(self, document: str, fields: tuple[str, ...]) -> None:
        self.document = document
        self.fields = fields
        super().__init__(
            f"cannot render the {document.replace('_', ' ')}: missing required field(s): "
            f"{', '.join(fields)} — fill them in and render again"
        )
