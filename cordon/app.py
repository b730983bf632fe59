"""The Typer application and what every command module shares: options, the database, flows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cordon.runtime import configure_environment

if TYPE_CHECKING:
    from sqlmodel import Session

    from cases.kernel.actor import Actor

app = typer.Typer(
    name="cordon",
    help="Case management and interdiction coordination for cross-border SALW task forces.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]


@dataclass
class Options:
    verbose: bool = False


options = Options()


class ExitWith(Exception):
    """A command finished with a non-zero exit status and has already said why."""

    def __init__(self, code: int) -> None:
        self.code = code


@app.callback()
def main_options(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show Prefect's log lines and tracebacks.")
    ] = False,
) -> None:
    options.verbose = verbose
    configure_environment(verbose=verbose)


_READY: dict[str, Any] = {}  # URL → the engine this process has brought up to date


def ready_engine() -> Any:
    """The configured database, initialised when it is empty or behind (SPEC §2) — checked
    once per engine and process (an HTTP server asks on every request)."""
    from cases.kernel.db import get_engine
    from cases.reference.install import ensure_database

    engine = get_engine()
    url = engine.url.render_as_string(hide_password=False)
    if _READY.get(url) is not engine:
        ensure_database(engine)
        _READY[url] = engine
    return engine


def run_flow(flow: Any, **parameters: Any) -> Any:
    """Run a Prefect flow in this process (embedded server unless PREFECT_API_URL is set)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    # A sync flow waits up to a second for its heartbeat thread (domain/prefect.md P1); a CLI run
    # is watched by the person who started it.
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        return flow(**parameters)


AsOption = Annotated[
    str | None,
    typer.Option(
        "--as", help="Answer as this contact (e-mail) may see it; default: as the operator."
    ),
]
ByOption = Annotated[
    str | None,
    typer.Option("--by", help="The contact (e-mail) doing this; default: the operator."),
]


@contextmanager
def acting(email: str | None, *, writes: bool) -> Iterator[tuple[Session, Actor]]:
    """The door: one unit of work (``writes``) or read session, and the actor it names — a contact
    by e-mail, or the operator. An address that is no active contact is refused (exit 3) and
    recorded as a ``denied`` attempt."""
    from cases.kernel.actor import resolve
    from cases.kernel.db import read_session, unit_of_work

    engine = ready_engine()
    if writes:
        import notifications.outbox  # noqa: F401  (the outbox hears the use cases' events)

        with unit_of_work(engine) as session:
            yield session, resolve(session, email)
    else:
        with read_session(engine) as session:
            yield session, resolve(session, email)
