"""Each minister and portfolio keeps the tally of its published releases, and releases get
an index by publish time.

The A-Z pages showed every record's number of releases and first and last years by
counting all 60,000 links against their releases on each request (200-480 ms). Now each
record holds `published_count`, `earliest_date` and `latest_date` over its releases with
status published (live or scheduled: a tally that the clock alone never changes, so that
only writes need to keep it), and NamedQuerySet.active() corrects it for the few releases
still scheduled.

The database keeps the tallies, with triggers, so that every writer is covered: the
importer's own INSERTs, merges that move links, the admin, deletions and plain
QuerySet.update()s alike.
- A link added to a published release adds to its record's tally: on PostgreSQL once per
  statement (a batch of an import is one statement), on SQLite once per row.
- A link removed or moved, or a release whose status or date changes, has its records'
  tallies counted again from their links (a few milliseconds for the largest).

Django deletes a release's links before the release, so deleting a release is a removal
of links. A later migration that rebuilds releases_release on SQLite (a NOT NULL column,
say) drops its triggers, these as well as the search index's (see migration 0006).

The SQL is written out here so this migration keeps working as written.
"""

from django.db import migrations, models

LINKS = [
    # (link table, its column, the records' table)
    ("releases_release_ministers", "minister_id", "releases_minister"),
    ("releases_release_portfolios", "portfolio_id", "releases_portfolio"),
]


def recount(links, column, records, ids):
    """Count again, from their links, the tallies of the records whose ids `ids` selects."""
    return f"""UPDATE {records} SET (published_count, earliest_date, latest_date) = (
        SELECT count(*), min(r.date), max(r.date)
        FROM {links} AS l JOIN releases_release AS r ON r.id = l.release_id
        WHERE l.{column} = {records}.id AND r.status = 'published'
    ) WHERE {records}.id IN ({ids})"""


def sqlite_triggers(links, column, records):
    release = "(SELECT {} FROM releases_release WHERE id = NEW.release_id)"
    added = f"""CREATE TRIGGER {records}_tally_added AFTER INSERT ON {links}
    WHEN {release.format("status")} = 'published'
    BEGIN
        UPDATE {records} SET published_count = published_count + 1,
            earliest_date = min(coalesce(earliest_date, {release.format("date")}),
                                coalesce({release.format("date")}, earliest_date)),
            latest_date = max(coalesce(latest_date, {release.format("date")}),
                              coalesce({release.format("date")}, latest_date))
        WHERE id = NEW.{column};
    END"""
    removed = f"""CREATE TRIGGER {records}_tally_removed AFTER DELETE ON {links}
    BEGIN {recount(links, column, records, f"OLD.{column}")}; END"""
    moved = f"""CREATE TRIGGER {records}_tally_moved AFTER UPDATE ON {links}
    BEGIN {recount(links, column, records, f"OLD.{column}, NEW.{column}")}; END"""
    changed = f"""CREATE TRIGGER {records}_tally_release_changed
    AFTER UPDATE OF status, date ON releases_release
    WHEN (OLD.status IS NOT NEW.status OR OLD.date IS NOT NEW.date)
        AND 'published' IN (OLD.status, NEW.status)
    BEGIN
        {recount(links, column, records, f"SELECT {column} FROM {links} WHERE release_id = NEW.id")};
    END"""
    return [added, removed, moved, changed]


def postgresql_triggers(links, column, records):
    def function(name, body):
        return f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN {body}; RETURN NULL; END $$"""

    # One UPDATE for a whole INSERT statement: an import's batch adds thousands of links.
    add = f"""UPDATE {records} SET published_count = {records}.published_count + a.n,
            earliest_date = least({records}.earliest_date, a.earliest),
            latest_date = greatest({records}.latest_date, a.latest)
        FROM (SELECT l.{column} AS id, count(*) AS n, min(r.date) AS earliest,
                     max(r.date) AS latest
              FROM added AS l JOIN releases_release AS r ON r.id = l.release_id
              WHERE r.status = 'published' GROUP BY l.{column}) AS a
        WHERE {records}.id = a.id"""
    removed = recount(links, column, records, f"SELECT {column} FROM removed")
    moved = recount(
        links, column, records, f"SELECT {column} FROM removed UNION SELECT {column} FROM added"
    )
    changed = recount(
        links, column, records, f"SELECT {column} FROM {links} WHERE release_id = NEW.id"
    )
    return [
        function(f"{records}_tally_added", add),
        f"""CREATE TRIGGER {records}_tally_added AFTER INSERT ON {links}
        REFERENCING NEW TABLE AS added FOR EACH STATEMENT
        EXECUTE FUNCTION {records}_tally_added()""",
        function(f"{records}_tally_removed", removed),
        f"""CREATE TRIGGER {records}_tally_removed AFTER DELETE ON {links}
        REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
        EXECUTE FUNCTION {records}_tally_removed()""",
        function(f"{records}_tally_moved", moved),
        f"""CREATE TRIGGER {records}_tally_moved AFTER UPDATE ON {links}
        REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT
        EXECUTE FUNCTION {records}_tally_moved()""",
        function(f"{records}_tally_release_changed", changed),
        # Per row, and only for a change of status or date: the WHEN is checked without
        # calling the function, so other writes to releases cost nothing.
        f"""CREATE TRIGGER {records}_tally_release_changed
        AFTER UPDATE OF status, date ON releases_release FOR EACH ROW
        WHEN ((OLD.status IS DISTINCT FROM NEW.status OR OLD.date IS DISTINCT FROM NEW.date)
              AND 'published' IN (OLD.status, NEW.status))
        EXECUTE FUNCTION {records}_tally_release_changed()""",
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    triggers = {"sqlite": sqlite_triggers, "postgresql": postgresql_triggers}[vendor]
    for links, column, records in LINKS:
        for statement in triggers(links, column, records):
            schema_editor.execute(statement)
        schema_editor.execute(recount(links, column, records, f"SELECT id FROM {records}"))


def drop(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for links, _, records in LINKS:
        for event in ("added", "removed", "moved", "release_changed"):
            name = f"{records}_tally_{event}"
            table = "releases_release" if event == "release_changed" else links
            if postgresql:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("releases", "0020_newest_first_index_on_postgresql")]

    operations = [
        *(
            migrations.AddField(model_name=model, name=name, field=field)
            for model in ("minister", "portfolio")
            for name, field in (
                ("published_count", models.PositiveIntegerField(default=0, editable=False)),
                ("earliest_date", models.DateField(null=True, editable=False)),
                ("latest_date", models.DateField(null=True, editable=False)),
            )
        ),
        migrations.AddIndex(
            model_name="release",
            index=models.Index(fields=["status", "published_at"], name="release_live_idx"),
        ),
        migrations.RunPython(create, drop),
    ]
