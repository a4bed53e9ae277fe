"""Filters for release listings, built with django-filter.

Every filter works through a ReleaseQuerySet verb, so listings, feeds and anything else
that filters releases agree on what "in this portfolio" or "in 2021" means. Portfolios,
ministers and governments are chosen by slug, which keeps addresses readable
(`?portfolio=health&portfolio=education`) and turns an unknown slug into a form error.
"""

import dataclasses
import functools
import re

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.choices import CallableChoiceIterator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .facets import facets
from .models import Government, Minister, Portfolio
from .search import search

SLUGS = extend_schema_field(OpenApiTypes.STR)

# More than there are portfolios or ministers: a limit for facets() that leaves none out.
EVERY = 10_000

# The longest search accepted, in characters: room for a pasted title or two. Every link on
# the results page carries the search, so a longer one is a form error, not repeated.
MAX_SEARCH_LENGTH = 300

SORT_CHOICES = [
    ("relevance", "Most relevant first (when searching)"),
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
]


@dataclasses.dataclass(frozen=True)
class ActiveFilter:
    """One value the listing is filtered by, and the query string without it."""

    label: str
    value: str
    remove_query: str


class YearFilter(django_filters.NumberFilter):
    """A whole year: '2021' is one, '2021.5' is a form error."""

    field_class = forms.IntegerField


# A day written day first with spaces, dots or dashes: read as DATE_INPUT_FORMATS' 27/3/2021.
DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[\s./-]+(\d{1,2})[\s./-]+(\d{4})")


class DayFirstDateField(forms.DateField):
    """A day as people in New Zealand write it, day first (27/3/2021, 27 3 2021, 27-3-2021,
    27.3.2021: beehive/formats/en_NZ), or as links and date inputs send it (2021-03-27)."""

    default_error_messages = {
        "invalid": "Enter a real date, day first, for example 27 3 2021.",
    }

    def to_python(self, value):
        if isinstance(value, str) and (day := DAY_MONTH_YEAR.fullmatch(value.strip())):
            value = "/".join(day.groups())
        return super().to_python(value)


class DayRangeField(django_filters.fields.RangeField):
    """From and to dates as plain days, which is what a release's date is. django-filter's
    own turns them into the first and last instant of each day in the site's time zone."""

    widget = django_filters.widgets.DateRangeWidget

    def __init__(self, *args, **kwargs):
        super().__init__((DayFirstDateField(), DayFirstDateField()), *args, **kwargs)

    def compress(self, data_list):
        if data_list and None not in data_list and data_list[0] > data_list[1]:
            raise forms.ValidationError("The first date is after the second.", code="order")
        return super().compress(data_list)


class DayRangeFilter(django_filters.DateFromToRangeFilter):
    field_class = DayRangeField


def with_published_releases(model):
    """Choices of the portfolios or ministers the public may know of: one named only on
    drafts or embargoed releases is neither offered nor accepted, so a form or a feed never
    reveals what is not yet announced. Built for each request, as published() reads the
    clock, and only when first used (see NameChoiceField)."""
    return lambda request: model.objects.with_published_releases


class NameChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose queryset may be a function giving it, called when
    the queryset is first read: to check a ticked value or list every choice. Most
    listings do neither (nothing is ticked, and the checkboxes come from the counts):
    validating the release list's form took 2.8 ms with both querysets built, 0.6 without."""

    def _get_queryset(self):
        if callable(self._queryset):  # a QuerySet is not callable
            self._queryset = self._queryset()
        return self._queryset

    def _set_queryset(self, queryset):
        if callable(queryset):
            self._queryset = queryset
            # The choices' iterator reads the queryset as it is made: made when listed.
            self.widget.choices = CallableChoiceIterator(lambda: self.choices)
        else:
            super()._set_queryset(queryset)

    queryset = property(_get_queryset, _set_queryset)

    def clean(self, value):
        if not value and not self.required:
            return []  # where Django's answers queryset.none(), building the queryset
        return super().clean(value)

    def __deepcopy__(self, memo):
        # Django's own reads the queryset to copy it; the function is copied as it is.
        if not callable(self._queryset):
            return super().__deepcopy__(memo)
        result = super(forms.ChoiceField, self).__deepcopy__(memo)
        result.queryset = self._queryset
        return result


