from django.db import migrations

from constituencies.facts import load_facts


def load(apps, schema_editor):
    load_facts(apps.get_model("constituencies", "Constituency"))


def unload(apps, schema_editor):
    apps.get_model("constituencies", "Constituency").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("constituencies", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
