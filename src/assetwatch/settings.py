"""Settings: one pydantic-settings class; environment variables are ``ASSETWATCH_*``."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Final, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assetwatch.errors import ConfigurationError

WEAK_WORDS: Final = ("changeme", "secret", "password", "assetwatch", "example", "12345")


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
    environment: Literal["production", "development"] = Field(
        "production",
        description="development: API calls without credentials act as the tenant's admin, "
        "and a missing secret_key is generated per process; never in production",
    )
    secret_key: SecretStr | None = Field(
        None, description="Signs access tokens: 32+ random characters (required in production)"
    )
    access_token_ttl_s: int = Field(900, ge=30, le=86400, description="Access token lifetime")
    refresh_token_ttl_s: int = Field(
        14 * 86400, ge=300, description="Refresh token lifetime (one use each, rotated)"
    )
    default_tenant: str = Field(
        "demo-bank", description="Development mode: tenant of calls without credentials"
    )
    late_after_s: float = Field(
        120.0, gt=0, description="Observations older than this when they arrive are late"
    )
    batch_max: int = Field(5000, gt=0, description="Most observations committed per batch")
    batch_wait_s: float = Field(0.02, gt=0, description="Longest wait to fill a batch")
    tcp_max_frame_bytes: int = Field(
        4096, ge=64, le=1 << 20, description="Longest device frame; longer ones are dropped"
    )
    tcp_idle_timeout_s: float = Field(
        600.0, gt=0, description="Close a device connection that sent no frame for this long"
    )
    tcp_partial_frame_timeout_s: float = Field(
        30.0, gt=0, description="Close a connection whose unfinished frame is older than this"
    )
    tcp_max_connections_per_ip: int = Field(
        5000, ge=0, description="Open device connections allowed per IP address; 0 = no limit"
    )
    command_poll_s: float = Field(
        2.0, gt=0, description="How often queued commands are checked for online devices"
    )
    command_reply_timeout_s: float = Field(
        60.0, gt=0, description="A sent command with no answer by then is sent again"
    )
    command_max_attempts: int = Field(
        3, ge=1, description="Deliveries of one command before it fails for lack of answer"
    )
    log_level: str = Field("INFO", description="Python logging level")
    # alarms and notifications (docs/alarms.md, docs/notifications.md)
    alarm_auto_resolve: list[Literal["offline", "geofence_exit"]] = Field(
        ["offline", "geofence_exit"],
        description="Alarm types closed by the platform: offline when the device reports "
        "again, geofence_exit when the asset is back inside the allowed place",
    )
    # trajectory analytics (docs/analytics.md) until monitoring profiles set them
    stay_radius_m: float = Field(100.0, gt=0, description="How far a stay's fixes may spread")
    stay_min_duration_s: float = Field(300.0, gt=0, description="Shortest stop that is a stay")
    stay_max_gap_s: float = Field(
        3600.0, gt=0, description="A longer silence ends a stay unless the asset is still there"
    )
    stay_moving_speed_kmh: float = Field(
        5.0, gt=0, description="A step faster than this is arriving or leaving, not staying"
    )
    risk_point_dwell_s: float = Field(
        1800.0, ge=0, description="Time at a risk point (pawn shop...) that raises an alarm"
    )
    notify_poll_s: float = Field(1.0, gt=0, description="How often the outbox is checked")
    notify_max_attempts: int = Field(
        8, ge=1, description="Delivery attempts of a notification before its dead letter"
    )
    notify_backoff_s: float = Field(
        5.0, gt=0, description="First retry delay; doubled per attempt, with jitter"
    )
    notify_backoff_cap_s: float = Field(3600.0, gt=0, description="Longest retry delay")
    notify_lease_s: float = Field(
        60.0,
        gt=0,
        description="A notification being sent is re-tried after this if its "
        "sender died (delivery is at least once)",
    )
    storm_window_s: float = Field(600.0, gt=0, description="Storm window per asset and alarm type")
    storm_limit: int = Field(
        5,
        ge=1,
        description="New alarms of one asset and type notified per storm window; "
        "the rest are counted and summarised once the window ends",
    )
    notify_retrospective: bool = Field(
        False, description="Notify alarms found by retrospective re-analysis of late data"
    )
    public_url: str | None = Field(
        None, description="Base URL of the API/dashboard, for links in notifications"
    )
    # HTTP and MQTT ingestion (docs/http.md, docs/mqtt.md)
    http_port: int = Field(
        5055, ge=0, le=65535, description="HTTP ingestion port (OsmAnd, JSON v1); 0 = free port"
    )
    http_require_token: bool = Field(
        False, description="Refuse HTTP reports of provisioned devices that have no token"
    )
    osmand_speed_unit: Literal["kn", "kmh", "mps", "mph"] = Field(
        "kn", description="Unit of the OsmAnd speed parameter (Traccar Client: knots)"
    )
    mqtt_url: str | None = Field(
        None, description="Broker to subscribe to: mqtt[s]://user:pass@host:port; None = off"
    )
    mqtt_topic_prefix: str = Field(
        "assetwatch/v1", pattern=r"^[^#+]*[^#+/]$", description="Topic prefix of device messages"
    )
    mqtt_client_id: str = Field(
        "assetwatch-platform",
        min_length=1,
        max_length=64,
        description="Stable MQTT client id: the broker keeps the persistent session under it",
    )
    # device trust (docs/security-devices.md)
    device_rate_per_s: float = Field(
        50.0, ge=0, description="Frames (TCP) or requests (HTTP) per second of one device; 0 = off"
    )
    device_rate_burst: int = Field(
        500, ge=1, description="Frames or requests one device may send at once (a backlog)"
    )
    ip_rate_per_s: float = Field(
        2000.0, ge=0, description="Frames or requests per second of one IP address; 0 = off"
    )
    ip_rate_burst: int = Field(
        10_000, ge=1, description="Frames or requests one IP address may send at once"
    )
    tls_certfile: Path | None = Field(
        None, description="PEM certificate (chain): the API and HTTP ingestion speak HTTPS"
    )
    tls_keyfile: Path | None = Field(None, description="PEM private key of tls_certfile")
    mqtt_tls_ca_file: Path | None = Field(
        None, description="CA that signed the broker's certificate (mqtts://); default: system"
    )

    @model_validator(mode="after")
    def _tls_pair(self) -> Settings:
        if (self.tls_certfile is None) != (self.tls_keyfile is None):
            raise ValueError("tls_certfile and tls_keyfile go together: set both or neither")
        return self

    @cached_property
    def token_secret(self) -> str:
        """``secret_key``, checked; ``ConfigurationError`` when weak outside development."""
        key = None if self.secret_key is None else self.secret_key.get_secret_value()
        if self.environment == "development" and key is None:
            return secrets.token_urlsafe(32)
        problem = weak_secret(key)
        if problem is not None:
            raise ConfigurationError(
                f"ASSETWATCH_SECRET_KEY {problem}; generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        assert key is not None
        return key


def weak_secret(key: str | None) -> str | None:
    """Why ``key`` is too weak to sign tokens, or ``None`` when it will do."""
    if key is None:
        return "is not set"
    if len(key) < 32:
        return "is shorter than 32 characters"
    if len(set(key)) < 12:
        return "repeats too few characters to be random"
    if any(word in key.lower() for word in WEAK_WORDS):
        return "contains a well-known word"
    return None
