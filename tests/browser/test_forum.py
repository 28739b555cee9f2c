"""The forum in a real browser: a topic and a reply written by keyboard through the plain
forms (no WebSocket), XSS payloads posted through the page never run, and axe-core finds
no violations on the forum's pages, with and without form errors."""

import pytest
from django.urls import reverse

from knowledge import services
from knowledge.models import Notification, Post, Space, Topic
from network.models import Membership
from tests.browser.login import log_in
from tests.knowledge.factories import SpaceFactory
from tests.knowledge.test_text import XSS
from tests.network.factories import InitiativeFactory, member, municipal_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

#: Makes the live script stand down, so the forms post as plain HTML forms.
NO_WEBSOCKET = "Object.defineProperty(window, 'WebSocket', {value: undefined});"


def tab_to(page, predicate, limit=120):
    """Press Tab until the focused element satisfies the JavaScript predicate."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(element => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


def fail_on_dialog(page):
    dialogs = []

    def record(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return dialogs


@pytest.fixture
def forum():
    initiative = InitiativeFactory()
    member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Odense", Membership.Status.REFERENCE)
    space = SpaceFactory(
        title="Netværket",
        slug="netvaerket",
        visibility=Space.Visibility.NETWORK,
        initiative=initiative,
        description="Spørgsmål og erfaringer på tværs af kommunerne.",
    )
    SpaceFactory(title="Åbent forum", slug="aabent", visibility=Space.Visibility.PUBLIC)
    partner = municipal_person("Randers", first_name="Anna", last_name="Holm")
    reference = municipal_person("Odense", first_name="Bo", last_name="Lund")
    report = {
        "context": "Bostøtten i Randers.",
        "what_we_did": "Recovery-samtaler med **borgerens** egne mål.",
        "what_worked": "- Fælles sprog\n- Borgerens mål først",
        "barriers": "> Tid er en knap ressource",
        "results": "Flere borgere i job.",
    }
    experience = services.start_topic(
        space,
        partner,
        title="Erfaringer med recovery-samtaler",
        source="",
        kind=Topic.Kind.EXPERIENCE,
        report=report,
        tags=["recovery", "bostøtte"],
        project_part=2,
        concept_element="citizens_goals",
    )
    question = services.start_topic(
        space, reference, title="Hvordan måler I fremskridt?", source="Vi bruger **CHIME**."
    )
    first = services.post_reply(
        experience, reference, "Tak! Hvordan fik I tid til det, @anna.holm?"
    )
    services.post_reply(experience, partner, "Vi flyttede møder.", quoted=first)
    services.edit_post(first, reference, "Tak! Hvordan fik I tid til det hele, @anna.holm?")
    return {
        "space": space,
        "partner": partner,
        "reference": reference,
        "experience": experience,
        "question": question,
    }


def test_a_topic_and_a_reply_by_keyboard_without_websocket(page, live_server, forum):
    page.add_init_script(NO_WEBSOCKET)
    log_in(page, live_server, forum["reference"])
    page.goto(reverse("knowledge:space", args=["netvaerket"]))
    tab_to(page, "element.href && element.href.endsWith('/nyt-emne/')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/nyt-emne/")
    tab_to(page, "element.id === 'id_title'")
    page.keyboard.type("Erfaringer med peer-medarbejdere")
    page.keyboard.press("Tab")
    page.keyboard.type("Hvem har *ansat* peer-medarbejdere?")
    page.keyboard.press("Tab")
    page.keyboard.type("peer, recovery")
    tab_to(page, "element.type === 'submit' && element.closest('form.forum-form')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/emner/*/")
    topic = Topic.objects.get(title="Erfaringer med peer-medarbejdere")
    assert page.locator("#indlaeg-1 em").inner_text() == "ansat"
    assert sorted(topic.tags.names()) == ["peer", "recovery"]
    # Without the live script, its controls stay out of sight.
    assert not page.locator("#live-pause").is_visible()

    tab_to(page, "element.id === 'id_text'")
    page.keyboard.type("Vi har to ansat i Odense.")
    tab_to(page, "element.type === 'submit' && element.closest('#reply-form')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/emner/*/#indlaeg-2")
    assert "Vi har to ansat i Odense." in page.locator("#indlaeg-2").inner_text()
    assert Post.objects.filter(topic=topic).count() == 2


def test_a_refused_post_keeps_the_text_and_focuses_the_error_summary(page, live_server, forum):
    page.add_init_script(NO_WEBSOCKET)
    log_in(page, live_server, forum["reference"])
    page.goto(reverse("knowledge:topic", args=[forum["question"].pk]))
    page.fill("#id_text", "Borgeren 010203-1234 fik hjælp")
    page.locator("#reply-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.input_value("#id_text") == "Borgeren 010203-1234 fik hjælp"
    assert page.evaluate("document.activeElement.id") == "reply-error-summary"
    assert forum["question"].posts.count() == 1


def test_xss_posted_through_the_page_does_not_run(page, live_server, forum):
    page.add_init_script(NO_WEBSOCKET)
    dialogs = fail_on_dialog(page)
    log_in(page, live_server, forum["partner"])
    page.goto(reverse("knowledge:new_topic", args=["netvaerket"]))
    page.fill("#id_title", "<img src=x onerror=alert('titel')><script>alert('t')</script>")
    page.fill("#id_text", "\n\n".join(XSS[: len(XSS) // 2]))
    page.fill("#id_tags", "<svg onload=alert('tag')>, ok")
    page.locator("form.forum-form button[type=submit]").click()
    page.wait_for_url("**/emner/*/")
    page.fill("#id_text", "\n\n".join(XSS[len(XSS) // 2 :]))
    page.locator("#reply-form button[type=submit]").click()
    page.wait_for_url("**/#indlaeg-2")
    page.reload()
    page.goto(reverse("knowledge:space", args=["netvaerket"]))
    page.goto(reverse("knowledge:search") + "?q=script")
    page.wait_for_timeout(300)
    assert dialogs == []
    assert (
        page.evaluate(
            "document.querySelectorAll('main script, main svg:not(.icon-svg), main img').length"
        )
        == 0
    )


def first_post(forum):
    return forum["experience"].posts.first().pk


PAGES = [
    ("spaces", lambda f: reverse("knowledge:spaces")),
    ("space", lambda f: reverse("knowledge:space", args=["netvaerket"])),
    ("filtered", lambda f: reverse("knowledge:space", args=["netvaerket"]) + "?type=experience"),
    ("topic", lambda f: reverse("knowledge:topic", args=[f["experience"].pk])),
    ("quote", lambda f: reverse("knowledge:topic", args=[f["experience"].pk]) + "?citer=1"),
    ("new_topic", lambda f: reverse("knowledge:new_topic", args=["netvaerket"])),
    ("new_report", lambda f: reverse("knowledge:new_experience_report", args=["netvaerket"])),
    ("tag", lambda f: reverse("knowledge:tag", args=["recovery"])),
    ("search", lambda f: reverse("knowledge:search") + "?q=recovery"),
    ("empty_search", lambda f: reverse("knowledge:search") + "?q=intetfindes"),
    ("notifications", lambda f: reverse("knowledge:notifications")),
    ("history", lambda f: reverse("knowledge:post_history", args=[first_post(f)])),
    ("report", lambda f: reverse("knowledge:report_post", args=[first_post(f)])),
]  # fmt: skip


def test_the_forum_pages_have_no_axe_violations(page, live_server, forum, assert_accessible):
    page.add_init_script(NO_WEBSOCKET)
    assert Notification.objects.filter(person=forum["partner"]).exists()
    log_in(page, live_server, forum["partner"])
    for name, url in PAGES:
        assert page.goto(url(forum)).status == 200, name
        assert_accessible(page)
    edit = reverse("knowledge:edit_post", args=[forum["experience"].posts.last().pk])
    assert page.goto(edit).status == 200
    assert_accessible(page)


def test_the_forms_with_errors_have_no_axe_violations(page, live_server, forum, assert_accessible):
    page.add_init_script(NO_WEBSOCKET)
    log_in(page, live_server, forum["partner"])
    page.goto(reverse("knowledge:new_topic", args=["netvaerket"]))
    page.fill("#id_text", "Borger 010203-1234")
    page.locator("form.forum-form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    assert_accessible(page)
    page.goto(reverse("knowledge:new_experience_report", args=["netvaerket"]))
    page.fill("#id_title", "Erfaring")
    page.fill("#id_barriers", "Borger 010203-1234")
    page.locator("form.forum-form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    assert page.get_attribute("#id_context", "aria-invalid") == "true"
    assert_accessible(page)
    page.goto(reverse("knowledge:topic", args=[forum["question"].pk]))
    page.locator("#reply-form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    assert_accessible(page)


def test_a_guest_sees_public_spaces_only_without_axe_violations(
    page, live_server, forum, assert_accessible
):
    page.goto(reverse("knowledge:spaces"))
    assert "Netværket" not in page.content()
    assert_accessible(page)
    page.goto(reverse("knowledge:space", args=["netvaerket"]))
    assert_accessible(page)
