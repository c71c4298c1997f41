"""Settings: one pydantic-settings class; environment variables are ``ASSETWATCH_*``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of a running platform. See docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="ASSETWATCH_", extra="ignore")

    data_dir: Path = Field(Path("./data"), description="Where the embedded SQLite file lives")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite in data_dir"
    )
    host: str = Field("127.0.0.1", description="Address the servers listen on")
    jt808_port: int = Field(6808, ge=0, le=65535, description="JT/T 808 TCP port; 0 = free port")
    gt06_port: int = Field(5023, ge=0, le=65535, description="GT06 TCP port; 0 = free port")
    api_port: int = Field(8080, ge=0, le=65535, description="HTTP API port; 0 = free port")
    unknown_devices: Literal["quarantine", "reject"] = Field(
        "quarantine", description="What to do with frames from devices nobody provisioned"
    )
    default_tenant: str = Field("demo-bank", description="Tenant used when a request names none")
    late_after_s: float = Field(
        120.0, gt=0, description="Observations older than this when they arrive are late"
    )
    batch_max: int = Field(5000, gt=0, description="Most observations committed per batch")
    batch_wait_s: float = Field(0.02, gt=0, description="Longest wait to fill a batch")
    log_level: str = Field("INFO", description="Python logging level")
