"""Writes to the domain: one function per action, used by views, commands and tasks."""
