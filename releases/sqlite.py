"""SQLite's own settings for work that reads or writes the whole archive."""

import contextlib

from django.db import connections, router

from .models import Release


@contextlib.contextmanager
def unmapped():
    """On SQLite, read without memory-mapped pages (settings.py), then map them again as
    before. Mapped, every page of the database read counts as the reading process's
    memory: half a gigabyte for the whole archive, in each process or web worker that
    reads it all. (An in-memory database maps nothing: there is nothing to put back.)"""
    connection = connections[router.db_for_read(Release)]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        before = cursor.fetchone()
        cursor.execute("PRAGMA mmap_size=0")
    try:
        yield
    finally:
        if before:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA mmap_size={int(before[0])}")
