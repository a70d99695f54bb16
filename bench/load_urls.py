"""The project's URLs plus one minimal view, the ceiling bench/load.py measures the workbench against.

Selected only by bench.load_settings (ROOT_URLCONF), so a deployment has no such URL.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from workbench.urls import urlpatterns as project_urlpatterns


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/minimal", minimal, name="bench_minimal"), *project_urlpatterns]
