"""The settings modules. Pick one with DJANGO_SETTINGS_MODULE:

- workbench.settings.local: a developer's machine; manage.py's default, so `make run` needs no variable.
- workbench.settings.production: gunicorn, Celery and the Docker image; safe with nothing but SECRET_KEY set.
- workbench.settings.test: pytest (pyproject.toml).

All three read the environment on top of workbench.settings.base.
"""
