"""Settings for pytest (pyproject.toml): the local settings, on the embedded default unless DATABASE_URL
and CELERY_BROKER_URL point at the real stack. Subprocesses the suite starts (settings probes, real Celery
workers) name their own settings module.
"""

import os
import uuid

from .local import *  # noqa: F403
from .local import CACHES

# Mail is kept in django.core.mail.outbox (pytest-django sets this too; stated here for scripts run with it).
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# On the real stack the cache is a Redis that other runs (and other people's) share: this run's keys get a
# prefix of their own, inherited by the processes it starts (WORKBENCH_TEST_CACHE_PREFIX), so that two
# processes of one test see one cache and no other run's.
if CACHES["default"]["BACKEND"] != "django.core.cache.backends.locmem.LocMemCache":
    CACHES = {
        "default": {
            **CACHES["default"],
            "KEY_PREFIX": os.environ.setdefault(
                "WORKBENCH_TEST_CACHE_PREFIX", f"wb-test-{uuid.uuid4().hex[:10]}"
            ),
        }
    }

# Sessions are read through the cache as on the real stack, also on the embedded default: the suite is one
# process, whose memory every test client shares, so this is safe here (and nowhere else: a deployment without
# Redis reads sessions from the database). Query counts measured by the tests are then the real stack's.
# tests/foundation/test_sessions.py checks the deployed choices, in processes of their own.
SESSION_ENGINE = "workbench.sessions"
