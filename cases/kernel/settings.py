"""Cordon's configuration, read from the environment (CORDON_*) by pydantic-settings."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every variable is documented in the README."""

    model_config = SettingsConfigDict(env_prefix="CORDON_", extra="ignore")

    database_url: str = "sqlite:///./var/cordon.db"
    mail_url: str = "file:./var/mail"
    mail_from: str = "cordon@localhost"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
