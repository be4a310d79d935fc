"""The settings of the benchmark's gunicorn: production settings plus the query counter.

`tests/bench/server.py` starts gunicorn with DJANGO_SETTINGS_MODULE=tests.bench.settings;
nothing else uses this module, and talentnet/settings.py knows nothing of the benchmark.
The counter is the outermost middleware so the session, authentication and messages
queries are counted too (tests/bench/middleware.py).
"""

from talentnet.settings import *  # noqa: F403 - the production settings, unchanged
from talentnet.settings import MIDDLEWARE

MIDDLEWARE = ["tests.bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
