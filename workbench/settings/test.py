"""Settings for pytest (pyproject.toml): the local settings, on the embedded default unless DATABASE_URL
and CELERY_BROKER_URL point at the real stack. Subprocesses the suite starts (settings probes, real Celery
workers) name their own settings module.
"""

from .local import *  # noqa: F403

# Mail is kept in django.core.mail.outbox (pytest-django sets this too; stated here for scripts run with it).
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
