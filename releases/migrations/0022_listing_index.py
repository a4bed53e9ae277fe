"""An index that holds the whole release list, newest first: deep pages skip along it.

Page 2,000 of /releases/ skips 40,000 releases. SQLite walked its date index and read
each release's row to check that it was published (108 ms); PostgreSQL, whose
release_newest_idx (0004) left the publish time and the listed columns in the rows, sorted
the whole table instead (200-330 ms). Now:
- SQLite: (status, date DESC, id DESC, published_at): the order and published()'s check
  from the index alone, so only the 20 releases shown are read from the table.
- PostgreSQL: the same order with the publish time, slug and title included, so a page is
  an index-only scan; it replaces release_newest_idx, which it contains.
"""

from django.db import migrations

INDEX = "release_listing_idx"
SQL = {
    "sqlite": f"CREATE INDEX {INDEX} ON releases_release (status, date DESC, id DESC, published_at)",
    "postgresql": f"""CREATE INDEX {INDEX} ON releases_release
        (status, date DESC NULLS LAST, id DESC) INCLUDE (published_at, slug, title)""",
}
OLD_POSTGRESQL_INDEX = (
    "CREATE INDEX release_newest_idx ON releases_release (status, date DESC NULLS LAST, id DESC)"
)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(SQL[vendor])
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS release_newest_idx")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_POSTGRESQL_INDEX)


class Migration(migrations.Migration):
    dependencies = [("releases", "0021_live_index_and_tallies")]

    operations = [migrations.RunPython(create, drop)]
