"""A search index of titles alone, for related releases (releases/related.py).

Related releases are found by the words of a release's title in the titles of its
portfolio. The full index (0006, 0007) holds every word of every body: a title word such
as "level" or "close" is in thousands of bodies, each of which had to be read, to see that
the word was not in its title (PostgreSQL read 13,700 pages for the 4,300 releases of
Health), or ranked (SQLite). An index of titles holds a few hundred releases a word.

- SQLite: an FTS5 table of releases_release's title (external content, the same
  tokenizer as 0006), kept current by triggers on insert, delete and a change of title.
  As with 0006's, a later migration that rebuilds releases_release drops them.
- PostgreSQL: a GIN index of to_tsvector('beehive_english', title), an expression that
  search.search_titles() repeats exactly so that the planner uses it.

IF NOT EXISTS: the benchmark databases may have it already under another number.
The SQL is written out here so this migration keeps working as written.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS releases_release_title_fts USING fts5(
        title, content = 'releases_release', content_rowid = 'id',
        tokenize = 'porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS releases_release_title_fts_insert
    AFTER INSERT ON releases_release BEGIN
        INSERT INTO releases_release_title_fts (rowid, title) VALUES (new.id, new.title);
    END""",
    """CREATE TRIGGER IF NOT EXISTS releases_release_title_fts_delete
    AFTER DELETE ON releases_release BEGIN
        INSERT INTO releases_release_title_fts (releases_release_title_fts, rowid, title)
        VALUES ('delete', old.id, old.title);
    END""",
    """CREATE TRIGGER IF NOT EXISTS releases_release_title_fts_update
    AFTER UPDATE OF title ON releases_release WHEN old.title IS NOT new.title BEGIN
        INSERT INTO releases_release_title_fts (releases_release_title_fts, rowid, title)
        VALUES ('delete', old.id, old.title);
        INSERT INTO releases_release_title_fts (rowid, title) VALUES (new.id, new.title);
    END""",
    "INSERT INTO releases_release_title_fts (releases_release_title_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER releases_release_title_fts_insert",
    "DROP TRIGGER releases_release_title_fts_delete",
    "DROP TRIGGER releases_release_title_fts_update",
    "DROP TABLE releases_release_title_fts",
]
POSTGRES_FORWARD = [
    """CREATE INDEX IF NOT EXISTS release_title_search_idx ON releases_release
    USING gin (to_tsvector('beehive_english', title))""",
]
POSTGRES_BACKWARD = ["DROP INDEX release_title_search_idx"]


def run(statements):
    """A migration function running the statements for the current database's vendor."""

    def migrate(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return migrate


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0026_api_tombstones"),
    ]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
