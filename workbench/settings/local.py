"""Settings for a developer's machine: `make run`, `manage.py` and `make worker` use them unless told
otherwise.

DEBUG is off by default, as everywhere: a new user of `make run` who meets an error sees the workbench's
own 400/404/500 pages, and the traceback is printed on the console (django.request logs it); a developer who
wants Django's debug pages sets DEBUG=true. A development key is kept in a git-ignored file, the development
server is reachable on loopback only, and static files are served from their sources by whitenoise, with
DEBUG on or off. Nothing else is loosened: in particular the SSRF guard stays on unless
IMPORT_ALLOW_PRIVATE_URLS=true.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, SECRET_KEY, STORAGES, env_bool, env_list

DEBUG = env_bool("DEBUG", False)

if not SECRET_KEY:
    # A random key kept in a git-ignored file, so that no secret lives in the code and sessions survive a
    # restart of the development server.
    _dev_key_file = BASE_DIR / ".dev-secret-key"
    if not _dev_key_file.exists():
        import secrets

        _dev_key_file.write_text(secrets.token_urlsafe(64))
    SECRET_KEY = _dev_key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

# The sources, found by the staticfiles finders: no `collectstatic` needed. whitenoise serves them (runserver
# does not: `whitenoise.runserver_nostatic`), whatever DEBUG says, and sees an edited file without a restart.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Error reports (production mails them to ADMINS) are printed instead.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
