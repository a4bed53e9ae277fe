from django.shortcuts import get_object_or_404, render

from .models import Government, Minister, Portfolio, Release


def home(request):
    """The latest releases. Template: releases/home.html."""
    releases = Release.objects.published().with_links()[:20]
    return render(request, "releases/home.html", {"releases": releases})


def release_detail(request, slug):
    release = get_object_or_404(Release.objects.published().with_links(), slug=slug)
    return render(request, "releases/release_detail.html", {"release": release})


def portfolio_detail(request, slug):
    portfolio = get_object_or_404(Portfolio, slug=slug)
    return render(request, "releases/portfolio_detail.html", {"portfolio": portfolio})


def minister_detail(request, slug):
    minister = get_object_or_404(Minister, slug=slug)
    return render(request, "releases/minister_detail.html", {"minister": minister})


def government_detail(request, slug):
    government = get_object_or_404(Government, slug=slug)
    return render(request, "releases/government_detail.html", {"government": government})
