from django.db import migrations

from digikompas.orgs.reference import load_reference_data


def load(apps, schema_editor):
    load_reference_data(apps.get_model("orgs", "Region"), apps.get_model("orgs", "Municipality"))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
