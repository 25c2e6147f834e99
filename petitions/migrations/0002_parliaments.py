"""The UK Parliaments since 2010 and the governments formed in them.

Facts from the UK Parliament (parliament.uk), as the public petitions site's archive names
them; Open Government Licence v3.0. Times are the first sitting and the dissolution
(00:01 UK time).
"""

from datetime import UTC, datetime

from django.db import migrations

PARLIAMENTS = [
    ("2010-2015", "Conservative – Liberal Democrat coalition", "2010-05-18T00:00", "2015-03-29T23:01"),
    ("2015-2017", "Conservative", "2015-05-18T00:00", "2017-05-02T23:01"),
    ("2017-2019", "Conservative", "2017-06-13T00:00", "2019-11-06T00:01"),
    ("2019-2024", "Conservative", "2019-12-17T00:00", "2024-05-29T23:01"),
    ("2024-", "Labour", "2024-07-09T00:00", None),
]


def moment(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None


def add_parliaments(apps, schema_editor):
    Parliament = apps.get_model("petitions", "Parliament")
    for period, government, opening_at, dissolution_at in PARLIAMENTS:
        Parliament.objects.update_or_create(
            period=period,
            defaults={
                "government": government,
                "opening_at": moment(opening_at),
                "dissolution_at": moment(dissolution_at),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial")]

    operations = [migrations.RunPython(add_parliaments, migrations.RunPython.noop)]
