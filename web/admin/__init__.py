"""The admin of both apps (the admin's autodiscovery imports this module)."""

from web.admin import articles, briefs  # noqa: F401
