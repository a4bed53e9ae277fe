"""Migrations that rewrite stored releases keep every one of them, searchable."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from .conftest import fixture

BEFORE = [("releases", "0005_import_index")]
# 0006 moves columns and re-indexes; 0007 rewrites every row on PostgreSQL.
AFTER = [("releases", "0007_generated_search_vector")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_search_names_and_row_layout_keep_releases_and_their_search():
    """Releases stored before migration 0006 keep every field and their links, and are
    found by their words and their ministers' and portfolios' names after it and 0007."""
    old = migrate(BEFORE)
    minister = old.get_model("releases", "Minister").objects.create(
        name="Todd McClay", slug="todd-mcclay"
    )
    portfolio = old.get_model("releases", "Portfolio").objects.create(name="Trade", slug="trade")
    release = old.get_model("releases", "Release").objects.create(
        title="Trade mission to Japan",
        slug="trade-mission",
        body="A **virtual** mission.",
        body_html="<p>A <strong>virtual</strong> mission.</p>",
        attachments=["https://example.com/a.pdf"],
        front_matter="title: Trade mission to Japan",
        status="published",
        import_key="2021-06-01 https://example.com/trade",
        content_hash="abc",
    )
    release.ministers.add(minister)
    release.portfolios.add(portfolio)
    try:
        new = migrate(AFTER)
        migrated = new.get_model("releases", "Release").objects.get()
        assert (migrated.pk, migrated.title, migrated.body, migrated.attachments) == (
            release.pk,
            "Trade mission to Japan",
            "A **virtual** mission.",
            ["https://example.com/a.pdf"],
        )
        assert migrated.body_html == "<p>A <strong>virtual</strong> mission.</p>"
        assert migrated.front_matter == "title: Trade mission to Japan"
        assert migrated.search_names == "Todd McClay Trade"
        assert list(migrated.ministers.values_list("name", flat=True)) == ["Todd McClay"]

        from releases.models import Release
        from releases.search import search

        for words in ("virtual mission", "McClay", "Trade Japan"):
            assert list(search(Release.objects.all(), words).values_list("pk", flat=True)) == [
                release.pk
            ]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("releases"))


@pytest.mark.django_db(transaction=True)
def test_links_rendered_before_0011_are_mended():
    """Bodies stored with an empty href or a bare www. host are mended by migration 0011;
    text that only looks like such an attribute is left as it is."""
    old = migrate([("releases", "0010_publish_permission")])
    body_html = (
        '<p><a href="" rel="nofollow">the report</a> and <a href="www.dbh.govt.nz">DBH</a>'
        ' <code>href=""</code></p>'
    )
    old.get_model("releases", "Release").objects.create(
        title="Links", slug="links", body_html=body_html, content_hash="abc"
    )
    try:
        new = migrate([("releases", "0011_mend_empty_and_bare_host_links")])
        assert new.get_model("releases", "Release").objects.get().body_html == (
            '<p><a rel="nofollow">the report</a> and <a href="https://www.dbh.govt.nz">DBH</a>'
            ' <code>href=""</code></p>'
        )
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("releases"))


@pytest.mark.django_db(transaction=True)
def test_releases_stored_before_0012_keep_their_own_dates_and_their_search():
    """A release imported before migration 0012 is last updated on its own date, not the
    day of its import or of the migration, and search still finds it (SQLite adds the new
    columns in place, keeping the search triggers)."""
    old = migrate([("releases", "0011_mend_empty_and_bare_host_links")])
    first = datetime.datetime(2021, 6, 1, tzinfo=datetime.UTC)  # as the importer stamps it
    old.get_model("releases", "Release").objects.create(
        title="Trade mission to Japan",
        slug="trade-mission",
        date=datetime.date(2021, 6, 1),
        status="published",
        published_at=first,
        import_key="2021-06-01 https://example.com/trade",
        body="A virtual mission.",
    )
    try:
        # To the latest, which the model below reads: 0012 and every one after it.
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("releases"))
        from releases.models import Release
        from releases.search import search

        release = Release.objects.with_times().get()
        assert release.updated_at.date() > datetime.date(2021, 6, 1)
        assert release.first_published == release.last_updated == first
        assert Release.objects.published().latest_update() == first
        assert (release.status, release.withdrawn_at, release.withdrawal_reason) == (
            "published", None, None,
        )  # fmt: skip
        assert list(search(Release.objects.all(), "virtual mission")) == [release]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("releases"))


def stored_before_0024(relative, body_html):
    """A real release's (body, source_url, body_html) as the site stored it before 0024."""
    text = fixture(relative).read_text(encoding="utf-8")
    url = next(line[5:] for line in text.splitlines() if line.startswith("url: "))
    return {"body": text.split("---", 2)[2], "source_url": url, "body_html": body_html}


