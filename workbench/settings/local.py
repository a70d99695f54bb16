"""Settings for a developer's machine: `make run`, `manage.py` and `make worker` use them unless told
otherwise.

DEBUG is on (DEBUG=false turns it off, to see the error pages), a development key is kept in a git-ignored
file, the development server is reachable on loopback only, and static files are served from their sources.
Nothing else is loosened: in particular the SSRF guard stays on unless IMPORT_ALLOW_PRIVATE_URLS=true.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, SECRET_KEY, STORAGES, env_bool, env_list

DEBUG = env_bool("DEBUG", True)

if not SECRET_KEY:
    # A random key kept in a git-ignored file, so that no secret lives in the code and sessions survive a
    # restart of the development server.
    _dev_key_file = BASE_DIR / ".dev-secret-key"
    if not _dev_key_file.exists():
        import secrets

        _dev_key_file.write_text(secrets.token_urlsafe(64))
    SECRET_KEY = _dev_key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

# The sources, found by the staticfiles finders: no `collectstatic` needed.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# Error reports (production mails them to ADMINS) are printed instead.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
