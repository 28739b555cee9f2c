"""The group that lets forum moderators (the agency-moderator role) into the Wagtail admin."""

from django.db import migrations

NAME = "Moderatorer"


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=NAME)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("network", "0003_municipalities"), ("cms", "0002_editorial_groups")]

    operations = [migrations.RunPython(forwards, backwards)]