@pytest.mark.django_db(transaction=True)
def test_phone_links_and_empty_links_are_mended_by_0024():
    """After migration 0024 real releases stored before it show their tel: link again,
    and no empty link or link without an address, and headings skip no level; a release
    with none of these keeps its stored HTML untouched."""
    from releases.rendering import render_markdown

    phone = stored_before_0024(
        "2018/02/2018-02-12-new-zealand-assist-following-cyclone-gita.md", None
    )
    phone["body_html"] = render_markdown(phone["body"], phone["source_url"]).replace(
        ' href="tel:021%20195%203528"', ""
    )  # as the sanitiser left it when it removed tel: addresses
    empty = stored_before_0024(
        "2008/12/2008-12-16-veterans-affairs-minister-releases-briefing-paper.md",
        "<p>Veterans' Affairs Minister Judith Collins today released the briefing paper to "
        "the incoming Minister from Veterans' Affairs New Zealand.</p>\n<p><a href=\"https://"
        'www.beehive.govt.nz/sites/all/files/Veterans_BIM.pdf" rel="nofollow noopener '
        'noreferrer"></a></p>\n',
    )
    no_href = stored_before_0024(
        "2003/12/2003-12-10-nz-australia-regulate-medicines-and-therapeutic-products.md",
        '<p>The Australian and New Zealand Governments have signed a <a rel="nofollow noopener'
        ' noreferrer">Treaty</a>"&gt;www.jtaproject.com</p>\n',
    )
    headings = {"body": "### Overview\n\nText", "body_html": "<h3>Overview</h3>\n<p>Text</p>\n"}
    plain = {"body": "No links here.", "body_html": "<p>As it was stored.</p>"}
    old = migrate([("releases", "0023_content_version")])
    Release = old.get_model("releases", "Release")
    for n, fields in enumerate([phone, empty, no_href, plain, headings]):
        Release.objects.create(title=f"Release {n}", slug=f"release-{n}", content_hash=n, **fields)
    try:
        new = migrate([("releases", "0025_keep_phone_links_and_mend_anchors")])
        html = dict(new.get_model("releases", "Release").objects.values_list("slug", "body_html"))
        assert (
            'Secretary, <a href="tel:021%20195%203528" rel="nofollow noopener noreferrer">021 195 3528</a>'
            in html["release-0"]
        )
        assert html["release-1"].endswith("New Zealand.</p>\n<p></p>\n")
        assert html["release-2"] == (
            '<p>The Australian and New Zealand Governments have signed a Treaty"&gt;www.jtaproject.com</p>\n'
        )
        for slug, fields in zip(["release-0", "release-1", "release-2"], [phone, empty, no_href]):
            assert html[slug] == render_markdown(fields["body"], fields["source_url"])
        assert html["release-3"] == "<p>As it was stored.</p>"
        assert html["release-4"] == "<h2>Overview</h2>\n<p>Text</p>\n"
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("releases"))


@pytest.mark.django_db(transaction=True)
def test_releases_at_a_reserved_address_move_to_a_free_one(client):
    """A release stored before 0028 as /releases/feed/ (which the feed shadowed) moves to a
    free address, where its page is, and stays searchable; the others keep theirs."""
    old = migrate([("releases", "0027_title_search_index")])
    Release = old.get_model("releases", "Release")
    published = {
        "status": "published",
        "published_at": datetime.datetime(2021, 6, 1, tzinfo=datetime.UTC),
    }
    for n, slug in enumerate(["feed", "feed-release", "csv-news"]):
        Release.objects.create(
            title=f"Kākāpō count {n}", slug=slug, body="News.", content_hash=n, **published
        )
    try:
        migrate([("releases", "0028_reserved_release_slugs")])
        from releases.models import Release
        from releases.search import search

        moved = Release.objects.get(title="Kākāpō count 0")
        assert moved.slug == "feed-release-2"
        # The page as the site serves it, with every later migration applied.
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("releases"))
        assert "Kākāpō count 0" in client.get(moved.get_absolute_url()).content.decode()
        assert sorted(Release.objects.values_list("slug", flat=True)) == [
            "csv-news", "feed-release", "feed-release-2"
        ]  # fmt: skip
        assert search(Release.objects.all(), "kakapo").count() == 3
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("releases"))
