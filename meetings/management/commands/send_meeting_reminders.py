"""``python manage.py send_meeting_reminders``: remind everyone with a seat the day before.

For cron, e.g. every hour: each confirmed place at a meeting that starts within the next
day gets one reminder for that start; a meeting that was moved gets a new one, and running
the command again sends nothing twice (``meetings.services.send_reminders``).
"""

from django.core.management.base import BaseCommand

from meetings import services


class Command(BaseCommand):
    help = "Emails a reminder to everyone with a seat at a meeting starting within a day."

    def handle(self, *args, **options):
        sent = services.send_reminders()
        self.stdout.write(f"{sent} reminder(s) sent.")
