"""Uploaded attachments, served so that none can ever run script on this site.

Storage is never mounted at a public address: each file goes through `download`, which
checks that its release may be seen (the public's viewable(), or staff) and sends it with
the type its content was checked as (editorial/uploads.py), never one guessed from its name
or its bytes by the browser. Documents are downloads; images, shown in release bodies,
are served inline. Either way a Content-Security-Policy `sandbox` means that even a file
that got past every check would open as an inert page with no script and no origin.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from .editorial import uploads

# Replaces the site's policy (django-csp leaves a header a view has set): a file needs
# nothing from anywhere, and `sandbox` gives any document it becomes a unique origin.
FILE_POLICY = "default-src 'none'; sandbox"


@require_safe
def download(request, pk, name):
    """An attachment's file by its id and name; 404 for any other name, for a release
    the user may not see, and for a file gone from storage."""
    attachment = get_object_or_404(uploads.downloadable(request.user), pk=pk)
    if name != attachment.filename:
        raise Http404("No such attachment.")
    try:
        file = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is no longer stored.") from None
    kind = uploads.kind_of(attachment)
    response = FileResponse(
        file,
        as_attachment=not kind.is_image,
        filename=attachment.filename,
        content_type=kind.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    if not attachment.public:
        # A draft's file, fetched by staff: keep it out of shared caches.
        response["Cache-Control"] = "private, no-store"
    return response
