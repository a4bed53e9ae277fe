import os
import secrets
from pathlib import Path

import axes.utils
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Development only: make sure the superuser 'admin' exists and signs in with the demo "
        "password, and print the login. The password is made on the first run and kept in a "
        "git-ignored file, so every run prints the same one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--port", type=int, default=8000, help="the port runserver serves (for the address)"
        )
        parser.add_argument(
            "--password-file",
            type=Path,
            default=settings.BASE_DIR / ".demo-admin-password",
            help="where the demo password is kept (default: .demo-admin-password)",
        )

    def handle(self, *, username, port, password_file, **options):
        if not settings.DEBUG:
            raise CommandError("demo_admin sets a password; it only runs with DEBUG on.")
        password = demo_password(password_file)
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = user.is_active = True
        # Only when it differs (a new user, or someone changed it): the printed password
        # must be the one that signs in.
        if not user.check_password(password):
            user.set_password(password)
        user.save()
        # A lockout after five wrong tries would refuse even the right password for 15 minutes.
        axes.utils.reset(username=username)
        self.stdout.write(
            f"Admin: http://127.0.0.1:{port}/admin/  user: {username}  password: {password}"
        )


def demo_password(path):
    """The password kept in `path`; on first use a new random one, written there readable by
    its owner only."""
    if path.exists() and (password := path.read_text().strip()):
        return password
    password = secrets.token_urlsafe(12)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(password + "\n")
    return password
