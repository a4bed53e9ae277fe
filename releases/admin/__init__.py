"""The admin, a module for each part: names.py (ministers and portfolios), releases.py
(releases, with sharing.py, attachments.py and revisions.py for its previews and share
links, uploads, and history), imports.py (import runs). Importing them registers them."""

from . import imports, names, releases  # noqa: F401
