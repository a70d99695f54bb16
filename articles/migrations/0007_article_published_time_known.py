"""Article.published_time_known: whether the source gave a time of day with the date.

Articles imported before it was recorded hold a date-only value as midnight UTC; those at exactly 00:00:00
UTC are taken as date-only (a time given to the second at midnight UTC is rare, and showing its date alone
loses little), so they stop showing "00:00".
"""

from datetime import UTC

from django.db import migrations, models
from django.db.models.functions import ExtractHour, ExtractMinute, ExtractSecond


def mark_midnight_dates(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    midnight = (
        Article.objects.filter(published_at__isnull=False)
        .annotate(
            h=ExtractHour("published_at", tzinfo=UTC),
            m=ExtractMinute("published_at", tzinfo=UTC),
            s=ExtractSecond("published_at", tzinfo=UTC),
        )
        .filter(h=0, m=0, s=0)
        .values_list("pk", flat=True)
    )
    Article.objects.filter(pk__in=list(midnight)).update(published_time_known=False)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_job_heartbeat")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="published_time_known",
            field=models.BooleanField(
                default=True,
                help_text="False when the source gave the date without a time of day: the date is shown "
                "alone (published_at holds midnight UTC of that date).",
            ),
        ),
        migrations.RunPython(mark_midnight_dates, migrations.RunPython.noop),
    ]
