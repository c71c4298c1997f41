"""``python -m assetwatch`` is the ``assetwatch`` command."""

from assetwatch.cli.main import main

main()
