"""The CSV of any filtered release list (/releases/csv/?<the list's filters>): one row per
release, streamed, so that the whole archive never sits in memory.

Written for spreadsheets: UTF-8 with a byte order mark (without it Excel reads Māori
macrons as Latin-1), a header row, and any cell that a spreadsheet would run as a formula
(one beginning =, +, -, @, a tab or a carriage return) made text with a leading '.
"""

import csv

from django.http import HttpResponse, StreamingHttpResponse

from ..filters import ReleaseFilter
from ..models import Government, Release
from .serializers import government_of

# Rows fetched (and their links prefetched) at a time: memory stays flat however many.
CHUNK = 2000
HEADER = [
    "id", "slug", "title", "date", "first_published", "last_updated", "ministers",
    "portfolios", "government", "url", "source_url", "attachments",
]  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell):
    """A cell as text a spreadsheet shows rather than runs."""
    cell = "" if cell is None else str(cell)
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


class _Line:
    """A file for csv.writer that hands back each line instead of keeping it."""

    def write(self, line):
        return line


def release_csv(request):
    """The releases of /releases/ with the same query string, as a CSV download; a bad
    filter is a 400 naming it, as the list's form would."""
    releases = Release.objects.published().with_links().with_times()
    releases = releases.only("title", "slug", "date", "source_url", "attachments", "published_at")
    filterset = ReleaseFilter(
        request.GET or None, queryset=releases.newest_first(), request=request
    )
    if filterset.is_bound and not filterset.is_valid():
        errors = "; ".join(f"{name}: {' '.join(m)}" for name, m in filterset.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(
        _lines(request, filterset.qs), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="releases.csv"'
    return response


def _lines(request, releases):
    writer = csv.writer(_Line())
    governments = list(Government.objects.all())
    site = request.build_absolute_uri("/")[:-1]
    yield ("\ufeff" + writer.writerow(HEADER)).encode()
    lines = []
    for release in releases.iterator(chunk_size=CHUNK):
        government = government_of(release, governments)
        row = [
            release.pk,
            release.slug,
            release.title,
            release.date,
            release.first_published and release.first_published.isoformat(),
            release.last_updated and release.last_updated.isoformat(),
            "; ".join(m.name for m in release.ministers.all()),
            "; ".join(p.name for p in release.portfolios.all()),
            government and government.name,
            site + release.get_absolute_url(),
            release.source_url,
            "; ".join(release.attachments),
        ]
        lines.append(writer.writerow([neutralise(cell) for cell in row]))
        if len(lines) == CHUNK:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()
