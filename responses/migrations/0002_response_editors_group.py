"""The "Response editors" group: staff who enter government responses and debate outcomes."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Response editors"
PERMISSIONS = {
    "responses": [
        "add_governmentresponse",
        "change_governmentresponse",
        "view_governmentresponse",
        "add_debateoutcome",
        "change_debateoutcome",
        "view_debateoutcome",
    ],
    "petitions": [
        "view_petition",
        "view_parliament",
        "view_department",
        "view_topic",
    ],
}


def create_group(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now so the group can hold them.
    for app_label in PERMISSIONS:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    for app_label, codenames in PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0001_initial"),
        ("petitions", "0002_parliaments"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