class NameFilter(django_filters.ModelMultipleChoiceFilter):
    """Portfolios or ministers, by slug, ticked as checkboxes."""

    field_class = NameChoiceField


def sort_filter(choices):
    return django_filters.ChoiceFilter(
        choices=choices, method="sort_releases", label="Order", empty_label=None
    )


class ReleaseFilter(django_filters.FilterSet):
    """The filters of the release list: words, portfolios, ministers, government, year,
    dates. Search comes first: it narrows the releases and ranks them by relevance."""

    q = django_filters.CharFilter(
        method="filter_search",
        label="Words",
        max_length=MAX_SEARCH_LENGTH,
        help_text='All words must match. Use "quotes" for a phrase, -word or NOT word to leave '
        "a word out, and OR between words for either.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    portfolio = NameFilter(
        queryset=with_published_releases(Portfolio),
        to_field_name="slug",
        method="filter_portfolios",
        label="Portfolios",
        widget=forms.CheckboxSelectMultiple,
    )
    minister = NameFilter(
        queryset=with_published_releases(Minister),
        to_field_name="slug",
        method="filter_ministers",
        label="Ministers",
        widget=forms.CheckboxSelectMultiple,
    )
    government = django_filters.ModelChoiceFilter(
        queryset=Government.objects.all(),
        to_field_name="slug",
        method="filter_government",
        label="Government",
        empty_label="Any government",
    )
    year = YearFilter(
        method="filter_year",
        label="Year",
        min_value=1,
        max_value=9999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    date = DayRangeFilter(
        method="filter_dates",
        label="Dated between",
        # Text, not type="date", whose format follows the browser's language, not the hint's.
        widget=django_filters.widgets.DateRangeWidget(attrs={"inputmode": "numeric"}),
    )
    sort = sort_filter(SORT_CHOICES)

    # The checkbox groups (templates/includes/filter_choices.html): each filter's facet in
    # facets.facets().
    GROUPS = {"portfolio": "portfolios", "minister": "ministers"}

    # How each query parameter is named when shown as an active, removable filter.
    LABELS = {
        "q": "Words",
        "portfolio": "Portfolio",
        "minister": "Minister",
        "government": "Government",
        "year": "Year",
        "date_after": "From",
        "date_before": "To",
    }

    def __init__(self, data=None, *args, ministers=None, portfolios=None, **kwargs):
        """`ministers` and `portfolios`, if given, narrow those choices (say, to the
        ministers who released in one portfolio)."""
        super().__init__(data, *args, **kwargs)
        for name, choices in (("minister", ministers), ("portfolio", portfolios)):
            if choices is not None and name in self.filters:
                self.filters[name].queryset = choices

    def in_use(self):
        """The names of the valid filters that narrow the results (an order does not)."""
        return {"date" if key.startswith("date_") else key for key in self.link_query} - {"sort"}

    def choice_counts(self, limit, unfiltered, page=None):
        """For each checkbox group of `unfiltered` this form has, its choices most used
        first, each with `release_count`, and whether those are counts of what ticking each
        box alone lists; and "total", the number of results if it was counted on the way,
        else None (the paginator then counts them).

        Without another filter in use, a group's counts are the whole listing's, which
        `unfiltered[name](limit)` gives for free (the tallies, or a list the page shows
        anyway); a group in use is then given in full, so that each ticked box has its count.
        With other filters, a group not in use is counted in the results, by one
        facets.facets() statement shared by such groups. A group in use among other filters
        is not counted (its order is `unfiltered`'s): its counts would need a statement of
        their own, over the results of the other filters, which cost 20 ms or more on the
        full archive (a year of releases) and put the list page past its 50 ms.

        That statement also picks the ids of the results' `page` (a slice), if given, where
        facets() can: "page", else None (then the page is found as usual).
        """
        in_use = self.in_use()
        counted = {"total": None, "page": None}
        groups = [name for name in unfiltered if name in self.filters]
        if in_use:
            shared = [self.GROUPS[name] for name in groups if name not in in_use]
            found = facets(self.qs, limit, kinds=shared, page=page)  # "total" whatever the kinds
            counted["total"], counted["page"] = found["total"], found.get("page")
        for name in groups:
            if not in_use - {name}:
                counted[name] = (unfiltered[name](EVERY if name in in_use else limit), True)
            elif name in in_use:
                counted[name] = (unfiltered[name](limit), False)
            else:
                counted[name] = (found[self.GROUPS[name]], True)
        return counted

    # django-filter calls a multiple-choice method even when nothing was chosen (the
    # value is then an empty queryset), so both methods must let that through.
    def filter_search(self, queryset, name, query):
        return search(queryset, query)

    # The API's schema (drf-spectacular) cannot tell from a method what a filter's values
    # are: for these three, slugs.
    @SLUGS
    def filter_portfolios(self, queryset, name, portfolios):
        return queryset.for_any_portfolio([p.pk for p in portfolios]) if portfolios else queryset

    @SLUGS
    def filter_ministers(self, queryset, name, ministers):
        return queryset.for_any_minister([m.pk for m in ministers]) if ministers else queryset

    @SLUGS
    def filter_government(self, queryset, name, government):
        return queryset.in_government(government)

    def filter_year(self, queryset, name, year):
        return queryset.in_year(year)

    def filter_dates(self, queryset, name, dates):
        return queryset.dated_between(dates.start, dates.stop)

    def sort_releases(self, queryset, name, order):
        # "relevance" keeps the order search gave, or the default newest first.
        orders = {"oldest": queryset.oldest_first, "newest": queryset.newest_first}
        return orders[order]() if order in orders else queryset

    def valid_values(self):
        """{parameter: {value as sent: how it is shown}} of the valid filters in use.

        Built from the validated form, so a bad value is reported by the form and never
        shown as a filter or carried by a link. Keyed by the value as sent: the form strips
        the spaces a query may end in.
        """
        self.form.is_valid()  # an invalid form still has cleaned_data for its valid fields
        cleaned = self.form.cleaned_data
        dates = cleaned.get("date")
        shown = {
            "q": {self.data["q"]: f"“{cleaned['q']}”"} if cleaned.get("q") else {},
            "portfolio": {p.slug: p.name for p in cleaned.get("portfolio") or ()},
            "minister": {m.slug: m.name for m in cleaned.get("minister") or ()},
            "government": {g.slug: g.name for g in filter(None, [cleaned.get("government")])},
            "year": {str(cleaned["year"]): str(cleaned["year"])} if cleaned.get("year") else {},
            "date_after": {},
            "date_before": {},
            "sort": {self.data["sort"]: cleaned["sort"]} if cleaned.get("sort") else {},
        }
        for key, value in (
            ("date_after", dates and dates.start),
            ("date_before", dates and dates.stop),
        ):
            if value:
                shown[key] = {self.data[key]: f"{value.day} {value:%B %Y}"}
        return shown

    @functools.cached_property
    def link_query(self):
        """The valid filters in use as a QueryDict, each value as sent: what links to other
        pages of these results, to facets and to feeds carry (the {% link_query %} tag).
        Nothing else an address held (a bad value, a tracking parameter, a megabyte of
        junk) is repeated in each of those links."""
        query = QueryDict(mutable=True)
        if self.is_bound:
            for key, shown in self.valid_values().items():
                if values := [v for v in dict.fromkeys(self.data.getlist(key)) if v in shown]:
                    query.setlist(key, values)
        return query

    def active_filters(self):
        """The valid filters in use, each with the query string that drops just it (and
        keeps the other valid filters). The page number is dropped too: the results change."""
        if not self.is_bound:
            return []
        shown = self.valid_values()
        active = []
        for key, label in self.LABELS.items():
            values = self.link_query.getlist(key)
            for value in values:
                remaining = self.link_query.copy()
                remaining.setlist(key, [v for v in values if v != value])
                active.append(ActiveFilter(label, shown[key][value], remaining.urlencode()))
        return active


class PortfolioReleaseFilter(ReleaseFilter):
    """A portfolio's releases: by year and minister (the portfolio is fixed)."""

    q = None
    sort = sort_filter(SORT_CHOICES[1:])  # no search here, so no relevance
    portfolio = None
    government = None
    date = None


class MinisterReleaseFilter(ReleaseFilter):
    """A minister's releases: by year and portfolio (the minister is fixed)."""

    q = None
    sort = sort_filter(SORT_CHOICES[1:])  # no search here, so no relevance
    minister = None
    government = None
    date = None
