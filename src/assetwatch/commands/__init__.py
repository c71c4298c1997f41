"""The command downlink: a persisted queue per device, delivered when the device is online.

``service`` is what operators call (create, list, approve, cancel); ``delivery`` holds the
status transitions the dispatcher makes; ``dispatcher`` runs on the platform's event loop
and talks to online devices through :mod:`assetwatch.gateways.sessions`.

Status: ``queued → sent → acked | failed``; ``queued | sent → expired``;
``queued → cancelled``. Approval: ``not_required | pending → approved | rejected``; only
``not_required`` and ``approved`` commands are ever sent.
"""
