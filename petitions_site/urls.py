from django.contrib import admin
from django.urls import include, path

from petitions import views
from petitions_site.views import health

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("", include("petitions.urls")),
    path("", include("responses.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
]
