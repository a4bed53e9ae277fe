"""The release archive: releases, the ministers who issued them and their portfolios.

A Release links to any number of Ministers and Portfolios. A person or a portfolio is one
record however the source spells it: every spelling seen is kept as an alias whose folded
key (see names.py) points at the record, so later imports map to the same row.
"""

from .catalogue import (
    Government,
    MergedAddress,
    Minister,
    MinisterAlias,
    Portfolio,
    PortfolioAlias,
)
from .departures import Departure, record_departure, record_departures
from .editorial import Attachment, ImportRun, ShareLink, UpdateNote, attachment_path
from .release import RESERVED_SLUGS, Release, validate_attachments
from .versions import ContentVersion

__all__ = [
    "RESERVED_SLUGS", "Attachment", "ContentVersion", "Departure", "Government", "ImportRun", "MergedAddress", "Minister", "MinisterAlias",
    "Portfolio", "PortfolioAlias", "Release", "ShareLink", "UpdateNote", "attachment_path",
    "record_departure", "record_departures", "validate_attachments",
]  # fmt: skip
