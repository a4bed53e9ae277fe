"""The full-text search index (see releases/search.py), one kind per database.

SQLite: an FTS5 table whose rowid is the release id, tokenised with the Porter stemmer over
unicode61 with diacritics removed, and a trigger that drops a deleted release's row.
PostgreSQL: the unaccent extension, a text search configuration 'beehive_english' (english
with unaccent before stemming), a tsvector column on releases_release and its GIN index.

Neither is a model field, so Django never selects the index with a release. The SQL that
fills the index is copied here, not imported, so this migration keeps working as written.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE releases_release_fts USING fts5(
        title, names, body, tokenize = 'porter unicode61 remove_diacritics 2')""",
    # Bulk deletes (the admin's "delete selected") do not call Release.delete(). Search
    # joins the release table, so a leftover row would never show; this just cleans up.
    """CREATE TRIGGER releases_release_fts_delete AFTER DELETE ON releases_release
    BEGIN DELETE FROM releases_release_fts WHERE rowid = old.id; END""",
    """INSERT INTO releases_release_fts (rowid, title, names, body)
    SELECT r.id, r.title,
        coalesce((SELECT group_concat(m.name, ' ') FROM releases_release_ministers AS rm
                  JOIN releases_minister AS m ON m.id = rm.minister_id
                  WHERE rm.release_id = r.id), '')
        || ' ' ||
        coalesce((SELECT group_concat(p.name, ' ') FROM releases_release_portfolios AS rp
                  JOIN releases_portfolio AS p ON p.id = rp.portfolio_id
                  WHERE rp.release_id = r.id), ''),
        r.body
    FROM releases_release AS r""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER releases_release_fts_delete",
    "DROP TABLE releases_release_fts",
]

POSTGRES_FORWARD = [
    # unaccent is a trusted extension (PostgreSQL 13+): the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION beehive_english (COPY = english)",
    """ALTER TEXT SEARCH CONFIGURATION beehive_english
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem""",
    "ALTER TABLE releases_release ADD COLUMN search_document tsvector",
    """UPDATE releases_release AS r SET search_document =
        setweight(to_tsvector('beehive_english', r.title), 'A')
        || setweight(to_tsvector('beehive_english', concat_ws(' ',
            (SELECT string_agg(m.name, ' ') FROM releases_release_ministers AS rm
             JOIN releases_minister AS m ON m.id = rm.minister_id WHERE rm.release_id = r.id),
            (SELECT string_agg(p.name, ' ') FROM releases_release_portfolios AS rp
             JOIN releases_portfolio AS p ON p.id = rp.portfolio_id WHERE rp.release_id = r.id)
        )), 'B')
        || setweight(to_tsvector('beehive_english', r.body), 'D')""",
    """CREATE INDEX releases_release_search_document ON releases_release
    USING gin (search_document)""",
]
POSTGRES_BACKWARD = [
    "DROP INDEX releases_release_search_document",
    "ALTER TABLE releases_release DROP COLUMN search_document",
    "DROP TEXT SEARCH CONFIGURATION beehive_english",
    # The unaccent extension stays: something else may have come to rely on it.
]


def run(statements):
    """A migration function running the statements for the current database's vendor."""

    def migrate(apps, schema_editor):
        for statement in statements[schema_editor.connection.vendor]:
            schema_editor.execute(statement)

    return migrate


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0002_government"),
    ]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
