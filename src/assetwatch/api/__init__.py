"""The REST API (FastAPI) under /api/v1."""
