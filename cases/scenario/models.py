"""The scenario's own tables beyond contacts and the task force: the watchlist."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class WatchlistEntry(SQLModel, table=True):
    __tablename__ = "watchlist"

    type: str = Field(primary_key=True)  # vessel, company, person, euc, firearm
    identifier: str = Field(primary_key=True)  # the normalised strong identifier (SPEC §5 step 4)
    note: str = ""
