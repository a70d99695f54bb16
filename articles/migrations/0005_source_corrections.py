"""Source corrections (the audit of the workbench's "Edit source details"), and the roles that go with them:
editors may correct an article's source details (articles.change_article), chief editors read the audit in the
admin (articles.view_sourcecorrection); see briefs.roles."""

import importlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


create_roles = importlib.import_module("briefs.migrations.0002_roles").create_roles


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_importitem_details"),
        ("briefs", "0004_chief_editor_admin"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SourceCorrection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "username",
                    models.CharField(blank=True, help_text="Kept if the account is deleted.", max_length=150),
                ),
                ("created", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                (
                    "changes",
                    models.JSONField(
                        default=dict,
                        help_text='{"field": ["before", "after"]} for outlet, url, byline and published_at (ISO 8601); "" is unknown.',
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="source_corrections",
                        to="articles.article",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created", "-id"],
            },
        ),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
