"""``cordon users …`` and ``cordon sources …``: who may use the HTTP API (SPEC §13).

Secrets are printed once, when they are made; Cordon keeps only their hashes. These commands are
the operator's (SPEC §10.1).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from cases.kernel.errors import Invalid
from cordon.app import JsonOption, acting, app
from cordon.output import console, emit_json

users_app = typer.Typer(help="People's credentials: web passwords and API tokens.")
sources_app = typer.Typer(help="Alert sources that push alerts over HTTP, and their API keys.")
app.add_typer(users_app, name="users", no_args_is_help=True)
app.add_typer(sources_app, name="sources", no_args_is_help=True)


@users_app.command("token")
def users_token(
    email: Annotated[
        str | None, typer.Argument(help="The contact (e-mail); leave out with --operator.")
    ] = None,
    operator: Annotated[
        bool, typer.Option("--operator", help="A token of the operator (full access).")
    ] = False,
    revoke: Annotated[
        bool, typer.Option("--revoke", help="Revoke every token of this holder instead.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Print a new personal API token (once), or revoke the holder's tokens."""
    from cases.kernel.credentials import issue_token, revoke_tokens

    if (email is None) == (not operator):
        raise Invalid("name a contact's e-mail address, or give --operator (not both)")
    with acting(None, writes=True) as (session, actor):
        if revoke:
            revoked = revoke_tokens(session, actor, email=email)
        else:
            token = issue_token(session, actor, email=email)
    holder = email or "the operator"
    if revoke:
        if json_output:
            emit_json({"holder": holder, "revoked": revoked})
        else:
            console.print(f"{revoked} token(s) of {holder} revoked", markup=False)
        return
    if json_output:
        emit_json({"holder": holder, "token": token})
        return
    console.print(f"token for {holder} (shown once; send it as 'Authorization: Bearer …'):")
    sys.stdout.write(token + "\n")


@users_app.command("set-password")
def users_set_password(
    email: Annotated[str, typer.Argument(help="The contact (e-mail).")],
) -> None:
    """Set a contact's web password: typed at a prompt, or read from standard input."""
    from cases.kernel.credentials import set_password

    if sys.stdin.isatty():
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with acting(None, writes=True) as (session, actor):
        set_password(session, actor, email=email, password=password)
    console.print(f"password of {email} set", markup=False)


@sources_app.command("add")
def sources_add(
    name: Annotated[str, typer.Argument(help="The source name its alerts carry (`source`).")],
    jurisdiction: Annotated[
        str | None, typer.Option("--jurisdiction", help="The reporting state (ISO code).")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Register an alert source and print its API key (once)."""
    from cases.kernel.credentials import add_source

    with acting(None, writes=True) as (session, actor):
        key = add_source(session, actor, name=name, jurisdiction=jurisdiction)
    if json_output:
        emit_json({"source": name, "key": key})
        return
    console.print(f"key for {name} (shown once; send it as 'X-API-Key: …'):", markup=False)
    sys.stdout.write(key + "\n")


@sources_app.command("list")
def sources_list(json_output: JsonOption = False) -> None:
    """The alert sources (never their keys)."""
    from cases.kernel.credentials import list_sources

    with acting(None, writes=False) as (session, actor):
        sources = list_sources(session, actor)
    if json_output:
        emit_json([s.__dict__ for s in sources])
        return
    table = Table(title_justify="left")
    for column in ("source", "jurisdiction", "added", "revoked"):
        table.add_column(column)
    for s in sources:
        table.add_row(s.name, s.jurisdiction or "", s.created_at or "", s.revoked_at or "")
    console.print(table)


@sources_app.command("revoke")
def sources_revoke(
    name: Annotated[str, typer.Argument(help="The source whose key to revoke.")],
    json_output: JsonOption = False,
) -> None:
    """Revoke a source's key (its alerts stay; it can no longer push)."""
    from cases.kernel.credentials import revoke_source

    with acting(None, writes=True) as (session, actor):
        item = revoke_source(session, actor, name=name)
    if json_output:
        emit_json(item.__dict__)
    else:
        console.print(f"key of {item.name} revoked", markup=False)
