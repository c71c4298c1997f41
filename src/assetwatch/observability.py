"""Prometheus metrics of one platform instance (its own registry, so tests can run several)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.frames = Counter(
            "assetwatch_frames_total", "Device frames received", ["protocol", "result"], registry=r
        )
        self.observations = Counter(
            "assetwatch_observations_total",
            "Observations stored, live or late (copies received again are counted in"
            " assetwatch_duplicate_observations_total instead)",
            ["timing"],
            registry=r,
        )
        self.alarms = Counter(
            "assetwatch_alarms_total",
            "New alarms opened (repeats not counted)",
            ["type"],
            registry=r,
        )
        self.commit_seconds = Histogram(
            "assetwatch_commit_seconds",
            "Processor batch commit latency",
            registry=r,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
        )
        self.batch_failures = Counter(
            "assetwatch_batch_failures_total", "Processor batches rolled back", registry=r
        )
        self.connections = Gauge(
            "assetwatch_connections", "Open device connections", ["protocol"], registry=r
        )
        self.commands = Counter(
            "assetwatch_commands_total",
            "Command downlink outcomes: sent, acked, failed, unsupported, retried, expired",
            ["protocol", "outcome"],
            registry=r,
        )
        self.connections_closed = Counter(
            "assetwatch_connections_closed_total",
            "Device connections closed by a limit: ip_limit, idle, slow_sender, slow_reader",
            ["protocol", "reason"],
            registry=r,
        )
        self.device_refusals = Counter(
            "assetwatch_device_refusals_total",
            "Device messages refused: unknown, revoked, wrong_auth_code, not_authenticated",
            ["protocol", "reason"],
            registry=r,
        )
        self.rate_limited = Counter(
            "assetwatch_rate_limited_total",
            "Frames (TCP) or requests (HTTP) dropped over a rate limit, per device or per IP",
            ["protocol", "scope"],
            registry=r,
        )
        self.duplicates = Counter(
            "assetwatch_duplicate_observations_total",
            "Observations received again (retransmitted or replayed) and not stored again",
            registry=r,
        )
        self.bus_pending = Gauge("assetwatch_bus_pending", "Observations waiting", registry=r)
        self.dead_letters = Counter(
            "assetwatch_dead_letters_total",
            "Malformed MQTT messages moved to the dead-letter topic",
            ["protocol", "reason"],
            registry=r,
        )
        self.notifications = Counter(
            "assetwatch_notifications_total",
            "Notification delivery attempts: delivered, retry, dead; by channel kind",
            ["channel", "outcome"],
            registry=r,
        )
        self.notifications_queued = Counter(
            "assetwatch_notifications_queued_total",
            "Notifications written to the outbox, by kind (alarm, escalation, summary, digest)",
            ["kind"],
            registry=r,
        )
        self.notifications_suppressed = Counter(
            "assetwatch_notifications_suppressed_total",
            "Alarms not notified one by one because of the storm limit",
            registry=r,
        )
        self.outbox_pending = Gauge(
            "assetwatch_outbox_pending", "Notifications due and not yet delivered", registry=r
        )
        self.notification_latency = Histogram(
            "assetwatch_notification_latency_seconds",
            "From outbox row to successful delivery",
            registry=r,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
        )
        self.requests = Counter(
            "assetwatch_ingest_requests_total",
            "HTTP ingestion requests by response status",
            ["protocol", "status"],
            registry=r,
        )
