"""Chief editors read the Inbox's actions in the admin (briefs.roles._ADMIN): articles.view_storyaction."""

import importlib

from django.db import migrations

create_roles = importlib.import_module("briefs.migrations.0002_roles").create_roles


class Migration(migrations.Migration):
    dependencies = [
        ("briefs", "0007_watched_source_roles"),
        ("articles", "0010_inbox"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
