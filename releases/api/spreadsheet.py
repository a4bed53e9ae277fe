"""The CSV of any filtered release list (/releases/csv/?<the list's filters>): one row per
release, streamed, so that the whole archive never sits in memory.

Written for spreadsheets: UTF-8 with a byte order mark (without it Excel reads Māori
macrons as Latin-1), a header row, and any cell that a spreadsheet would run as a formula
(one beginning =, +, -, @, a tab or a carriage return) made text with a leading '.
"""

import csv
import functools
import itertools

from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse

from ..filters import ReleaseFilter
from ..models import Government, Release
from ..sqlite import unmapped
from .links import links
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
    releases = Release.objects.published().with_times().newest_first()
    filterset = ReleaseFilter(request.GET or None, queryset=releases, request=request)
    if filterset.is_bound and not filterset.is_valid():
        errors = "; ".join(f"{name}: {' '.join(m)}" for name, m in filterset.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(
        _lines(request, filterset.qs), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="releases.csv"'
    return response


# Plain rows, not model instances (see links.py): building 55,000 releases with their
# prefetched links took eight times as long as writing them out.
COLUMNS = ["pk", "slug", "title", "date", "first_published", "last_updated", "source_url",
           "attachments"]  # fmt: skip


def _lines(request, releases):
    writer = csv.writer(_Line())
    governments = list(Government.objects.all())
    in_office = functools.lru_cache(maxsize=None)(lambda day: government_of(day, governments))
    # One reverse() for the address pattern, not one a row.
    address = request.build_absolute_uri(reverse("releases:detail", kwargs={"slug": "-"}))
    before, after = address.rsplit("/-/", 1)
    yield ("\ufeff" + writer.writerow(HEADER)).encode()
    rows = releases.values_list(*COLUMNS).iterator(chunk_size=CHUNK)
    with unmapped():  # the whole archive, perhaps
        while chunk := list(itertools.islice(rows, CHUNK)):
            ministers, portfolios = links([row[0] for row in chunk])
            lines = []
            for pk, slug, title, day, first, last, source_url, attachments in chunk:
                government = in_office(day)
                row = [
                    pk, slug, title, day, first and first.isoformat(), last and last.isoformat(),
                    "; ".join(n for n, _ in ministers[pk]), "; ".join(n for n, _ in portfolios[pk]),
                    government and government.name, f"{before}/{slug}/{after}", source_url,
                    "; ".join(attachments),
                ]  # fmt: skip
                lines.append(writer.writerow([neutralise(cell) for cell in row]))
            yield "".join(lines).encode()
