"""The app with its one clock held at BENCH_NOW (an ISO instant), for benches of a clinic generated in the future.

    BENCH_NOW=2030-01-14T12:00:00+00:00 gunicorn -w 4 bench.fixed_clock_app:app

The synthetic clinic lies in 2030 so that booking benches on the real clock can book into it; a
calendar feed shows a window around now, so the feed bench serves it as of a day inside the clinic.
"""

import os
from datetime import datetime

from planner import clock, create_app

_NOW = datetime.fromisoformat(os.environ["BENCH_NOW"])
clock.now = lambda: _NOW

app = create_app()
