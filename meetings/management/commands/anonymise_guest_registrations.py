"""``python manage.py anonymise_guest_registrations``: blank old guest sign-ups.

For cron, e.g. nightly: the name, email and organisation of guests (sign-ups without a
login) are blanked once the meeting ended more than MEETINGS_GUEST_RETENTION_DAYS ago
(``--days`` overrides it). Members' sign-ups are kept; they delete their own.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from meetings import services


class Command(BaseCommand):
    help = "Anonymises guest sign-ups of meetings that ended more than the retention period ago."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days after the meeting (default: settings.MEETINGS_GUEST_RETENTION_DAYS).",
        )

    def handle(self, *args, days=None, **options):
        if days is None:
            days = settings.MEETINGS_GUEST_RETENTION_DAYS
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        count = services.anonymise_guests(days)
        self.stdout.write(
            f"{count} guest sign-up(s) anonymised (meetings ended over {days} days ago)."
        )
