"""Benchmark of the ``intake`` flow (SPEC §9), measured side by side in one run:

- alerts/s end to end through the ``intake`` flow (Prefect tasks per batch step), on SQLite and on
  PostgreSQL, each in a fresh database with the Balkans scenario loaded;
- the ceiling: the same alert rows bulk-inserted raw (DBAPI ``executemany``, rows prepared before
  the clock starts) into the ``alerts`` table of a fresh database of the same kind; beside it the
  same rows through SQLAlchemy Core ``executemany`` (type processing per row, no other work);
- the naive design: one Prefect task per alert (validate, store, correlate each alone), on 2,000
  alerts — implemented here only, to compare;
- peak memory: the process's maximum RSS after each run, and Python's traced peak (tracemalloc)
  of an intake run at N/10 and at N alerts on SQLite, which shows memory bounded by the batch, not
  by the file.

    python bench/intake.py --alerts 100000 [--backends sqlite,postgresql] [--batch-size 2000]

PostgreSQL: ``CORDON_BENCH_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/
postgres``) is where a database is created for each run and dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from cordon.runtime import configure_environment  # noqa: E402

configure_environment(verbose=False)  # Prefect home and log files under ./var, before prefect

import alertgen  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

SCENARIO = ROOT / "examples" / "balkans"
POSTGRES_ADMIN_URL = os.environ.get(
    "CORDON_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


# --- databases ------------------------------------------------------------------------------------


@contextmanager
def fresh_database(backend: str, workdir: Path) -> Iterator[str]:
    """A new, migrated database with the scenario loaded; CORDON_DATABASE_URL points at it."""
    from cases.kernel.db import engine_for
    from cases.kernel.settings import get_settings

    name = f"cordon_bench_{uuid.uuid4().hex[:8]}"
    admin = None
    if backend == "sqlite":
        url = f"sqlite:///{workdir / (name + '.db')}"
    else:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    os.environ["CORDON_DATABASE_URL"] = url
    get_settings.cache_clear()
    engine_for.cache_clear()
    try:
        load_scenario()
        yield url
    finally:
        engine_for(url).dispose()
        engine_for.cache_clear()
        get_settings.cache_clear()
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            admin.dispose()


def load_scenario() -> None:
    from cases.kernel.db import get_engine
    from cases.reference.install import init_database
    from flows.load_scenario import SCENARIO_FILES, load_scenario_file

    init_database(get_engine())
    for name, _, _ in SCENARIO_FILES:
        if (SCENARIO / name).is_file():
            result = load_scenario_file.fn(str(SCENARIO), name)
            if not result["loaded"]:
                raise SystemExit(f"cannot load the scenario: {result['problems']}")


# --- the alerts -----------------------------------------------------------------------------------


def write_alerts(path: Path, count: int, seed: int) -> None:
    corridors = alertgen.load_corridors(SCENARIO / "corridors.csv")
    watchlist = alertgen.read_watchlist(SCENARIO / "watchlist.csv")
    with path.open("w", encoding="utf-8") as handle:
        for line in alertgen.generate_lines(
            count, seed, corridors=corridors, watchlist=watchlist, malformed_rate=0.01
        ):
            handle.write(line + "\n")


def raw_rows(path: Path) -> list[tuple[Any, ...]]:
    """The alert rows of a file, ready to insert (unique, parsed) — prepared before timing."""
    rows: dict[tuple[str, str], tuple[Any, ...]] = {}
    now = datetime.now().astimezone()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                alert = json.loads(line)
                observed = datetime.fromisoformat(alert["observed_at"])
                if observed.tzinfo is None:
                    continue
                key = (alert["source"], alert["source_ref"])
                row = (
                    *key,
                    observed,
                    now,
                    alert["jurisdiction"],
                    alert.get("corridor"),
                    alert["kind"],
                    json.dumps(alert.get("indicators", [])),
                    0.0,
                    "watch",
                    line.rstrip("\n"),
                )
            except (ValueError, KeyError, TypeError):
                continue
            rows.setdefault(key, row)
    return list(rows.values())


# --- the three measurements -----------------------------------------------------------------------


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_intake(path: Path, batch_size: int) -> dict[str, Any]:
    from cordon.app import run_flow
    from flows.intake import intake

    return run_flow(intake, path=str(path), batch_size=batch_size)  # type: ignore[no-any-return]


def raw_insert(url: str, rows: list[tuple[Any, ...]]) -> float:
    """Seconds to executemany the rows into ``alerts`` with the bare DBAPI driver."""
    columns = (
        "source, source_ref, observed_at, received_at, jurisdiction, corridor, kind, "
        "indicators, score, state, payload"
    )
    engine = create_engine(url) if not url.startswith("sqlite") else None
    if engine is None:
        import sqlite3

        connection: Any = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        statement = f"INSERT INTO alerts ({columns}) VALUES ({', '.join('?' * 11)})"
        # UtcDateTime stores naive UTC text on SQLite
        rows = [(*r[:2], _naive(r[2]), _naive(r[3]), *r[4:]) for r in rows]
        start = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        for at in range(0, len(rows), 10_000):
            connection.executemany(statement, rows[at : at + 10_000])
        connection.execute("COMMIT")
        seconds = time.perf_counter() - start
        connection.close()
        return seconds
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        placeholders = ", ".join(["%s"] * 7 + ["%s::json", "%s", "%s", "%s::json"])
        statement = f"INSERT INTO alerts ({columns}) VALUES ({placeholders})"
        start = time.perf_counter()
        for at in range(0, len(rows), 10_000):
            cursor.executemany(statement, rows[at : at + 10_000])
        raw.commit()
        return time.perf_counter() - start
    finally:
        raw.close()
        engine.dispose()


def core_insert(url: str, rows: list[tuple[Any, ...]]) -> float:
    """Seconds to insert the same rows with SQLAlchemy Core ``executemany`` (what any ingest
    written with SQLAlchemy pays at least: type processing per row)."""
    from cases.kernel.db import make_engine
    from cases.kernel.models import Alert

    table = Alert.__table__  # type: ignore[attr-defined]
    names = [c.name for c in table.columns if c.name != "id"]
    dicts = [
        dict(zip(names, (*r[:7], json.loads(r[7]), *r[8:10], json.loads(r[10])), strict=True))
        for r in rows
    ]
    engine = make_engine(url)
    try:
        start = time.perf_counter()
        with engine.begin() as connection:
            for at in range(0, len(dicts), 10_000):
                connection.execute(table.insert(), dicts[at : at + 10_000])
        return time.perf_counter() - start
    finally:
        engine.dispose()


def _naive(moment: datetime) -> str:
    from datetime import UTC

    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def run_naive(path: Path, count: int) -> tuple[float, int]:
    """One Prefect task per alert: each validated, stored and correlated on its own."""
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from cases.intake.merge import open_or_merge
    from cases.intake.store import store_alerts
    from cases.intake.validation import read_lines
    from cases.kernel.db import read_session, unit_of_work
    from cordon.app import run_flow
    from flows.intake import intake_reference

    @task(cache_policy=NO_CACHE)
    def ingest_one(line: Any, reference: Any) -> int:
        with unit_of_work() as session:
            stored = store_alerts(session, [line], reference)
        with unit_of_work() as session:
            open_or_merge(session, reference)
        return stored.accepted

    @flow(name="naive_intake")
    def naive_intake(file: str, limit: int) -> int:
        with read_session() as session:
            reference = intake_reference(session)
        accepted = 0
        with open(file, "rb") as handle:
            for number, line in enumerate(read_lines(handle, file)):
                if number >= limit:
                    break
                accepted += ingest_one(line, reference)
        return accepted

    return timed(lambda: run_flow(naive_intake, file=str(path), limit=count))


def warm_up_prefect() -> float:
    """Start the embedded Prefect server once, so no run below pays for it."""
    from prefect import flow

    from cordon.app import run_flow

    @flow(name="bench_warm_up")
    def nothing() -> None:
        return None

    seconds, _ = timed(lambda: run_flow(nothing))
    return seconds


# --- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--naive-alerts", type=int, default=2_000)
    parser.add_argument("--batch-size", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]

    with tempfile.TemporaryDirectory(prefix="cordon-bench-") as tmp:
        workdir = Path(tmp)
        alerts = workdir / "alerts.jsonl"
        seconds, _ = timed(lambda: write_alerts(alerts, args.alerts, args.seed))
        size_mib = alerts.stat().st_size / 2**20
        print(f"generated {args.alerts:,} alert lines ({size_mib:.1f} MiB) in {seconds:.1f} s")
        print(f"prefect embedded server start: {warm_up_prefect():.1f} s (not counted below)")
        print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")
        results = []
        for backend in backends:
            with fresh_database(backend, workdir):
                rss_before = maxrss_mib()
                cpu = time.process_time()
                seconds, summary = timed(lambda: run_intake(alerts, args.batch_size))
                cpu = time.process_time() - cpu
                rss_after = maxrss_mib()
            counts = {k: summary[k] for k in ("accepted", "rejected", "duplicates")}
            counts |= {k: summary[k] for k in ("cases_opened", "alerts_merged", "watch")}
            print(
                f"{backend}: intake {seconds:.1f} s ({cpu:.1f} s CPU in this process) for "
                f"{summary['received']:,} lines: {counts}"
            )
            rows = raw_rows(alerts)  # prepared before the clock starts
            with fresh_database(backend, workdir) as url:
                raw_seconds = raw_insert(url, rows)
            with fresh_database(backend, workdir) as url:
                core_seconds = core_insert(url, rows)
            with fresh_database(backend, workdir):
                naive_seconds, _ = run_naive(alerts, args.naive_alerts)
            results.append(
                {
                    "backend": backend,
                    "intake": summary["received"] / seconds,
                    "intake_cpu": summary["received"] / cpu,
                    "raw": len(rows) / raw_seconds,
                    "core": len(rows) / core_seconds,
                    "naive": args.naive_alerts / naive_seconds,
                    "rss": rss_after,
                    "rss_growth": rss_after - rss_before,
                }
            )
            del rows
        print()
        header = (
            f"{'backend':<11}{'intake/s':>10}{'raw insert/s':>14}{'of raw':>8}"
            f"{'core insert/s':>15}{'of core':>9}"
            f"{'task-per-alert/s':>18}{'speed-up':>10}{'max RSS MiB':>13}"
        )
        print(header)
        for r in results:
            print(
                f"{r['backend']:<11}{r['intake']:>10,.0f}{r['raw']:>14,.0f}"
                f"{r['intake'] / r['raw']:>8.2f}{r['core']:>15,.0f}{r['intake'] / r['core']:>9.2f}"
                f"{r['naive']:>18,.0f}"
                f"{r['intake'] / r['naive']:>9,.0f}x{r['rss']:>13,.0f}"
            )
        for r in results:
            print(
                f"{r['backend']}: intake per CPU second of this process {r['intake_cpu']:,.0f}/s; "
                f"max RSS grew {r['rss_growth']:,.0f} MiB during the intake run"
            )
        print(
            f"targets: intake ≥ 1/3 of raw insert on SQLite; ≥ 100x one task per alert "
            f"({args.naive_alerts:,} alerts)"
        )
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")
        if not args.no_memory:
            print()
            for count in (max(args.alerts // 10, 1), args.alerts):
                part = workdir / f"part-{count}.jsonl"
                with alerts.open() as source, part.open("w") as target:
                    for number, line in enumerate(source):
                        if number >= count:
                            break
                        target.write(line)
                with fresh_database("sqlite", workdir):
                    tracemalloc.start()
                    run_intake(part, args.batch_size)
                    _, peak = tracemalloc.get_traced_memory()
                    tracemalloc.stop()
                print(
                    f"traced peak memory, intake of {count:,} lines (batch {args.batch_size:,}): "
                    f"{peak / 2**20:.1f} MiB"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
