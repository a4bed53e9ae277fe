"""The admin, a module for each part: names.py (ministers and portfolios), releases.py
(releases, with filters.py for its change list's filters, and sharing.py, attachments.py
and revisions.py for its previews and share links, uploads, and history), imports.py
(import runs). Importing them registers them."""

from django.contrib import admin

from . import imports, names, releases  # noqa: F401

# Staff see this site's name, not "Django administration".
admin.site.site_header = "Beehive: New Zealand Government releases"
admin.site.site_title = "Beehive staff"
admin.site.index_title = "Releases, ministers and portfolios"
