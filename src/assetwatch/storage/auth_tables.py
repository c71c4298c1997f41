"""Tables of access control and of the audit log (issue 6).

``users`` log in (argon2id password hash, optional TOTP) and hold one role; ``user_org_units``
are the org-unit subtrees a user is granted (none: tenant-wide). ``refresh_tokens`` are the
long-lived halves of a login, stored hashed and rotated on every use; ``api_keys`` are for
integrations, stored hashed, each with its own role and org units. ``audit_log`` is
append-only: rows are inserted, never updated or deleted by the platform.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    false,
)

from assetwatch.storage.tables_base import metadata, tenant_fk

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("username", String(100), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False, server_default=""),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(20), nullable=False),  # auth.roles.ROLES
    Column("totp_secret", String(64), nullable=True),
    Column("totp_last_step", BigInteger, nullable=True),  # a code is accepted once
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until_ms", BigInteger, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("password_changed_ms", BigInteger, nullable=False),
)

user_org_units = Table(
    "user_org_units",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("org_unit_id", Integer, ForeignKey("org_units.id"), primary_key=True),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 hex
    Column("family", String(32), nullable=False, index=True),  # one login's chain
    Column("issued_ms", BigInteger, nullable=False),
    Column("expires_ms", BigInteger, nullable=False),
    Column("used_ms", BigInteger, nullable=True),  # rotated: a second use is a theft
    Column("revoked_ms", BigInteger, nullable=True),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("prefix", String(16), nullable=False, unique=True),  # shown in lists, not secret
    Column("key_hash", String(64), nullable=False),  # SHA-256 hex of the whole key
    Column("name", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("org_unit_ids", JSON, nullable=False),  # [] for tenant-wide
    Column("created_by", String(100), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("expires_ms", BigInteger, nullable=True),
    Column("revoked_ms", BigInteger, nullable=True),
    Column("last_used_ms", BigInteger, nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=True, index=True),
    Column("time_ms", BigInteger, nullable=False),
    Column("actor", String(100), nullable=False),  # user:NAME, key:PREFIX, cli:OSUSER, system
    Column("source", String(100), nullable=True),  # the caller's IP, or "cli"
    Column("action", String(60), nullable=False),  # e.g. login, asset.upsert, command.approve
    Column("target", String(200), nullable=True),  # kind:key of what was acted on
    Column("outcome", String(20), nullable=False),  # ok | denied | failed
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("details", JSON, nullable=False),
    Index("ix_audit_log_tenant_time", "tenant_id", "time_ms"),
)
