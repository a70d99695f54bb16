"""python manage.py set_role USERNAME "Chief editor": give an account its editorial role."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from briefs.roles import ROLE_PERMISSIONS, STAFF_ROLES
from briefs.services import BriefActionError, user_set_role


class Command(BaseCommand):
    help = (
        "Give an existing account one editorial role: "
        + ", ".join(ROLE_PERMISSIONS)
        + ". Chief editors can also open the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(ROLE_PERMISSIONS))

    def handle(self, *args, username: str, role: str, **options):
        try:
            user = user_set_role(username, role)
        except BriefActionError as problem:
            raise CommandError(str(problem)) from None
        admin = " and can open the admin" if role in STAFF_ROLES or user.is_superuser else ""
        self.stdout.write(f"{username} is now {role}{admin}.")
