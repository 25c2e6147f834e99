from django.apps import AppConfig
from django.urls import register_converter


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = "Petitions"

    def ready(self):
        from petitions.params import PetitionNumberConverter

        # `<petition:pk>`: the petitions' and the responses' addresses.
        register_converter(PetitionNumberConverter, "petition")
