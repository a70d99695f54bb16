"""Writes to the domain: one function per action, used by views, commands and tasks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


def require_permission(user, permission: str, doing: str) -> None:
    """Refuse (PermissionDenied, saying who may not do what) unless `user` is logged in and has `permission`:
    every service checks this itself, whichever front door called it."""
    if user is None or not user.is_authenticated or not user.has_perm(permission):
        name = user.get_username() if user is not None and user.is_authenticated else "anonymous"
        raise PermissionDenied(f"Your account ({name}) may not {doing}.")
