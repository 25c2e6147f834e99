from django.urls import path, re_path

from constituencies import api, local, views
from petitions.urls import PERIOD

app_name = "constituencies"
CODE = local.CODE.pattern

urlpatterns = [
    path("constituencies/", views.ConstituencyListView.as_view(), name="list"),
    re_path(
        rf"^constituencies/(?P<code>{CODE})/$",
        views.ConstituencyDetailView.as_view(),
        name="detail",
    ),
    re_path(rf"^constituencies/(?P<code>{CODE})\.json$", api.constituency_json, name="json"),
    re_path(rf"^constituencies/(?P<code>{CODE})\.csv$", api.constituency_csv, name="csv"),
    # The public petitions site's documents.
    path("constituencies.json", api.constituencies_json, name="all_json"),
    re_path(
        rf"^parliaments/(?P<period>{PERIOD})/constituencies\.json$",
        api.parliament_constituencies_json,
        name="parliament_json",
    ),
]
