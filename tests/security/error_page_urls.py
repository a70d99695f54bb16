"""The workbench's URLs and /boom/, a view that fails (tests/security/test_error_pages.py)."""

from django.urls import include, path


def boom(request):
    raise ZeroDivisionError("boom in a view")


urlpatterns = [path("boom/", boom), path("", include("workbench.urls"))]
