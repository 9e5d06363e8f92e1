"""The yardstick for bench_reads: Flask's hello world, served by the same gunicorn as planner.

    gunicorn -w 4 bench.hello_app:app
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """The smallest answer Flask can give."""
    return "Hello, World!"
