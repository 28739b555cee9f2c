"""Danish names for Wagtail's editorial groups and workflow, and their snippet rights.

Wagtail creates the groups "Moderators" and "Editors" and the workflow
"Moderators approval". On this platform "moderator" means the forum moderator, so
the page-publishing group becomes "Redaktører" (agency editors, who approve and
publish) and the drafting group "Skribenter" (writers, who submit for review).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RENAMES = {"Moderators": "Redaktører", "Editors": "Skribenter"}
WORKFLOW_NAME = "Redaktionel godkendelse"
TASK_NAME = "Godkendelse af redaktør"


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for old, new in RENAMES.items():
        Group.objects.filter(name=old).update(name=new)
    apps.get_model("wagtailcore", "Workflow").objects.filter(name="Moderators approval").update(
        name=WORKFLOW_NAME
    )
    apps.get_model("wagtailcore", "Task").objects.filter(name="Moderators approval").update(
        name=TASK_NAME
    )

    editors = Group.objects.filter(name="Redaktører").first()
    writers = Group.objects.filter(name="Skribenter").first()
    contact_rights = Permission.objects.filter(
        content_type__app_label="cms",
        codename__in=["add_contactperson", "change_contactperson", "delete_contactperson"],
    )
    settings_rights = Permission.objects.filter(
        content_type__app_label="cms", codename="change_sitesettings"
    )
    if editors:
        editors.permissions.add(*contact_rights, *settings_rights)
    if writers:
        writers.permissions.add(*contact_rights.exclude(codename="delete_contactperson"))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for old, new in RENAMES.items():
        Group.objects.filter(name=new).update(name=old)
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=WORKFLOW_NAME).update(
        name="Moderators approval"
    )
    apps.get_model("wagtailcore", "Task").objects.filter(name=TASK_NAME).update(
        name="Moderators approval"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0096_referenceindex_referenceindex_source_object_and_more"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
