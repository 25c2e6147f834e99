from django.urls import path, re_path

from petitions import api, views

app_name = "petitions"
PERIOD = r"[0-9]{4}-(?:[0-9]{4})?"  # 2017-2019, or 2024- for a parliament still sitting

urlpatterns = [
    path("petitions/", views.PetitionListView.as_view(), name="list"),
    path("petitions/<petition:pk>/", views.PetitionDetailView.as_view(), name="detail"),
    path("petitions/<petition:pk>/map/", views.PetitionMapView.as_view(), name="map"),
    path("parliaments/", views.ParliamentListView.as_view(), name="parliaments"),
    re_path(
        rf"^parliaments/(?P<period>{PERIOD})/$",
        views.ParliamentDetailView.as_view(),
        name="parliament",
    ),
]

# The public petitions site's addresses: JSON, CSV and the archive's old links.
urlpatterns += [
    path("petitions/<petition:pk>.json", api.petition_json, name="json"),
    path("petitions/<petition:pk>/count.json", api.petition_count_json, name="count_json"),
    path("petitions.json", api.petition_list_json, name="list_json"),
    re_path(
        rf"^parliaments/(?P<period>{PERIOD})\.json$", api.parliament_json, name="parliament_json"
    ),
    # The archive's own addition: a petition's signatures over time.
    path("petitions/<petition:pk>/history.json", api.history_json, name="history_json"),
    path("petitions/<petition:pk>/history.csv", api.history_csv, name="history_csv"),
    path("petitions.csv", api.petition_list_csv, name="list_csv"),
    path(
        "archived/petitions/<petition:pk>.json",
        api.petition_json,
        {"flavour": "archived"},
        name="archived_json",
    ),
    path(
        "archived/petitions.json",
        api.petition_list_json,
        {"flavour": "archived"},
        name="archived_list_json",
    ),
    path(
        "archived/petitions.csv",
        api.petition_list_csv,
        {"flavour": "archived"},
        name="archived_list_csv",
    ),
    path("archived/petitions/<petition:pk>", api.archived_petition, name="archived_redirect"),
    path("archived/petitions", api.archived_list, name="archived_list"),
    path("archived/petitions/", api.archived_list),
]
