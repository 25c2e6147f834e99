from django.urls import path

from responses import views

app_name = "responses"

urlpatterns = [
    path("petitions/<petition:pk>/response/", views.ResponseDetailView.as_view(), name="detail"),
]
