"""Taking the data out: every release as Markdown the importer reads back (markdown.py) and
the public archive as one gzipped JSON Lines file (bulk.py), both streamed from the
database a chunk at a time (rows.py)."""

from .bulk import bulk_download_info, write_bulk_download
from .markdown import ExportResult, export_releases

__all__ = ["ExportResult", "bulk_download_info", "export_releases", "write_bulk_download"]
