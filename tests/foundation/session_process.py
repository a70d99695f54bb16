"""One Django process of the session tests, standing for one gunicorn worker. Test-only.

Reads one JSON command per line on stdin and answers one JSON line on stdout: `login` (a session for the user,
made the way the login view makes it), `whoami` (a request with the session cookie: who the workbench takes it
for) and `logout` (the real logout view). The process lives between commands, with whatever it has cached.
"""

from __future__ import annotations

import json
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402


def whoami(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return HttpResponse(request.user.get_username())
    return HttpResponse("", status=403)


# The project's URLs (the real logout view) and `whoami`, which renders no template.
urlpatterns = [path("whoami", whoami), path("", include("workbench.urls"))]


def answer(command: dict) -> dict:
    client = Client()
    if command.get("cookie"):
        client.cookies[settings.SESSION_COOKIE_NAME] = command["cookie"]
    if command["op"] == "login":
        user, _ = get_user_model().objects.get_or_create(username=command["username"])
        client.force_login(user)
        return {"cookie": client.cookies[settings.SESSION_COOKIE_NAME].value}
    if command["op"] == "whoami":
        response = client.get("/whoami", secure=True)
        return {"status": response.status_code, "user": response.content.decode()}
    if command["op"] == "logout":
        response = client.post("/accounts/logout/", secure=True)
        return {"status": response.status_code}
    raise ValueError(f"unknown command {command!r}")


def main() -> None:
    with override_settings(ROOT_URLCONF=__name__):
        for line in sys.stdin:
            print(json.dumps(answer(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
