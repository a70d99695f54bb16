from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Coverage"

    def ready(self) -> None:
        # The Celery tasks, which the pipeline (articles.jobs) sends by name.
        from articles import tasks  # noqa: F401
