"""Two senders at once deliver each email once, and two digest runs send one digest (the
PostgreSQL pass).

Two ``send_outbox`` runs start together, in threads with their own database connections,
over the same queued emails; every email reaches the SMTP server exactly once. SQLite takes
one writer at a time, so there is nothing to race; the .ci/run pass on PostgreSQL runs it.
"""

import io
import threading

import pytest
from django.core.mail import send_mail
from django.core.management import call_command
from django.db import connection
from post_office.models import STATUS, Email

from network import notices
from network.models import NoticeKind

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent senders race on PostgreSQL; the PostgreSQL pass runs this")


def test_two_retry_runs_at_once_deliver_each_email_once(smtp, settings):
    settings.OUTBOX_DELIVERY = "off"
    addresses = [f"person{number}@kommune.example" for number in range(60)]
    for address in addresses:
        send_mail("Påmindelse", "Tekst", None, [address])
    assert Email.objects.filter(status=STATUS.queued).count() == 60

    start = threading.Barrier(2)
    outputs = []

    def run():
        start.wait()
        out = io.StringIO()
        try:
            call_command("send_outbox", stdout=out)
        finally:
            connection.close()
        outputs.append(out.getvalue())

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()

    assert sorted(smtp.recipients()) == sorted(addresses)
    assert set(Email.objects.values_list("status", flat=True)) == {STATUS.sent}
    sent = [int(output.split()[0]) for output in outputs]
    assert sum(sent) == 60


def test_two_digest_runs_at_once_send_one_digest_each(smtp, settings):
    settings.OUTBOX_DELIVERY = "inline"
    addresses = [f"person{number}@kommune.example" for number in range(20)]
    for address in addresses:
        notices.set_delivery(address, NoticeKind.MEETINGS, "daily")
        for number in range(3):
            notices.send_notice(NoticeKind.MEETINGS, address, f"Mødet er flyttet {number}", "Tekst")
    assert smtp.messages == []

    start = threading.Barrier(2)

    def run():
        start.wait()
        try:
            call_command("send_digests", stdout=io.StringIO())
        finally:
            connection.close()

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()

    assert sorted(smtp.recipients()) == sorted(addresses)
    for _to, message in smtp.messages:
        body = message.get_body(("plain",)).get_content()
        assert [body.count(f"Mødet er flyttet {number}") for number in range(3)] == [1, 1, 1]
