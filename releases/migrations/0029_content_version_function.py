"""On PostgreSQL, the content version (caching.py) read by a function, whose plan the
database keeps for the connection's life.

Every public request reads the version first, cached page or not. As a plain statement it
was planned anew each time, over the release table's twenty indexes: 0.25 ms a read in
pgbench, against 0.12 ms through this function (PL/pgSQL keeps the plans of its
statements). SQLite plans in-process and keeps the plain statement.
"""

from django.db import migrations

CREATE = """CREATE OR REPLACE FUNCTION releases_content_version(
    live text, at timestamptz, OUT number bigint, OUT changed_at timestamptz,
    OUT went_live timestamptz
) LANGUAGE plpgsql STABLE AS $$ BEGIN
    SELECT v.number, v.changed_at INTO number, changed_at
        FROM releases_contentversion AS v WHERE v.id = 1;
    -- One step along release_live_idx (status, published_at).
    SELECT max(r.published_at) INTO went_live
        FROM releases_release AS r WHERE r.status = live AND r.published_at <= at;
END $$"""
DROP = "DROP FUNCTION IF EXISTS releases_content_version(text, timestamptz)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("releases", "0028_reserved_release_slugs")]

    operations = [migrations.RunPython(create, drop)]
