"""Constituency facts in the admin, to look up, never to edit: they are derived data
(scripts/derive_constituencies.py) loaded by a migration."""

from django.contrib import admin

from constituencies.models import Constituency


@admin.register(Constituency)
class ConstituencyAdmin(admin.ModelAdmin):
    list_display = ["name", "ons_code", "boundary_set", "region_name", "electorate", "has_boundary"]
    list_filter = ["boundary_set", "nation", "region_name"]
    search_fields = ["name", "ons_code"]
    list_select_related = ["boundary"]

    @admin.display(boolean=True, description="Boundary imported")
    def has_boundary(self, constituency):
        return hasattr(constituency, "boundary")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
