"""Settings for the Celery worker that the realstack tests start: the project's, on a queue of the test's own.

Test-only. The queue name comes from WORKBENCH_TEST_QUEUE, so concurrent test runs (and other people's workers
on the same Redis) never take each other's messages.
"""

import os

from workbench.settings.test import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("WORKBENCH_TEST_QUEUE", "celery")
