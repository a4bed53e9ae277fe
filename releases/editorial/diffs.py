"""Two revisions of a release compared, as staff read it: the words added and removed in
the title and body, and every other change in a plain sentence ("Status: Draft →
Published", "Ministers: added Hon X").

Every piece of user text is escaped before it is wrapped in <ins> or <del>: a title
holding "<script>" shows as text.

The body is compared in two steps, so the corpus's longest body (96,000 characters) takes
a tenth of a second (bench/editorial.py): sentences and lines first, then words inside
the passages that differ. A word-level diff of the whole body would compare every word
with every other, since the same few words ("the", spaces) recur thousands of times.
"""

import dataclasses
import re
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..models import Minister, Portfolio, Release
from .times import nz_time

# A passage ends at a line break or after a sentence's closing punctuation and its spaces.
PASSAGES = re.compile(r"[^\n]*?(?:[.!?]+[ \t]+|\n|$)")
# Words, runs of spaces, and each punctuation mark apart, so "bridge." → "bridge!" marks
# only the mark.
WORDS = re.compile(r"\w+|\s+|[^\w\s]")
# Beyond this many words and spaces, a word-by-word diff (without autojunk) takes too long:
# every space is compared with every other: 2,000 with nothing in common take 0.2 s, and
# 50,000 (a 96,000-character body with no sentence breaks) took 70 s.
PRECISE_LIMIT = 2000
SPACED_WORDS = re.compile(r"\S+\s*|\s+")
# Unchanged passages shown either side of a change; longer unchanged runs are elided.
CONTEXT = 2


@dataclasses.dataclass
class Comparison:
    """What changed from `old` to `new` (reversion Versions of one release)."""

    title: str  # safe HTML
    body: str  # safe HTML
    changes: list  # plain sentences, one per changed field
    body_changed: bool


def compare(old, new):
    """Compare two versions of a release."""
    before, after = old.field_dict, new.field_dict
    return Comparison(
        title=word_diff(before["title"], after["title"]),
        body=body_diff(before["body"], after["body"]),
        changes=plain_changes(before, after),
        body_changed=before["body"] != after["body"],
    )


def word_diff(old, new):
    """`new` as HTML, with the words removed since `old` in <del> and added in <ins>."""
    return mark_safe("".join(_word_pieces(old, new)))  # every piece is escaped


def _word_pieces(old, new):
    a, b = WORDS.findall(old), WORDS.findall(new)
    if len(a) + len(b) > PRECISE_LIMIT:
        yield from _coarse_pieces(old, new)
        return
    # No autojunk: it would treat spaces and common words as noise and mark whole
    # sentences changed.
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            yield escape("".join(a[i1:i2]))
            continue
        yield from _marked("".join(a[i1:i2]), "".join(b[j1:j2]))


def _coarse_pieces(old, new):
    """For long runs with no sentence or line breaks to split on: match words with their
    spaces, letting the commonest count as noise (autojunk), which is fast at any length,
    then mark each differing stretch word by word if it is short enough, else whole."""
    a, b = SPACED_WORDS.findall(old), SPACED_WORDS.findall(new)
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b).get_opcodes():
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            yield escape(removed)
        elif (i2 - i1) + (j2 - j1) <= PRECISE_LIMIT // 2:
            yield from _word_pieces(removed, added)
        else:
            yield from _marked(removed, added)


def _marked(removed, added):
    if removed:
        yield f"<del>{escape(removed)}</del>"
    if added:
        yield f"<ins>{escape(added)}</ins>"


def _passages(text):
    return [p for p in PASSAGES.findall(text) if p]


def body_diff(old, new):
    """The changed passages of the body with a little context, as HTML; unchanged runs
    longer than that read "… unchanged …"."""
    a, b = _passages(old), _passages(new)
    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    pieces = []
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op != "equal":
            pieces.extend(_word_pieces("".join(a[i1:i2]), "".join(b[j1:j2])))
            continue
        same = a[i1:i2]
        head = same[:CONTEXT] if index else []  # context after a change
        tail = same[-CONTEXT:] if index < len(opcodes) - 1 else []  # before the next
        if len(same) <= len(head) + len(tail):
            pieces.append(escape("".join(same)))
            continue
        skipped = len(same) - len(head) - len(tail)
        pieces.append(escape("".join(head)))
        pieces.append(f'<span class="unchanged">[… {skipped} unchanged …]</span>\n')
        pieces.append(escape("".join(tail)))
    return mark_safe("".join(pieces))  # every piece is escaped


def plain_changes(before, after):
    """One sentence for each field other than title and body that differs."""
    changes = []
    for field, label, show in [
        ("status", "Status", _status),
        ("published_at", "Publish time", nz_time),
        ("withdrawal_reason", "Withdrawal reason", str),
        ("date", "Date", _date),
        ("slug", "Address (slug)", str),
        ("source_url", "Source URL", str),
    ]:
        old, new = before.get(field), after.get(field)
        if old != new:
            changes.append(
                f"{label}: {show(old) if old else '(none)'} → {show(new) if new else '(none)'}"
            )
    names = _names(before, after)
    for field, label in [("ministers", "Ministers"), ("portfolios", "Portfolios")]:
        changes.extend(
            _added_removed(label, before.get(field, []), after.get(field, []), names[field])
        )
    changes.extend(
        _added_removed(
            "Attachments", before.get("attachments") or [], after.get("attachments") or []
        )
    )
    return changes


def _status(value):
    return Release.Status(value).label


def _date(value):
    return value.strftime("%-d %B %Y")


def _names(before, after):
    """Each linked minister's and portfolio's name by id, in one query each."""
    names = {}
    for field, model in [("ministers", Minister), ("portfolios", Portfolio)]:
        ids = {*before.get(field, []), *after.get(field, [])}
        names[field] = dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
    return names


def _added_removed(label, old, new, names=None):
    def show(items):
        if names is None:
            return ", ".join(items)
        return ", ".join(names.get(item, f"a record since deleted (#{item})") for item in items)

    added = [item for item in new if item not in old]
    removed = [item for item in old if item not in new]
    parts = []
    if added:
        parts.append(f"added {show(added)}")
    if removed:
        parts.append(f"removed {show(removed)}")
    return [f"{label}: {'; '.join(parts)}"] if parts else []
