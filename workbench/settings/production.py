"""Production settings: what gunicorn (workbench.wsgi), Celery (workbench.celery) and the Docker image use.

Safe by construction: DEBUG is off and cannot be turned on here, SECRET_KEY is required, cookies are
HTTPS-only, HSTS is sent and plain HTTP is redirected, and the SSRF guard is on (IMPORT_ALLOW_PRIVATE_URLS is
off unless set). A deployment that forgets a variable gets the safe behaviour, not the convenient one.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    CELERY_TASK_SOFT_TIME_LIMIT,
    CELERY_TASK_TIME_LIMIT,
    IMPORT_TASK_SOFT_TIME_LIMIT,
    IMPORT_TASK_TIME_LIMIT,
    JOBS_RUNNER,
    LOGGING,
    SECRET_KEY,
    VISIBILITY_TIMEOUT,
    env_bool,
    env_int,
    env_str,
)

if env_bool("DEBUG", False):
    raise ImproperlyConfigured(
        "DEBUG=true is refused by workbench.settings.production: debug pages show settings and code to "
        "anyone. On a developer's machine use DJANGO_SETTINGS_MODULE=workbench.settings.local."
    )
DEBUG = False

if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is required in production (workbench.settings.production). Generate one with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )

# Imports and analyses never run inside a web request here: without a broker, jobs wait in the database for
# the embedded worker (`manage.py run_jobs` beside gunicorn). WORKBENCH_JOBS=eager is refused.
if JOBS_RUNNER == "eager":
    if env_str("WORKBENCH_JOBS"):
        raise ImproperlyConfigured(
            "WORKBENCH_JOBS=eager is refused by workbench.settings.production: imports and analyses would "
            "run inside web requests (a 200-file import outlives the request timeout). Set CELERY_BROKER_URL "
            "and run Celery workers, or set WORKBENCH_JOBS=worker and run `manage.py run_jobs` beside it."
        )
    JOBS_RUNNER = "worker"

# A hard time limit past the visibility timeout would let Redis hand a task still running to a second worker.
for _soft, _hard, _names in (
    (
        CELERY_TASK_SOFT_TIME_LIMIT,
        CELERY_TASK_TIME_LIMIT,
        "CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT",
    ),
    (
        IMPORT_TASK_SOFT_TIME_LIMIT,
        IMPORT_TASK_TIME_LIMIT,
        "IMPORT_TASK_SOFT_TIME_LIMIT < IMPORT_TASK_TIME_LIMIT",
    ),
):
    if not 0 < _soft < _hard < VISIBILITY_TIMEOUT:
        raise ImproperlyConfigured(
            f"Task time limits must be positive with {_names} < CELERY_VISIBILITY_TIMEOUT "
            f"(got {_soft}, {_hard}, {VISIBILITY_TIMEOUT})."
        )

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Only behind a proxy that terminates TLS and sets X-Forwarded-Proto itself, overwriting what a client sent,
# and that is the only way in (docker-compose.yml: Caddy in front, the web service unpublished).
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Error reports ----------------------------------------------------------------------------------

# Errors (a 500 with its request and traceback, a job that failed unexpectedly, a task killed by its time
# limit) are mailed to ADMINS, on top of the traceback on stderr. Named loggers rather than the root: Celery
# replaces the root logger's handlers in its workers, and "celery" as a whole would mail every reconnection
# attempt while Redis is down.
REPORTED_LOGGERS = ("django", "articles", "briefs", "workbench", "celery.app.trace", "celery.worker.request")
LOGGING = {
    **LOGGING,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        **LOGGING["handlers"],
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false"],
        },
    },
    "loggers": {
        **LOGGING["loggers"],
        **{
            name: {**LOGGING["loggers"].get(name, {}), "handlers": ["mail_admins"]}
            for name in REPORTED_LOGGERS
        },
    },
}
