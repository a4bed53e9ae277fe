from django.urls import path

from . import views

app_name = "releases"
urlpatterns = [
    path("", views.home, name="home"),
    path("releases/<slug:slug>/", views.release_detail, name="detail"),
    path("portfolios/<slug:slug>/", views.portfolio_detail, name="portfolio"),
    path("ministers/<slug:slug>/", views.minister_detail, name="minister"),
    path("governments/<slug:slug>/", views.government_detail, name="government"),
]
