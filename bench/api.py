"""Benchmark of the HTTP API (issue 12), measured side by side in one run:

- ``POST /api/v1/alerts`` of 1,000-line bodies (JSON Lines, one alert source's key) to a real
  uvicorn server: requests/s and alert lines/s, each push one ``intake`` flow run;
- the same lines through ``cordon ingest``: the whole file through the ``intake`` flow in one
  process, and one ``cordon ingest`` subprocess per 1,000-line file (what a source without the
  API would have to run), against the same Prefect server;
- the latency of ``GET /api/v1/cases`` (a coordinator's token, the first page of 100) once the
  alerts are in: p50 and p99 of sequential requests.

    python bench/api.py [--bodies 20] [--lines 1000] [--requests 300] [--backends sqlite]

Every run starts from a fresh database with the Balkans scenario loaded (PostgreSQL: a database
created under ``CORDON_BENCH_POSTGRES_URL`` and dropped afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from cordon.runtime import configure_environment  # noqa: E402

configure_environment(verbose=False)

import httpx  # noqa: E402
from intake import fresh_database, write_alerts  # noqa: E402

SOURCE = "BENCH-customs"


def one_source(path: Path, out: Path) -> int:
    """The generated lines as one source's alerts (refs kept unique); how many lines."""
    count = 0
    with path.open(encoding="utf-8") as lines, out.open("w", encoding="utf-8") as target:
        for line in lines:
            try:
                alert = json.loads(line)
            except ValueError:
                alert = None
            if isinstance(alert, dict) and isinstance(alert.get("source"), str):
                alert["source_ref"] = f"{alert['source']}:{alert.get('source_ref')}"
                alert["source"] = SOURCE
                line = json.dumps(alert, ensure_ascii=False) + "\n"
            target.write(line)
            count += 1
    return count


def chunks(path: Path, size: int) -> list[bytes]:
    lines = path.read_bytes().splitlines(keepends=True)
    return [b"".join(lines[i : i + size]) for i in range(0, len(lines), size)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def push_bodies(base: str, key: str, bodies: list[bytes]) -> tuple[float, int]:
    started = time.perf_counter()
    accepted = 0
    with httpx.Client(timeout=600) as client:
        for body in bodies:
            answer = client.post(
                f"{base}/api/v1/alerts",
                content=body,
                headers={"X-API-Key": key, "Content-Type": "application/x-ndjson"},
            )
            answer.raise_for_status()
            accepted += answer.json()["accepted"]
    return time.perf_counter() - started, accepted


def case_latencies(base: str, token: str, requests: int) -> list[float]:
    took = []
    with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
        client.get(f"{base}/api/v1/cases").raise_for_status()  # warm
        for _ in range(requests):
            started = time.perf_counter()
            client.get(f"{base}/api/v1/cases", params={"limit": 100}).raise_for_status()
            took.append(time.perf_counter() - started)
    return took


def cli_per_file(files: list[Path], env: dict[str, str]) -> float:
    started = time.perf_counter()
    for path in files:
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "cordon"), "ingest", str(path), "--json"],
            check=True,
            capture_output=True,
            env=env,
            cwd=ROOT,
        )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bodies", type=int, default=20)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)

    from prefect.testing.utilities import prefect_test_harness

    from cases.kernel.actor import OPERATOR
    from cases.kernel.credentials import add_source, issue_token
    from cases.kernel.db import unit_of_work
    from cordon.app import run_flow
    from flows.intake import intake
    from tests.serving import http_app, serving

    with (
        tempfile.TemporaryDirectory(prefix="cordon-bench-api-") as tmp,
        prefect_test_harness(server_startup_timeout=120),
    ):
        workdir = Path(tmp)
        generated, lines = workdir / "generated.jsonl", workdir / "alerts.jsonl"
        write_alerts(generated, args.bodies * args.lines, args.seed)
        total = one_source(generated, lines)
        bodies = chunks(lines, args.lines)
        files = []
        for number, body in enumerate(bodies):
            files.append(workdir / f"part-{number:03d}.jsonl")
            files[-1].write_bytes(body)
        print(f"{total:,} alert lines in {len(bodies)} bodies of {args.lines}")
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            with fresh_database(backend, workdir):
                with unit_of_work() as session:
                    key = add_source(session, OPERATOR, name=SOURCE)
                    token = issue_token(session, OPERATOR, email="ana.kovac@carina.hr.example")
                with serving(http_app()) as base:
                    pushed_s, accepted = push_bodies(base, key, bodies)
                    took = case_latencies(base, token, args.requests)
            with fresh_database(backend, workdir):
                started = time.perf_counter()
                summary = run_flow(intake, path=str(lines))
                flow_s = time.perf_counter() - started
            with fresh_database(backend, workdir) as url:
                env = {**os.environ, "CORDON_DATABASE_URL": url}
                per_file_s = cli_per_file(files, env)
            assert summary["accepted"] == accepted, (summary["accepted"], accepted)
            print(f"\n{backend}: {accepted:,} alerts accepted of {total:,} lines")
            print(
                f"  POST /api/v1/alerts   {len(bodies) / pushed_s:6.2f} requests/s "
                f"{total / pushed_s:8.0f} lines/s  ({pushed_s:.1f} s)"
            )
            print(
                f"  intake flow, one file {total / flow_s:23.0f} lines/s  ({flow_s:.1f} s)  "
                f"API/flow {flow_s / pushed_s:.2f}"
            )
            print(
                f"  cordon ingest a file  {len(files) / per_file_s:6.2f} files/s    "
                f"{total / per_file_s:8.0f} lines/s  ({per_file_s:.1f} s)  "
                f"API/CLI {per_file_s / pushed_s:.2f}"
            )
            print(
                f"  GET /api/v1/cases     p50 {1000 * statistics.median(took):.1f} ms, "
                f"p99 {1000 * percentile(took, 0.99):.1f} ms over {len(took)} requests"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
