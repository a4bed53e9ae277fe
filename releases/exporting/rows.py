"""Releases read a chunk at a time, each with its ministers and portfolios in their order.

Nothing holds the whole archive: a chunk of CHUNK releases is read by id (a range of the
primary key, not OFFSET, so each chunk costs the same), then the links of that range from
the two link tables; names come from one dictionary of every minister and portfolio.
"""

import collections
import json
import re
from concurrent.futures import ThreadPoolExecutor

from ..models import Release
from ..sqlite import unmapped

CHUNK = 2000  # releases: about 10 MB of bodies, three queries
# What JSON leaves raw that a reader may take for the end of a line (Python's
# splitlines() does, and YAML 1.1 folds them in a quoted scalar: U+0085, U+2028, U+2029),
# with the other C1 controls, a BOM and the non-characters YAML refuses.
UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def to_json(value):
    """`value` as JSON on one line, readable as UTF-8 text and as a YAML double-quoted
    scalar (JSON's escapes are YAML's too)."""
    text = json.dumps(value, ensure_ascii=False)
    return UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def names(model):
    """{pk: (name, slug)} of every minister or portfolio: a few hundred of each."""
    return {pk: (name, slug) for pk, name, slug in model.objects.values_list("pk", "name", "slug")}


def links(through, column, first, last):
    """{release id: [linked ids]} for releases first..last, in the order they were linked:
    the link table's id order, which is the source's (the first portfolio is the main one)."""
    linked = {}
    rows = (
        through.objects.filter(release_id__gte=first, release_id__lte=last)
        .order_by("pk")
        .values_list("release_id", column)
    )
    for release_id, target in rows:
        linked.setdefault(release_id, []).append(target)
    return linked


def chunks(queryset, fields, size=CHUNK):
    """Yield lists of release rows (dicts of `fields`, plus `ministers` and `portfolios`
    as lists of minister/portfolio ids), in id order, `size` at a time."""
    with unmapped():
        last = 0
        while rows := list(
            queryset.filter(pk__gt=last).order_by("pk").values("pk", *fields)[:size]
        ):
            first, last = rows[0]["pk"], rows[-1]["pk"]
            ministers = links(Release.ministers.through, "minister_id", first, last)
            portfolios = links(Release.portfolios.through, "portfolio_id", first, last)
            for row in rows:
                row["ministers"] = ministers.get(row["pk"], [])
                row["portfolios"] = portfolios.get(row["pk"], [])
            yield rows


class WriteBehind:
    """Calls a writer in one background thread, in order, while this thread reads and
    formats the next chunks: zlib and file writes let go of the GIL, so compressing one
    chunk overlaps reading the next. At most `ahead` calls wait, which bounds memory; a
    writer's error is raised here, at the next call or at the end."""

    def __init__(self, ahead=2):
        self.pool, self.pending, self.ahead = ThreadPoolExecutor(1), collections.deque(), ahead

    def __enter__(self):
        return self

    def __call__(self, function, *args):
        self.pending.append(self.pool.submit(function, *args))
        while len(self.pending) > self.ahead:
            self.pending.popleft().result()

    def __exit__(self, *exc_info):
        try:
            while self.pending:  # after an error too: nothing may write once we return
                future = self.pending.popleft()
                if exc_info[0] is None:
                    future.result()
                else:
                    future.exception()
        finally:
            self.pool.shutdown()
