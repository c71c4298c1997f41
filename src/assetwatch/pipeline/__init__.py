"""The path from gateway to storage: bus, device directory, processor."""
