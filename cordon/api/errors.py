"""Every refusal as ``{"error": {"kind", "message"}}`` with its status (SPEC §10.1, §13).

The four domain kinds map to 422, 403, 404 and 409; a refusal about something the actor may not
see answers 404 with the words of "not found" — never a hint that it exists. No credentials are
401, a body over the limit 413; a defect is 500 with no detail (the details go to the log).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from cases.kernel.errors import CordonError, ErrorKind, Forbidden, NotFound

STATUS = {
    ErrorKind.INVALID: 422,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.UNAVAILABLE: 503,
}
HTTP_KINDS = {401: "unauthenticated", 404: "not_found", 405: "invalid", 413: "too_large"}
log = logging.getLogger("cordon.api")


class ErrorDetail(BaseModel):
    kind: str
    message: str


class ErrorBody(BaseModel):
    """What every refusal answers."""

    error: ErrorDetail


def error_response(
    status: int, kind: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = ErrorBody(error=ErrorDetail(kind=kind, message=message)).model_dump()
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def not_found_words(entity: str) -> str:
    """Not found, in words that echo nothing the caller sent (no id: SPEC §13)."""
    return f"no such {entity.replace('_', ' ')}" if entity else "not found"


def install(app: FastAPI) -> None:
    @app.exception_handler(CordonError)
    async def domain_error(_: Request, error: CordonError) -> JSONResponse:
        if isinstance(error, Forbidden) and error.conceals:
            return error_response(404, "not_found", not_found_words(error.entity_type))
        if isinstance(error, NotFound):
            return error_response(404, "not_found", not_found_words(error.entity))
        return error_response(STATUS[error.kind], error.kind.value, str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
        message = f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
        return error_response(422, ErrorKind.INVALID.value, message)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException) -> JSONResponse:
        kind = HTTP_KINDS.get(error.status_code, "invalid")
        return error_response(error.status_code, kind, str(error.detail), error.headers)

    @app.exception_handler(Exception)
    async def defect(request: Request, error: Exception) -> JSONResponse:
        log.exception("internal error answering %s %s", request.method, request.url.path)
        return error_response(500, "internal", "internal error (details are in the server's log)")


REFUSALS = {
    401: {"model": ErrorBody, "description": "No credentials, or unknown or revoked ones."},
    403: {"model": ErrorBody, "description": "The actor may not do this (SPEC §10.1)."},
    404: {"model": ErrorBody, "description": "No such thing, or one the actor may not see."},
    409: {"model": ErrorBody, "description": "Its state does not allow the step."},
    422: {"model": ErrorBody, "description": "Bad input: the message names the field."},
}
