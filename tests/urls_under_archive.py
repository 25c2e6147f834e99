"""The site mounted under /archive/, to see that reversed addresses follow the URLconf."""

from django.urls import include, path

urlpatterns = [path("archive/", include("petitions_site.urls"))]
