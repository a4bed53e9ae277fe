"""Times as staff read them in the admin: New Zealand time, always with its zone, since
the same clock time means a different instant in NZST (winter) and NZDT (summer)."""

import zoneinfo

from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.timesince import timeuntil

NEW_ZEALAND = zoneinfo.ZoneInfo("Pacific/Auckland")


def nz_time(moment):
    """'3 June 2026, 9:00 am NZST'; '' for no time."""
    if moment is None:
        return ""
    local = moment.astimezone(NEW_ZEALAND)
    return f"{format_date(local, 'j F Y, g:i')} {local.strftime('%p').lower()} {local.tzname()}"


def goes_live(release, now=None):
    """For a scheduled release, 'Goes live 3 June 2026, 9:00 am NZST (in 2 days)'; else ''."""
    now = now or timezone.now()
    if release.status != release.Status.PUBLISHED or not release.published_at:
        return ""
    if release.published_at <= now:
        return ""
    return f"Goes live {nz_time(release.published_at)} (in {timeuntil(release.published_at, now, depth=1)})"
