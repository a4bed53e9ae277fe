"""The read-only JSON API under /api/ and the CSV of a release list: public data only,
from the same querysets and FilterSet as the pages (DESIGN.md: "api/")."""
