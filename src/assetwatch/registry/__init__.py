"""Registry: tenants, org units, counterparties, contracts, assets, devices and bindings.

One module per entity (``assets``, ``devices``, ``counterparties``, ``contracts``,
``org_units``, ``bindings``), each with keyword-only service functions that take the caller's
``scope`` and an open connection (the caller owns the transaction); ``models`` holds the API
schemas, ``views`` the thin routers, ``provisioning`` the declarative ``apply``.
"""
