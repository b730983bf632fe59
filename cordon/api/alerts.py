"""Alert sources push alerts (SPEC §13): ``POST /api/v1/alerts`` runs the ``intake`` flow.

The body is JSON Lines (``application/x-ndjson``) or one JSON array of alert objects, at most
``MAX_BODY_BYTES``; a larger body is refused with 413 before anything is stored. Each line is
validated like a line of a file — a malformed body is quarantined line by line, never lost — and
a line whose ``source`` is not the key's own is quarantined with that reason. Posting the same
alerts again stores nothing new (``(source, source_ref)`` is unique): on a 5xx or a lost answer,
a source simply posts again.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from cases.intake.public import IngestSummary
from cordon.api.doors import Source
from cordon.app import ready_engine, run_flow
from cordon.runtime import VAR_DIR

MAX_BODY_BYTES = 16 * 1024 * 1024
router = APIRouter(tags=["alerts"])


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, detail=f"a body holds at most {MAX_BODY_BYTES} bytes")
    received = bytearray()
    async for chunk in request.stream():
        received.extend(chunk)
        if len(received) > MAX_BODY_BYTES:
            raise HTTPException(413, detail=f"a body holds at most {MAX_BODY_BYTES} bytes")
    return bytes(received)


def as_lines(body: bytes, content_type: str) -> bytes:
    """The body as JSON Lines: a JSON array becomes one line per element; anything else is read
    line by line, as a file would be (what does not parse is quarantined with its line)."""
    if "json" in content_type and "ndjson" not in content_type and body.lstrip()[:1] == b"[":
        try:
            items = json.loads(body)
        except ValueError:
            return body
        if isinstance(items, list):
            return b"".join(
                json.dumps(item, ensure_ascii=False).encode("utf-8") + b"\n" for item in items
            )
    return body


@router.post(
    "/alerts",
    summary="Push alerts (JSON Lines or a JSON array); runs the intake flow",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        }
    },
    responses={413: {"description": f"The body is over {MAX_BODY_BYTES} bytes; nothing stored."}},
)
async def push_alerts(request: Request, source: Source) -> IngestSummary:
    """The SPEC §5 summary of this push. A source learns counts and reasons, not case ids."""
    lines = as_lines(await _body(request), request.headers.get("content-type", ""))
    push_id = uuid.uuid4().hex
    spool = VAR_DIR / "spool"
    spool.mkdir(parents=True, exist_ok=True)
    path = spool / f"{push_id}.jsonl"
    path.write_bytes(lines)
    try:
        summary = await run_in_threadpool(_ingest, path, source.name, push_id)
    finally:
        path.unlink(missing_ok=True)
    return IngestSummary.model_validate({**summary, "case_ids": []})


def _ingest(path: Path, source: str, push_id: str) -> dict[str, Any]:
    ready_engine()
    from flows.intake import intake

    origin = f"api:{source}:{push_id}"
    result: dict[str, Any] = run_flow(intake, path=str(path), source=source, origin=origin)
    return result
