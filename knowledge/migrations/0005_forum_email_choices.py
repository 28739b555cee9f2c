"""Who asked for forum emails keeps getting them, now as their choice for forum notices."""

from django.db import migrations


def carry_over(apps, schema_editor):
    NotificationPreference = apps.get_model("knowledge", "NotificationPreference")
    NoticeChoice = apps.get_model("network", "NoticeChoice")
    for address in NotificationPreference.objects.filter(email=True).values_list(
        "person__email", flat=True
    ):
        if address:
            NoticeChoice.objects.get_or_create(
                address=address.lower(), kind="forum", defaults={"delivery": "immediately"}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0004_notification_more"),
        ("network", "0007_email_notices"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
