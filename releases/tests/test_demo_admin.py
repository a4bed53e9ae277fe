"""`manage.py demo_admin`, which `make run` calls: one development login that stays valid."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from .test_security import fail, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_admin(settings, tmp_path):
    """demo_admin() runs the command as `make run` does (DEBUG on, its password kept under a
    temporary folder) and returns the password it printed."""
    settings.DEBUG = True
    password_file = tmp_path / ".demo-admin-password"

    def demo_admin(*args):
        out = StringIO()
        call_command("demo_admin", f"--password-file={password_file}", *args, stdout=out)
        return re.fullmatch(r"Admin: \S+  user: admin  password: (\S+)\n", out.getvalue())[1]

    demo_admin.password_file = password_file
    return demo_admin


def signs_in(client, password):
    """Whether the admin's login form accepts admin with this password."""
    response = log_in(client, "admin", password)
    return response.status_code == 302 and client.get(reverse("admin:index")).status_code == 200


def test_every_run_prints_the_same_password_and_it_signs_in(client, demo_admin):
    """A second `make run` prints the password the first one printed, and it still works."""
    first = demo_admin()
    second = demo_admin()
    assert first == second
    assert signs_in(client, second)
    assert User.objects.get(username="admin").is_superuser


def test_the_password_file_is_for_its_owner_only(demo_admin):
    """The kept password is readable by whoever ran the command, no one else."""
    password = demo_admin()
    assert demo_admin.password_file.read_text().strip() == password
    assert demo_admin.password_file.stat().st_mode & 0o777 == 0o600


def test_a_changed_password_is_given_back(client, demo_admin):
    """If someone changed the admin's password, the next run makes the printed one work."""
    password = demo_admin()
    admin = User.objects.get(username="admin")
    admin.set_password("something else entirely")
    admin.save()
    assert demo_admin() == password
    assert signs_in(client, password)


def test_a_locked_out_admin_can_sign_in_again(client, demo_admin):
    """Five wrong passwords lock the login; the next run unlocks it."""
    password = demo_admin()
    fail(client, username="admin")
    assert log_in(client, "admin", password).status_code == 429
    demo_admin()
    assert signs_in(client, password)


def test_the_address_names_the_port(settings, tmp_path):
    """`PORT=8001 make run` prints the admin's address on that port."""
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_admin", "--port=8001", f"--password-file={tmp_path / 'pw'}", stdout=out)
    assert out.getvalue().startswith("Admin: http://127.0.0.1:8001/admin/  user: admin")


def test_it_refuses_without_debug(settings, tmp_path):
    """Outside development the command does nothing: no admin, no password file."""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("demo_admin", f"--password-file={tmp_path / 'pw'}")
    assert not User.objects.exists()
    assert not (tmp_path / "pw").exists()
