"""Import Markdown releases with YAML front matter from files, folders and archives.

The stages, one module each, in the order data flows:
sources.py (files, folders, archives -> bytes) -> parsing.py (front matter, checks ->
ParsedRelease) -> writing.py (names, slugs, batches -> rows); pipeline.py runs them
together, and results.py holds what every stage reports.

Identity: an imported release is the file's (date, source URL) pair, stored as
`Release.import_key`. The URL alone is not enough: the old site reused 26 addresses for two
different releases on different dates. Re-running skips any file whose bytes hash to a
release already stored, without parsing it; a changed file updates its release in place
(same id, same slug).
"""

from .pipeline import import_releases
from .results import ImportResult, Problem, StrictModeError

__all__ = ["ImportResult", "Problem", "StrictModeError", "import_releases"]
