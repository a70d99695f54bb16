"""gunicorn settings, read from the working directory by `gunicorn workbench.wsgi:application`.

Sync workers: the workspace render is CPU-bound, and threads sharing one interpreter (gthread) measured worse
tail latency in bench/load.py (workspace p95 518 ms against 205 ms with sync workers, 8 editors, 2 cores).
Scale with WEB_CONCURRENCY, about one worker per core.
"""

import os

# The production settings unless DJANGO_SETTINGS_MODULE names others (bench/load.py does); workbench.wsgi
# defaults to the same.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings.production")

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
