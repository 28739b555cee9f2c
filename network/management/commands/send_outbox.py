"""``python manage.py send_outbox``: try every queued email whose time has come.

For cron, every minute. Emails are normally delivered right after the commit that queued
them; this picks up those that could not be (mail server down, process restarted), with
a growing pause between tries, and marks one failed when it is OUTBOX_GIVE_UP_DAYS old.
Two runs at once (or a run and a process's own try) send each email once
(``network.outbox``).
"""

from django.core.management.base import BaseCommand

from network import outbox


class Command(BaseCommand):
    help = "Delivers the queued emails that are due, retrying failed tries with a pause."

    def handle(self, *args, **options):
        total = {"sent": 0, "requeued": 0, "failed": 0, "taken": 0}
        while True:
            outcomes = outbox.deliver()
            for key, count in outcomes.items():
                total[key] += count
            if sum(outcomes.values()) < outbox.BATCH:
                break
        self.stdout.write(
            "{sent} sent, {requeued} to try again later, {failed} failed, "
            "{taken} taken by another sender.".format(**total)
        )
