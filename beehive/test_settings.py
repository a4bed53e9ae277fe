"""Settings for the test suite: the development defaults plus a fast password hasher.

DATABASE_URL still selects the database, so the same suite runs on SQLite and PostgreSQL.
"""

import os

os.environ.setdefault("DEBUG", "1")

from beehive.settings import *  # noqa: E402,F403

# Hashing a demo user's password at full strength would dominate the fast tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
