from django.urls import path

from petitions import views

app_name = "petitions"

urlpatterns = [
    path("petitions/", views.PetitionListView.as_view(), name="list"),
    path("petitions/<int:pk>/", views.PetitionDetailView.as_view(), name="detail"),
    path("petitions/<int:pk>/map/", views.PetitionMapView.as_view(), name="map"),
]
