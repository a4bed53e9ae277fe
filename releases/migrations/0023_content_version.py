"""The content version (models/versions.py, caching.py): one row that the database raises
on every write to a release, minister or portfolio. (The newest publish time already
past, its other part, is read from release_live_idx, migration 0021.)

PostgreSQL runs one trigger a statement; SQLite has only triggers for each row, one per
event (an import of the corpus writes 55,000 rows, each raising the number once more). A
table Django rebuilds on SQLite loses its triggers, as the search ones (0006): a field
added to these tables must be nullable with no default (see models/release.py).
"""

from django.db import migrations, models

TABLES = ["releases_release", "releases_minister", "releases_portfolio"]
UPSERT = (
    "INSERT INTO releases_contentversion (id, number, changed_at) VALUES (1, 1, {now}) "
    "ON CONFLICT (id) DO UPDATE SET number = releases_contentversion.number + 1, "
    "changed_at = excluded.changed_at"
)
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
EVENTS = ["insert", "update", "delete"]


def create(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(
            "CREATE OR REPLACE FUNCTION releases_content_changed() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {UPSERT.format(now='clock_timestamp()')}; "
            "RETURN NULL; END $$"
        )
        for table in TABLES:
            execute(
                f"CREATE TRIGGER {table}_content_changed AFTER INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                "EXECUTE FUNCTION releases_content_changed()"
            )
    elif schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            for event in EVENTS:
                execute(
                    f"CREATE TRIGGER {table}_content_changed_{event} AFTER {event.upper()} "
                    f"ON {table} BEGIN {UPSERT.format(now=SQLITE_NOW)}; END"
                )


def drop(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            execute(f"DROP TRIGGER IF EXISTS {table}_content_changed ON {table}")
        execute("DROP FUNCTION IF EXISTS releases_content_changed()")
    elif schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            for event in EVENTS:
                execute(f"DROP TRIGGER IF EXISTS {table}_content_changed_{event}")


class Migration(migrations.Migration):
    dependencies = [("releases", "0022_listing_index")]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.BigIntegerField(default=0)),
                ("changed_at", models.DateTimeField(null=True)),
            ],
        ),
        migrations.RunPython(create, drop),
    ]
