"""Editors manage watched sources (briefs.roles._EDIT): the permissions of articles.WatchedSource."""

import importlib

from django.db import migrations

create_roles = importlib.import_module("briefs.migrations.0002_roles").create_roles


class Migration(migrations.Migration):
    dependencies = [
        ("briefs", "0006_presence"),
        ("articles", "0009_watched_sources"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
