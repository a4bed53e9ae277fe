"""The content version: one row that the database itself moves on every change to a
release, a minister or a portfolio (triggers, migration 0021), read by caching.py."""

from django.db import models


class ContentVersion(models.Model):
    """A number raised, and a time set, by every statement that writes a release, minister
    or portfolio, from the admin, an import, a merge or by hand. Triggers rather than
    Python, so that no way of writing can forget it; one row, so that two writers take
    their turns on it and the number a reader sees covers every change committed."""

    number = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"Content version {self.number}"
