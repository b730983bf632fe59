"""What the legal-request use cases answer besides the decision and request views (typed, so
every door prints the same JSON)."""

from __future__ import annotations

from pydantic import BaseModel


class RequestStep(BaseModel):
    """A lifecycle step or side event recorded on a request (``cordon requests advance``)."""

    request_id: str
    recorded: str
    on: str
    events: list[str]
