"""The bulk download, sent as the file it is (exporting/bulk.py writes it)."""

import os

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from .exporting.bulk import FILE_NAME, bulk_download_path


def bulk_download(request):
    """The whole public archive as gzipped JSON Lines, with its Content-Length and
    Last-Modified, answering conditional requests with 304; 404 until it is generated.

    Not in the page cache: a file of a hundred megabytes is read from disk as it is sent.
    Opened before it is measured, so a regeneration renaming a new file over it meanwhile
    never mixes the old file's size with the new one's bytes.
    """
    try:
        file = bulk_download_path().open("rb")
    except FileNotFoundError:
        raise Http404("The bulk download has not been generated yet.") from None
    stat = os.fstat(file.fileno())
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    conditional = get_conditional_response(request, etag=etag, last_modified=int(stat.st_mtime))
    if conditional is not None:
        file.close()
        patch_cache_control(conditional, public=True, max_age=settings.CACHE_MAX_AGE)
        return conditional
    response = FileResponse(
        file, as_attachment=True, filename=FILE_NAME, content_type="application/gzip"
    )
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.CACHE_MAX_AGE)
    return response
