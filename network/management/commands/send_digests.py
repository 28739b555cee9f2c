"""``python manage.py send_digests``: the daily digest of notices, for cron once a day.

Everyone who chose a daily digest for a kind of notice (on their page) gets one email with
the notices kept since their last digest (``network.notices.send_digests``); running it
twice sends nothing twice.
"""

from django.core.management.base import BaseCommand

from network import notices


class Command(BaseCommand):
    help = "Emails each daily-digest reader the notices kept for them, in one email."

    def handle(self, *args, **options):
        self.stdout.write(f"{notices.send_digests()} digest(s) sent.")
