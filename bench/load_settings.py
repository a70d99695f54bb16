"""Settings for bench/load.py only: the project's production settings over plain HTTP on loopback, plus the
bench URLconf with the minimal ceiling view. Never used by a deployment.
"""

import os

from workbench.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.load_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# Loopback HTTP: no TLS redirect, and cookies that a plain-HTTP client sends back.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STATIC_ROOT = os.environ.get("LOAD_STATIC_ROOT", str(STATIC_ROOT))  # noqa: F405
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("LOAD_QUEUE", "wb-load")
# Every task to the benchmark's own queue (the one its worker consumes), not to the shared named queues.
CELERY_TASK_ROUTES = {name: {"queue": CELERY_TASK_DEFAULT_QUEUE} for name in CELERY_TASK_ROUTES}  # noqa: F405
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
