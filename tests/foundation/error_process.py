"""A Django process whose one view fails, for the error-report tests. Test-only.

Requests /boom once through the full middleware stack and prints, as one JSON line, the response's status and
the mail Django sent (kept in django.core.mail.outbox). The log goes to stderr as configured by the settings.
"""

from __future__ import annotations

import json

import django

django.setup()

from django.core import mail  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402
from django.urls import path  # noqa: E402


def boom(request: HttpRequest) -> HttpResponse:
    raise ZeroDivisionError("boom in a view")


urlpatterns = [path("boom", boom)]


def main() -> None:
    setup_test_environment()  # mail to django.core.mail.outbox instead of SMTP; "testserver" allowed
    with override_settings(ROOT_URLCONF=__name__):
        response = Client(raise_request_exception=False).get("/boom", secure=True)
    sent = [{"to": m.to, "subject": m.subject, "body": m.body} for m in mail.outbox]
    print(json.dumps({"status": response.status_code, "mail": sent}))


if __name__ == "__main__":
    main()
