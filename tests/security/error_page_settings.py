"""The development default (workbench.settings.local, as `make run` uses it) plus one view that fails, for
tests/security/test_error_pages.py. Nothing else is changed: DEBUG is what local.py makes it."""

from workbench.settings.local import *  # noqa: F403

ROOT_URLCONF = "tests.security.error_page_urls"
