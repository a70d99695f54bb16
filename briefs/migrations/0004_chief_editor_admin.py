"""The chief editor's admin permissions (briefs.roles._ADMIN) for databases whose roles were made before."""

import importlib

from django.db import migrations

create_roles = importlib.import_module("briefs.migrations.0002_roles").create_roles


class Migration(migrations.Migration):
    dependencies = [
        ("briefs", "0003_item_flag_resolutions_publication_warnings"),
        ("articles", "0003_article_language_status"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
