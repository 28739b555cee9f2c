"""``python manage.py send_grant_reminders``: reminders of status reports and accounts.

For cron, daily: emails the people attached to a grant case 14 days before a report or
the accounts are due and on the day after the due date has passed, once per item and
date, however often it runs (also two runs at once).
"""

from django.core.management.base import BaseCommand

from grants import services


class Command(BaseCommand):
    help = "Emails reminders of grant cases' status reports and accounts due soon or overdue."

    def handle(self, *args, **options):
        count = services.send_reminders()
        self.stdout.write(f"{count} reminder(s) sent.")
