"""Meetings in a real browser: sign up and cancel by keyboard alone, a guest's sign-up
confirmed through the emailed link, and no axe-core violations on the meetings' pages."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from meetings.models import Meeting, Registration
from network.models import Membership, Role
from tests.browser.login import log_in
from tests.meetings.factories import ActionItemFactory, MeetingFactory, RegistrationFactory
from tests.network.factories import InitiativeFactory, member, municipal_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

Status = Registration.Status


def tab_to(page, predicate, limit=80):
    """Press Tab until the focused element satisfies the JavaScript predicate."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(element => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


def meeting_url(meeting):
    return reverse("meetings:meeting", args=[meeting.pk])


@pytest.fixture
def meetings():
    initiative = InitiativeFactory()
    member(initiative, "Randers", Membership.Status.PARTNER)
    information = MeetingFactory(
        title="Informationsmøde i Odense",
        seats=2,
        seats_per_municipality=2,
        agenda="1. Velkomst\n2. Puljens formål\n3. Spørgsmål",
        online_url="https://moede.example/odense",
        initiative=initiative,
    )
    steering = MeetingFactory(
        title="Styregruppemøde",
        kind=Meeting.Kind.STEERING_GROUP,
        audience=Meeting.Audience.PARTNERS,
        initiative=initiative,
        past=True,
        minutes="Styregruppen godkendte planen.",
    )
    ActionItemFactory(meeting=steering, text="Send implementeringsplanen")
    leader = municipal_person("Randers", Role.PROJECT_LEADER, first_name="Anders", last_name="Kjær")
    return {"information": information, "steering": steering, "leader": leader}


def test_a_member_signs_up_and_cancels_by_keyboard(page, live_server, meetings):
    meeting, leader = meetings["information"], meetings["leader"]
    log_in(page, live_server, leader)
    page.goto(meeting_url(meeting))

    tab_to(page, "element.matches('form[action$=\"/tilmeld/\"] button')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(meeting_url(meeting))
    assert page.locator(".messages .alert-success").count() == 1
    registration = Registration.objects.get(meeting=meeting, person=leader)
    assert registration.status == Status.CONFIRMED

    cancel = reverse("meetings:cancel", args=[registration.pk])
    tab_to(page, f"element.matches('form[action=\"{cancel}\"] button')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(meeting_url(meeting))
    assert page.locator(".messages .alert-success").count() == 1
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED
    # The sign-up button is back.
    assert page.locator('form[action$="/tilmeld/"] button').count() == 1


def test_a_guest_signs_up_and_confirms_through_the_emailed_link(page, live_server, meetings):
    meeting = meetings["information"]
    mail.outbox = []
    page.goto(meeting_url(meeting))
    tab_to(page, "element.matches('a[href$=\"/tilmeld-gaest/\"]')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(reverse("meetings:register_guest", args=[meeting.pk]))

    page.locator("#id_name").focus()
    page.keyboard.type("Gitte Gæst")
    page.keyboard.press("Tab")
    page.keyboard.type("gitte@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("Bostedet Åen")
    tab_to(page, "element.matches('form.account-form button[type=submit]')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "sendt=1" in page.url
    assert "gitte@example.org" in page.locator("main").inner_text()

    guest = Registration.objects.get(meeting=meeting, email="gitte@example.org")
    assert guest.status == Status.UNCONFIRMED
    (message,) = mail.outbox
    confirm = re.search(r"https?://\S+(/moeder/bekraeft/\S+/)", message.body).group(1)

    page.goto(confirm)
    guest.refresh_from_db()
    assert guest.status == Status.UNCONFIRMED  # opening the link changes nothing
    with page.expect_navigation():
        page.locator(f'form[action="{confirm}"] button').click()
    assert page.locator(".messages .alert-success").count() == 1
    guest.refresh_from_db()
    assert guest.status == Status.CONFIRMED


def test_meeting_pages_have_no_axe_violations(page, live_server, meetings, assert_accessible):
    information, steering, leader = (
        meetings["information"],
        meetings["steering"],
        meetings["leader"],
    )
    RegistrationFactory(meeting=information)
    RegistrationFactory(meeting=information)
    RegistrationFactory(meeting=information, status=Status.WAITING)

    # Anonymous: the list, a public meeting, the guest form (empty and with errors).
    for url in [
        reverse("meetings:list"),
        reverse("meetings:list") + "?tid=tidligere",
        meeting_url(information),
        reverse("meetings:register_guest", args=[information.pk]),
    ]:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        assert_accessible(page)
    with page.expect_navigation():
        page.locator("form.account-form button[type=submit]").click()
    assert page.locator("#error-summary[role=alert]").count() == 1
    assert page.locator("#id_name[aria-invalid=true]").count() == 1
    assert_accessible(page)

    # A member: the list, a full meeting, minutes and action items, my sign-ups and calendar.
    log_in(page, live_server, leader)
    mine = RegistrationFactory(meeting=steering, person=leader)
    RegistrationFactory(meeting=information, person=leader, status=Status.WAITING)
    for url in [
        reverse("meetings:list"),
        meeting_url(information),
        meeting_url(steering),
        reverse("meetings:my_registrations"),
        reverse("meetings:my_registrations") + f"?slet={mine.pk}",
        reverse("meetings:my_calendar"),
        reverse("network:my_page"),
    ]:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        assert_accessible(page)
    page.goto(reverse("meetings:my_calendar"))
    with page.expect_navigation():
        page.locator("form[action$='/kalender/'] button").click()
    assert page.locator("#feed-url").count() == 1
    assert_accessible(page)


def test_email_link_pages_have_no_axe_violations(page, live_server, meetings, assert_accessible):
    from meetings import services

    meeting = meetings["information"]
    mail.outbox = []
    services.register_guest(meeting, name="Gitte", email="gitte@example.org", organisation="X")
    confirm = re.search(r"(/moeder/bekraeft/\S+/)", mail.outbox[0].body).group(1)
    page.goto(confirm)
    assert_accessible(page)
    with page.expect_navigation():
        page.locator(f'form[action="{confirm}"] button').click()
    assert_accessible(page)
    cancel = confirm.replace("/bekraeft/", "/afmeld/")
    page.goto(cancel)
    assert page.locator(f'form[action="{cancel}"] button').count() == 1
    assert_accessible(page)
    page.goto(reverse("meetings:confirm_guest", args=["ukendt"]))
    assert_accessible(page)
