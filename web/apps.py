from django.apps import AppConfig


class WebConfig(AppConfig):
    """The web layer: views, forms, partials and the admin over the articles and briefs apps (no models)."""

    name = "web"
    verbose_name = "Workbench web layer"
