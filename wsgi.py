"""WSGI entry point for gunicorn: `gunicorn wsgi:app`."""

from planner import create_app
from planner.heap import freeze_startup_heap

app = create_app()
freeze_startup_heap()  # the start-up heap stays out of the collector's full passes (planner/heap.py)
