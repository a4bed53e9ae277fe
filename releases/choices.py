"""The portfolio and minister checkboxes of the filter forms (includes/filter_choices.html):
which boxes a page offers, in what order, and with what counts.

232 portfolios and 193 ministers are too many boxes to scroll past on a phone, and too many
to render on every list page: the release list offers the SHORT_LIST holding most of the
current results, every ticked one too, and a link to a page with all of them
(views.filter_choices). A portfolio's or minister's own page, whose choices number a few
dozen at most, keeps the rest in a disclosure. The counts come from
ReleaseFilter.choice_counts().
"""

import dataclasses

SHORT_LIST = 10


@dataclasses.dataclass(frozen=True)
class Choice:
    """One checkbox. The first of a group has the field's own id, which the form's error
    summary links to, as GOV.UK's checkboxes do."""

    id: str
    slug: str
    name: str
    count: int | None  # None where the group is not counted (ReleaseFilter.choice_counts)
    checked: bool


@dataclasses.dataclass(frozen=True)
class ChoiceGroup:
    """A fieldset of checkboxes: `choices` shown, `more` behind a disclosure, and whether a
    page with every choice exists (`show_all`)."""

    name: str  # the query parameter: "portfolio" or "minister"
    legend: str
    choices: list
    more: list
    errors: list
    counted: bool
    show_all: bool


def _group(filterset, name, first, rest=(), counted=True, show_all=False):
    ticked = {record.pk for record in _ticked(filterset, name)}
    records = [*first, *rest]
    counts = {r.pk: getattr(r, "release_count", 0) if counted else None for r in records}
    boxes = [
        Choice(
            id=f"id_{name}" if n == 0 else f"id_{name}_{record.slug}",
            slug=record.slug,
            name=record.name,
            count=counts[record.pk],
            checked=record.pk in ticked,
        )
        for n, record in enumerate(records)
    ]
    return ChoiceGroup(
        name=name,
        legend=filterset.filters[name].label,
        choices=boxes[: len(first)],
        more=boxes[len(first) :],
        errors=list(filterset.form.errors.get(name, [])) if filterset.is_bound else [],
        counted=counted,
        show_all=show_all,
    )


def _ticked(filterset, name):
    return list(getattr(filterset.form, "cleaned_data", {}).get(name) or ())


def short_group(filterset, name, counted, show_all):
    """The group `name` of `counted`, ReleaseFilter.choice_counts()'s (records most first,
    with `release_count`; whether those count for the results): the SHORT_LIST first and
    any ticked box after them, then either a link to every choice (`show_all`) or the rest,
    behind a disclosure."""
    counted, counts_shown = counted
    ticked = _ticked(filterset, name)
    ticked_pks = {record.pk for record in ticked}
    counted_pks = {record.pk for record in counted}
    # A ticked one the counts leave out holds none of the results (with a year, say).
    records = [*counted, *(record for record in ticked if record.pk not in counted_pks)]
    first = records[:SHORT_LIST] + [r for r in records[SHORT_LIST:] if r.pk in ticked_pks]
    rest = [] if show_all else [r for r in records[SHORT_LIST:] if r.pk not in ticked_pks]
    return _group(filterset, name, first, rest, counts_shown, show_all)


def every_choice(filterset, name, counted):
    """The group `name` with every choice the form accepts, A-Z, each with its count in
    `counted`, choice_counts()'s (0 if it holds none of the results)."""
    counted, counts_shown = counted
    counts = {record.pk: record.release_count for record in counted}
    records = list(filterset.form.fields[name].queryset.order_by("name"))
    for record in records:
        record.release_count = counts.get(record.pk, 0)
    return _group(filterset, name, records, counted=counts_shown)
