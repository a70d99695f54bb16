"""The Celery application. Configuration comes from Django settings (CELERY_*).

`celery -A workbench worker` runs on the production settings unless DJANGO_SETTINGS_MODULE says otherwise
(`make worker` sets workbench.settings.local).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings.production")

app = Celery("workbench")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
