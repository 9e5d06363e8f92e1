"""The server process's start-up heap, kept out of the cyclic garbage collector's full passes."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collect once, then move every object alive now to the collector's permanent generation.

    What exists once the app is built (modules, routes, SQLAlchemy's metadata, the templates'
    environment: some 170,000 objects) lives as long as the process. A full collection walks all of
    them, about 60 ms, and one falls in the middle of a request every few dozen: the p95 of the
    busiest pages (the site grid: 90 ms, 31 ms with them frozen; docs/performance.md). Reference
    counting still frees them as usual; only cycles among them would stay, and they are built once.
    Called once, by the server's entry point (wsgi.py), never per app: the tests build many apps.
    """
    gc.collect()
    gc.freeze()
