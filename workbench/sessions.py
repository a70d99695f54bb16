"""Session engine for the real stack: database-backed sessions read through the shared Redis cache.

Django's cached_db engine, with one change to ending a session (logout, flush): the cached copy is deleted
before and after the database row. Before, so that an unreachable Redis fails the logout with nothing ended
half-way (the row gone but the cached copy left to come back with Redis, valid for its whole age); after, so
that a request of the same session that re-read the row in the meantime cannot leave a copy behind. Reads and
writes go through workbench.cache.RedisCache, which falls back to the database while Redis is down.

Only ever configured with a cache every process shares (workbench/settings/base.py): with a cache of one
process's memory, a logout in one gunicorn worker would leave the session alive in the others.
"""

from __future__ import annotations

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore


class SessionStore(CachedDBStore):
    def delete(self, session_key: str | None = None) -> None:
        key = session_key if session_key is not None else self.session_key
        if key is None:
            return
        cache_key = self.cache_key_prefix + key
        self._cache.delete(cache_key)
        DBStore.delete(self, key)
        self._cache.delete(cache_key)

    async def adelete(self, session_key: str | None = None) -> None:
        key = session_key if session_key is not None else self.session_key
        if key is None:
            return
        cache_key = self.cache_key_prefix + key
        await self._cache.adelete(cache_key)
        await DBStore.adelete(self, key)
        await self._cache.adelete(cache_key)
