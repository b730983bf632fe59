"""The HTTP API, ``/api/v1`` (SPEC §13): the CLI's use cases over HTTP, with the same actors, the
same JSON shapes and the same refusals; one router per area (cases, alerts, legal, planning,
oversight), the error answers (errors), who is calling (doors). ``cordon serve`` mounts it."""

from __future__ import annotations

from fastapi import FastAPI

from cordon.api import alerts, cases, errors, legal, oversight, planning


def create_api() -> FastAPI:
    """``/api/v1`` as its own application (mounted by ``cordon serve``), so that its OpenAPI
    document, at ``/api/v1/openapi.json``, describes exactly the API."""
    api = FastAPI(
        title="Cordon API",
        version="1",
        summary="Cases, legal requests and inspection plans for cross-border SALW task forces.",
        description=(
            "Every call acts as the caller (SPEC §10.1): a person with a personal token "
            "(`Authorization: Bearer …`, `cordon users token EMAIL`), or an alert source with its "
            "key (`X-API-Key: …`, `cordon sources add NAME`). Answers are the CLI's `--json` "
            'shapes; refusals are `{"error": {"kind", "message"}}` with 401, 403, 404, 409 '
            "or 422, and something the caller may not see is 404, never a hint."
        ),
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        responses=errors.REFUSALS,  # type: ignore[arg-type]
    )
    errors.install(api)
    for area in (cases, alerts, legal, planning, oversight):
        api.include_router(area.router)
    return api
