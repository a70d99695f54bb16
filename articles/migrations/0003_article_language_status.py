# The article's language is detected at import; an article the pipeline cannot read records why it was left out.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_sentence_embedding_discrepancy_sides"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="analysis_note",
            field=models.TextField(
                blank=True,
                help_text="Why the last analysis left the article out (e.g. a language the pipeline cannot "
                "read); analyzed_at is still set, as there is nothing left to do.",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="language",
            field=models.CharField(
                blank=True,
                default="en",
                help_text="ISO 639-1 code, detected at import (articles.nlp.language); empty when unknown.",
                max_length=12,
            ),
        ),
    ]
