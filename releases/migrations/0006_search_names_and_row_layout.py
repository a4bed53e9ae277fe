"""The search index reads the release row itself, and the long text sits at the row's end.

- `Release.search_names` holds the ministers' and portfolios' names that search indexes, so
  the index needs nothing but the release's own row.
- SQLite: the FTS5 table becomes an external-content index of releases_release (title,
  search_names, body), kept current by triggers on every insert, update and delete, so no
  write can leave it stale and the text is no longer stored twice.
- SQLite: the table is rebuilt with body, body_html and front_matter as its last columns.
  SQLite keeps a long value's overflow in a chain of pages, and reading any column after it
  walks that chain: with status and published_at after the bodies, checking whether each of
  thousands of search matches is published read every one of their bodies.
- PostgreSQL: nothing moves (it stores long values apart from the row); search_names is
  filled in and read when search_document is computed.

The SQL is written out here, not imported from search.py, so this migration keeps working
as written.
"""

from django.db import migrations, models

LONG_TEXT = ["attachments", "body", "body_html", "front_matter"]

NAMES = """
    trim(coalesce((SELECT group_concat(m.name, ' ') FROM releases_release_ministers AS rm
                   JOIN releases_minister AS m ON m.id = rm.minister_id
                   WHERE rm.release_id = r.id), '')
        || ' ' ||
        coalesce((SELECT group_concat(p.name, ' ') FROM releases_release_portfolios AS rp
                  JOIN releases_portfolio AS p ON p.id = rp.portfolio_id
                  WHERE rp.release_id = r.id), ''))
"""

# External content: FTS5 reads title, search_names and body from releases_release (by id)
# when it needs the text, for snippets; the triggers hand it each row's old and new values.
SQLITE_INDEX = [
    """CREATE VIRTUAL TABLE releases_release_fts USING fts5(
        title, search_names, body, content = 'releases_release', content_rowid = 'id',
        tokenize = 'porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER releases_release_fts_insert AFTER INSERT ON releases_release BEGIN
        INSERT INTO releases_release_fts (rowid, title, search_names, body)
        VALUES (new.id, new.title, new.search_names, new.body);
    END""",
    """CREATE TRIGGER releases_release_fts_delete AFTER DELETE ON releases_release BEGIN
        INSERT INTO releases_release_fts (releases_release_fts, rowid, title, search_names, body)
        VALUES ('delete', old.id, old.title, old.search_names, old.body);
    END""",
    # Only a change to the indexed text re-indexes: publishing a release does not.
    """CREATE TRIGGER releases_release_fts_update AFTER UPDATE OF title, search_names, body
    ON releases_release
    WHEN old.title IS NOT new.title OR old.search_names IS NOT new.search_names
        OR old.body IS NOT new.body
    BEGIN
        INSERT INTO releases_release_fts (releases_release_fts, rowid, title, search_names, body)
        VALUES ('delete', old.id, old.title, old.search_names, old.body);
        INSERT INTO releases_release_fts (rowid, title, search_names, body)
        VALUES (new.id, new.title, new.search_names, new.body);
    END""",
    # Bulk imports: gather up to 64 MB of new terms in memory before writing them out, and
    # let 16 segments of a size pile up before merging them (FTS5's defaults are 1 MB and
    # 4). Together they cut the index's share of a full import by about a third.
    "INSERT INTO releases_release_fts (releases_release_fts, rank) VALUES ('hashsize', 67108864)",
    "INSERT INTO releases_release_fts (releases_release_fts, rank) VALUES ('automerge', 16)",
    "INSERT INTO releases_release_fts (releases_release_fts) VALUES ('rebuild')",
]

POSTGRES_INDEX = """
    UPDATE releases_release AS r SET search_document =
        setweight(to_tsvector('beehive_english', r.title), 'A')
        || setweight(to_tsvector('beehive_english', r.search_names), 'B')
        || setweight(to_tsvector('beehive_english', r.body), 'D')
"""


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    names = NAMES.replace("group_concat", "string_agg") if connection.vendor != "sqlite" else NAMES
    schema_editor.execute(f"UPDATE releases_release AS r SET search_names = {names}")
    if connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE releases_release_fts")  # its triggers go with it
        # Django's own table rebuild, which writes the columns in the order of the model
        # state, where the operations before this one moved the long text last. Rebuilding
        # drops the table's triggers: the new ones are created after it.
        schema_editor._remake_table(apps.get_model("releases", "Release"))
        for statement in SQLITE_INDEX:
            schema_editor.execute(statement)
    elif connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_INDEX)


def backwards(apps, schema_editor):
    """SQLite: back to migration 0003's index, a full-text table with its own copy."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in [
            "DROP TRIGGER releases_release_fts_insert",
            "DROP TRIGGER releases_release_fts_delete",
            "DROP TRIGGER releases_release_fts_update",
            "DROP TABLE releases_release_fts",
            """CREATE VIRTUAL TABLE releases_release_fts USING fts5(
                title, names, body, tokenize = 'porter unicode61 remove_diacritics 2')""",
            """CREATE TRIGGER releases_release_fts_delete AFTER DELETE ON releases_release
            BEGIN DELETE FROM releases_release_fts WHERE rowid = old.id; END""",
            """INSERT INTO releases_release_fts (rowid, title, names, body)
            SELECT id, title, search_names, body FROM releases_release""",
        ]:
            schema_editor.execute(statement)


def long_text_last():
    """State-only: each long field removed and added again, which moves it to the end of the
    model state's field order (the database columns are left alone here)."""
    fields = {
        "attachments": models.JSONField(
            blank=True, default=list, help_text="A list of URLs."
        ),
        "body": models.TextField(blank=True, help_text="Markdown."),
        "body_html": models.TextField(
            blank=True,
            editable=False,
            help_text="The body rendered and sanitised when saved.",
            verbose_name="body HTML",
        ),
        "front_matter": models.TextField(
            blank=True, editable=False, help_text="The YAML front matter exactly as imported."
        ),
    }
    operations = []
    for name in LONG_TEXT:
        operations.append(migrations.RemoveField("release", name))
        operations.append(migrations.AddField("release", name, fields[name]))
    return migrations.SeparateDatabaseAndState(state_operations=operations)


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0005_import_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="release",
            name="search_names",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Its ministers' and portfolios' names, as search indexes them.",
            ),
        ),
        long_text_last(),
        migrations.RunPython(forwards, backwards),
    ]
