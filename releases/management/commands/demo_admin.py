import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Development only: create (or reset) the superuser 'admin' with a new random "
        "password and print it, so a newcomer can sign in to /admin/."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *, username, **options):
        if not settings.DEBUG:
            raise CommandError("demo_admin resets a password; it only runs with DEBUG on.")
        password = secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_superuser": True}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(
            f"Admin: http://127.0.0.1:8000/admin/  user: {username}  password: {password}"
        )
