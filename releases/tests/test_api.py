"""The read-only JSON API: what a client gets from each endpoint, its parameters, its
errors and headers, and that nothing unpublished ever appears in it."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from releases.editorial import states
from releases.importing import import_releases
from releases.models import Government, Minister, Portfolio, Release
from releases.search import search

from .test_views import JUNE_2021, SEED_SLUG, SEED_TITLE, make_named, make_release, unpublished

pytestmark = pytest.mark.django_db


@pytest.fixture
def june_2021():
    """The real releases of June 2021, imported."""
    assert import_releases([JUNE_2021]).errors == []
    return Release.objects.published().count()


def get(client, address, **params):
    response = client.get(address, params)
    assert response["Content-Type"] == "application/json", response.content[:200]
    return response, response.json()


def test_release_list_gives_every_field_of_published_releases(client, june_2021):
    """Each release comes with its text, times, links, address and government."""
    response, data = get(client, "/api/releases/", page_size=100)
    assert response.status_code == 200
    assert data["count"] == june_2021
    seed = next(r for r in data["results"] if r["slug"] == SEED_SLUG)
    release = Release.objects.get(slug=SEED_SLUG)
    assert seed["id"] == release.pk
    assert seed["title"] == SEED_TITLE
    assert seed["date"] == "2021-06-01"
    assert seed["first_published"].startswith("2021-06-01")
    assert seed["last_updated"] == seed["first_published"]
    assert seed["modified"]
    assert seed["ministers"] == [{"name": "Damien O'Connor", "slug": "damien-oconnor"}]
    assert {"name": "Trade and Export Growth", "slug": "trade-and-export-growth"} in seed[
        "portfolios"
    ]
    assert seed["source_url"] == release.source_url
    assert seed["body_markdown"] == release.body
    assert seed["body_html"] == release.body_html and "<p>" in seed["body_html"]
    assert seed["url"] == f"http://testserver/releases/{SEED_SLUG}/"
    assert seed["government"] == {"name": "Sixth Labour Government", "slug": "sixth-labour"}
    assert seed["attachments"] == release.attachments


@pytest.mark.parametrize("kind", ["draft", "scheduled", "withdrawn"])
def test_unpublished_releases_appear_nowhere_in_the_api(client, kind):
    """Drafts, scheduled and withdrawn releases are in no list, detail or count."""
    minister = make_named(Minister, "Hidden Minister")
    portfolio = make_named(Portfolio, "Hidden Portfolio")
    shown = make_release("Shown release")
    hidden_args = {} if kind == "withdrawn" else unpublished(kind)
    hidden = make_release(
        "Hidden release", ministers=[minister], portfolios=[portfolio], **hidden_args
    )
    if kind == "withdrawn":
        states.withdraw(hidden, "Wrong figures.", User.objects.create_superuser("p"))
    _, data = get(client, "/api/releases/")
    assert [r["slug"] for r in data["results"]] == [shown.slug]
    assert client.get(f"/api/releases/{hidden.slug}/").status_code == 404
    for address in ("/api/ministers/", "/api/portfolios/"):
        assert get(client, address)[1]["count"] == 0
    assert client.get("/api/ministers/hidden-minister/").status_code == 404
    governments = get(client, "/api/governments/")[1]
    assert sum(g["release_count"] for g in governments) == 1
    assert b"Hidden" not in client.get("/api/releases/", {"q": "Hidden"}).content


def test_release_list_takes_the_list_pages_filters(client, june_2021):
    """Search, portfolio, minister, government, year and dates filter as on /releases/."""
    trade = get(client, "/api/releases/", portfolio="trade-and-export-growth", page_size=100)[1]
    in_trade = Release.objects.published().filter(portfolios__slug="trade-and-export-growth")
    assert trade["count"] == in_trade.count() > 0
    searched = get(client, "/api/releases/", q="virtual trade mission Japan")[1]
    assert SEED_SLUG in [r["slug"] for r in searched["results"][:2]]
    one_day = get(client, "/api/releases/", date_after="2021-06-01", date_before="2021-06-01")[1]
    assert {r["date"] for r in one_day["results"]} == {"2021-06-01"}
    assert get(client, "/api/releases/", year=2020)[1]["count"] == 0
    assert get(client, "/api/releases/", government="sixth-labour")[1]["count"] == june_2021
    minister = get(client, "/api/releases/", minister="damien-oconnor", page_size=100)[1]
    assert SEED_SLUG in [r["slug"] for r in minister["results"]]


def test_release_list_pages_are_stable_and_linked(client):
    """Newest first, ties by id; `next` links walk every release once; up to 100 a page."""
    for _ in range(5):
        make_release(date=datetime.date(2021, 6, 1))
    make_release(date=datetime.date(2022, 1, 1))
    seen, address = [], "/api/releases/?page_size=2"
    while address:
        data = client.get(address).json()
        seen += [(r["date"], r["id"]) for r in data["results"]]
        address = data["next"]
    assert len(seen) == 6 == len(set(seen))
    assert seen == sorted(seen, key=lambda d: (d[0], d[1]), reverse=True)
    assert len(get(client, "/api/releases/", page_size=100)[1]["results"]) == 6
    oldest = get(client, "/api/releases/", sort="oldest")[1]["results"]
    assert oldest[0]["date"] == "2021-06-01"


def test_searched_pages_keep_the_order_of_relevance(client):
    """Pages of a search walk its matches in the site's own order, most relevant first,
    each once: a page's rows are loaded after its ids, in the ids' order."""
    for n in range(1, 16):  # the word once to fifteen times, on dates in no rank order
        make_release(date=datetime.date(2021, 1, n * 7 % 16 + 1), body="Harbour news. " * n)
    expected = list(search(Release.objects.published(), "harbour").values_list("slug", flat=True))
    assert len(expected) == 15
    seen, address = [], "/api/releases/?q=harbour&page_size=4"
    while address:
        data = client.get(address).json()
        seen += [r["slug"] for r in data["results"]]
        address = data["next"]
    assert seen == expected


def test_fields_asks_for_less(client, june_2021):
    """?fields=id,title gives just those, for every release."""
    _, data = get(client, "/api/releases/", fields="id,title")
    assert {tuple(r) for r in data["results"]} == {("id", "title")}
    _, one = get(client, f"/api/releases/{SEED_SLUG}/", fields="slug")
    assert one == {"slug": SEED_SLUG}


def test_release_page_costs_the_same_queries_however_many(client, django_assert_num_queries):
    """A page of 2 releases and one of 30, each with links, cost the same queries."""
    minister, portfolio = make_named(Minister, "A Minister"), make_named(Portfolio, "A Folio")
    for count in (2, 30):
        Release.objects.all().delete()
        for _ in range(count):
            make_release(ministers=[minister], portfolios=[portfolio])
        # Content version, count, the page's ids, their rows, ministers, portfolios,
        # governments.
        with django_assert_num_queries(7):
            data = client.get("/api/releases/", {"page_size": 100}).json()
        assert len(data["results"]) == count
        assert all(
            r["ministers"] == [{"name": "A Minister", "slug": "a-minister"}]
            for r in data["results"]
        )


def test_release_detail_gives_one_release(client, june_2021):
    """/api/releases/<slug>/ gives that release; an unknown slug a JSON 404."""
    response, data = get(client, f"/api/releases/{SEED_SLUG}/")
    assert response.status_code == 200 and data["title"] == SEED_TITLE
    response, data = get(client, "/api/releases/no-such-release/")
    assert response.status_code == 404 and data["detail"]


def test_ministers_and_portfolios_have_counts_and_active_years(client):
    """Each minister and portfolio lists its published releases' count and years."""
    minister, portfolio = make_named(Minister, "Jo Bloggs"), make_named(Portfolio, "Health")
    for year in (2019, 2021, 2021):
        make_release(date=datetime.date(year, 3, 1), ministers=[minister], portfolios=[portfolio])
    make_release(ministers=[minister], **unpublished("draft"))
    for kind, slug in (("ministers", "jo-bloggs"), ("portfolios", "health")):
        listed = get(client, f"/api/{kind}/")[1]["results"]
        assert [(r["slug"], r["release_count"], r["active_years"]) for r in listed] == [
            (slug, 3, [2019, 2021])
        ]
        response, one = get(client, f"/api/{kind}/{slug}/")
        assert response.status_code == 200
        assert (one["first_date"], one["last_date"]) == ("2019-03-01", "2021-03-01")
        assert one["url"] == f"http://testserver/{kind}/{slug}/"


