"""Settings for the Celery workers (and beat) that the realstack tests start: the project's test settings, on
queues of the test run's own.

Test-only. The queue names come from WORKBENCH_TEST_QUEUE: each of the project's queues (imports, analysis,
synthesis) gets it as a prefix, so concurrent test runs (and other people's workers on the same Redis) never
take each other's messages. tests/realstack/conftest.py routes the test process's tasks the same way.
"""

import os

from workbench.settings.test import *  # noqa: F403
from workbench.settings.test import CELERY_TASK_ROUTES

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("WORKBENCH_TEST_QUEUE", "celery")


def queue_of(queue: str) -> str:
    return f"{CELERY_TASK_DEFAULT_QUEUE}-{queue}"


CELERY_TASK_ROUTES = {
    name: {**route, "queue": queue_of(route["queue"])} for name, route in CELERY_TASK_ROUTES.items()
}
