"""The API's views: each starts from the same queryset verbs as the pages, the release
list through the pages' own FilterSet (filters.ReleaseFilter), and pages its results.

Every response costs a fixed number of queries (tests/test_api.py counts them): a page of
releases is the content version, a count, the page's ids, their rows, its ministers, its
portfolios and the governments.
"""

from django import forms
from django.db.models import Count, Max, Min
from django.shortcuts import render
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from ..filters import ReleaseFilter
from ..models import Government, Minister, Portfolio, Release
from . import links, sync
from .serializers import (
    RELEASE_FIELDS,
    GovernmentSerializer,
    NamedRecordSerializer,
    ReleaseSerializer,
)

MAX_PAGE_SIZE = 100


def check(form_class, params):
    """The form's cleaned data, or a 400 naming each bad parameter."""
    form = form_class(params)
    if not form.is_valid():
        raise exceptions.ValidationError(form.errors)
    return form.cleaned_data


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, required=False)
    page_size = forms.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)


class Pages(PageNumberPagination):
    """?page= and ?page_size= (up to 100); a bad one is a 400 rather than a quiet default,
    a page past the last a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return check(PageForm, request.query_params)["page_size"] or self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        """The page's ids first, then only their rows. A deep page skips tens of thousands
        of releases: with every column, PostgreSQL sorted the whole archive on disk (page
        500 took 124 ms); by id alone it reads them from an index."""
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True), request, view)
        rows = queryset.order_by().in_bulk(ids)
        return [rows[pk] for pk in ids]


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, naming the parameter sent (date_after) where the form names
    the filter (date)."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset.is_bound and not filterset.is_valid():
            raise exceptions.ValidationError(parameter_errors(filterset.form))
        return filterset


def parameter_errors(form):
    errors = {}
    for name, messages in form.errors.items():
        field = form.fields.get(name)
        parts = getattr(field, "fields", ())
        suffixes = getattr(getattr(field, "widget", None), "suffixes", ())
        bad = []
        for suffix, part in zip(suffixes, parts, strict=False):
            try:
                part.clean(form.data.get(f"{name}_{suffix}"))
            except forms.ValidationError:
                bad.append(f"{name}_{suffix}")
        for key in bad or [name]:
            errors[key] = messages
    return errors


def chosen_fields(request):
    """The release fields ?fields= asks for (comma-separated, or repeated); all by default."""
    wanted = [
        f.strip() for value in request.query_params.getlist("fields") for f in value.split(",")
    ]
    wanted = [f for f in wanted if f]
    if unknown := [f for f in wanted if f not in RELEASE_FIELDS]:
        raise exceptions.ValidationError(
            {
                "fields": [
                    f"Unknown field {', '.join(unknown)}; choose from {', '.join(RELEASE_FIELDS)}."
                ]
            }
        )
    return wanted


class ReleaseViewMixin:
    serializer_class = ReleaseSerializer

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "fields": chosen_fields(self.request),
            "governments": list(Government.objects.all()),
        }


class ReleaseList(ReleaseViewMixin, generics.ListAPIView):
    """Published releases, newest first, with the list page's filters and search (`q`,
    `portfolio`, `minister`, `government`, `year`, `date_after`, `date_before`, `sort`).
    With `modified_since`, everything changed since then in the order it changed, tombstones
    for releases that left the public site included (see /api/)."""

    queryset = Release.objects.none()  # the model, for the schema; get_queryset() answers
    filter_backends = [FilterBackend]
    filterset_class = ReleaseFilter
    pagination_class = Pages

    def get_queryset(self):
        return Release.objects.published().for_api().newest_first()

    def list(self, request, *args, **kwargs):
        if "modified_since" in request.query_params:
            return Response(sync.changes(request, self.get_serializer_context()))
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = self.get_serializer(links.attach(page), many=True).data
        return self.get_paginated_response(data)


class ReleaseDetail(ReleaseViewMixin, generics.RetrieveAPIView):
    """One published release by its slug."""

    lookup_field = "slug"

    def get_queryset(self):
        return Release.objects.published().for_api()

    def get_object(self):
        return links.attach([super().get_object()])[0]


class NamedRecords:
    """Ministers or portfolios (`model`) with published releases, counted."""

    serializer_class = NamedRecordSerializer
    model = None

    def get_queryset(self):
        return self.model.objects.active()


class NamedList(NamedRecords, generics.ListAPIView):
    pagination_class = Pages


class NamedDetail(NamedRecords, generics.RetrieveAPIView):
    lookup_field = "slug"


class MinisterList(NamedList):
    """Ministers with published releases, A–Z, with counts and active years."""

    model = Minister


class MinisterDetail(NamedDetail):
    """One minister by slug, with counts and active years."""

    model = Minister


class PortfolioList(NamedList):
    """Portfolios with published releases, A–Z, with counts and active years."""

    model = Portfolio


class PortfolioDetail(NamedDetail):
    """One portfolio by slug, with counts and active years."""

    model = Portfolio


def counted(governments):
    """`governments` (a list) each with release_count, first_date and last_date of the
    published releases in its term. A query each, a range of release_published_idx read
    alone, where one query counting every term at once read all 55,000 rows."""
    for government in governments:
        totals = (
            Release.objects.published()
            .in_government(government)
            .aggregate(count=Count("pk"), first=Min("date"), last=Max("date"))
        )
        government.release_count = totals["count"]
        government.first_date, government.last_date = totals["first"], totals["last"]
    return governments


class GovernmentList(generics.ListAPIView):
    """New Zealand's governments, newest first, with their release counts and active years."""

    serializer_class = GovernmentSerializer

    def list(self, request, *args, **kwargs):
        governments = counted(list(Government.objects.all()))
        return Response(self.get_serializer(governments, many=True).data)


class GovernmentDetail(generics.RetrieveAPIView):
    """One government by slug, with its release count and active years."""

    serializer_class = GovernmentSerializer
    queryset = Government.objects.all()
    lookup_field = "slug"

    def get_object(self):
        return counted([super().get_object()])[0]


def docs(request):
    """The API's documentation for people. Template: api/index.html."""
    return render(
        request, "api/index.html", {"fields": RELEASE_FIELDS, "max_page_size": MAX_PAGE_SIZE}
    )