def test_governments_have_counts_and_active_years(client):
    """Every government is listed with its term and its releases counted."""
    make_release(date=datetime.date(2021, 6, 1))
    make_release(date=datetime.date(2010, 6, 1))
    listed = get(client, "/api/governments/")[1]
    assert [g["slug"] for g in listed] == list(Government.objects.values_list("slug", flat=True))
    labour = get(client, "/api/governments/sixth-labour/")[1]
    assert (labour["release_count"], labour["active_years"]) == (1, [2021, 2021])
    assert labour["start_date"] == "2017-10-26"
    assert client.get("/api/governments/no-such/").status_code == 404


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page_size=1000", "page_size"),
        ("page_size=x", "page_size"),
        ("date_after=2021-13-45", "date_after"),
        ("date_before=soon", "date_before"),
        ("year=20x1", "year"),
        ("portfolio=no-such-portfolio", "portfolio"),
        ("sort=sideways", "sort"),
        ("modified_since=yesterday", "modified_since"),
        ("modified_since=2021-01-01&year=2021", "modified_since"),
        ("fields=id,nonsense", "fields"),
        ("q=" + "long " * 100, "q"),
    ],
)
def test_bad_parameters_are_a_json_400_naming_them(client, query, parameter):
    """A bad value answers 400 with JSON that names the parameter, never a 500 or HTML."""
    make_release()
    response = client.get(f"/api/releases/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert parameter in data["errors"]
    assert data["detail"].startswith(f"{parameter}:")
    if parameter == "fields":
        assert "nonsense" in data["detail"]


def test_pages_past_the_last_and_unknown_addresses_are_json_404s(client):
    """A page past the end and any address under /api/ naming nothing are JSON 404s."""
    make_release()
    for address in ("/api/releases/?page=9", "/api/nothing/", "/api/releases/x/y/", "/api/x"):
        response = client.get(address)
        assert response.status_code == 404, address
        assert response["Content-Type"] == "application/json"
        assert "detail" in response.json()


def test_api_answers_conditional_requests_with_304(client):
    """ETag and Last-Modified come with each answer; sending them back gives a 304 until
    something changes."""
    release = make_release()
    first = client.get("/api/releases/")
    assert first["ETag"] and first["Last-Modified"]
    assert "public" in first["Cache-Control"]
    again = client.get("/api/releases/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get("/api/releases/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    release.title = "A new title"
    release.save()
    changed = client.get("/api/releases/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed.json()["results"][0]["title"] == "A new title"


def test_api_is_open_to_any_site_with_no_key(client):
    """Every answer, errors too, allows any origin; no session or CSRF cookie is set."""
    make_release()
    for address in ("/api/releases/", "/api/releases/?page=abc", "/api/nope/", "/api/schema/"):
        response = client.get(address, HTTP_ORIGIN="https://example.org")
        assert response["Access-Control-Allow-Origin"] == "*", address
        assert not response.cookies


def test_schema_describes_every_endpoint_and_parameter(client):
    """/api/schema/ is an OpenAPI 3 description naming each endpoint and filter."""
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {
        "/api/releases/", "/api/releases/{slug}/", "/api/ministers/", "/api/ministers/{slug}/",
        "/api/portfolios/", "/api/portfolios/{slug}/", "/api/governments/",
        "/api/governments/{slug}/",
    }  # fmt: skip
    parameters = {p["name"] for p in schema["paths"]["/api/releases/"]["get"]["parameters"]}
    assert parameters >= {"q", "portfolio", "minister", "government", "year", "page", "page_size"}


def test_api_page_documents_every_endpoint_and_sync(client):
    """/api/ in a browser is a page naming every endpoint and parameter, with sync."""
    response = client.get("/api/")
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("/api/releases/", "/api/ministers/", "/api/portfolios/", "/api/governments/",
                 "/api/schema/", "modified_since", "after_id", "page_size", "fields",
                 "date_after", "date_before", "resume", "tombstone"):  # fmt: skip
        assert name in page, name
    assert "<script" not in page


def test_staff_get_a_private_answer(client):
    """A logged-in editor's copy is never shared from the cache."""
    make_release()
    client.force_login(User.objects.create_superuser("staff"))
    response = client.get("/api/releases/")
    assert response.status_code == 200 and "private" in response["Cache-Control"]


def test_scheduled_release_appears_once_its_time_passes(client):
    """A release scheduled for later joins the API's list when its time comes."""
    soon = timezone.now() + datetime.timedelta(hours=1)
    make_release("Later", published_at=soon)
    assert get(client, "/api/releases/")[1]["count"] == 0
    Release.objects.update(published_at=timezone.now() - datetime.timedelta(seconds=1))
    assert get(client, "/api/releases/")[1]["count"] == 1
