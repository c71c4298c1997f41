"""assetwatch: IoT monitoring of financed assets."""

__version__ = "0.1.0"
