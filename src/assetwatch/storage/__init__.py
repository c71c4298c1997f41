"""Storage: engine, schema, migrations and hot-path repositories."""
