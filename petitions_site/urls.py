from django.contrib import admin
from django.urls import include, path

from petitions import views
from petitions_site.views import favicon, health, ready

admin.site.site_header = admin.site.site_title = "Petition Archive"
admin.site.index_title = "Petitions, government responses and debates"

handler400 = "petitions_site.errors.bad_request"
handler404 = "petitions_site.errors.page_not_found"
handler500 = "petitions_site.errors.server_error"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("", include("petitions.urls")),
    path("", include("responses.urls")),
    path("", include("constituencies.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
    path("readyz", ready, name="ready"),
    path("favicon.ico", favicon),
]
