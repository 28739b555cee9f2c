"""Cached menu, footer, pool content, search results and progress timeline: a change shows
on the next request."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from cms.models import PoolContact, SiteSettings
from knowledge.models import Space
from network import access
from network.cache import progress_generation
from network.models import (
    Membership,
    Milestone,
    PartProgress,
    Role,
    RoleAssignment,
    StatusNote,
    User,
)
from network.services import grant_role, revoke_role
from network.views.progress import build_timeline
from tests.cms.factories import (
    ContactPersonFactory,
    NewsIndexPageFactory,
    NewsPageFactory,
    PoolPageFactory,
    StandardPageFactory,
)
from tests.knowledge.factories import SpaceFactory
from tests.network.factories import InitiativeFactory, agency_editor, member, municipal_person

pytestmark = pytest.mark.django_db


def page_text(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_published_menu_page_shows_at_once_and_goes_when_unpublished(client):
    pool = PoolPageFactory()
    assert "Om partnerskabet" not in page_text(client, pool.url)
    about = StandardPageFactory(title="Om partnerskabet", slug="om", show_in_menus=True)
    assert "Om partnerskabet" in page_text(client, pool.url)
    about.unpublish()
    assert "Om partnerskabet" not in page_text(client, pool.url)


def test_a_published_change_to_a_pool_shows_at_once(client):
    pool = PoolPageFactory(purpose="<p>Det gamle formål.</p>")
    assert "Det gamle formål." in page_text(client, pool.url)
    pool.purpose = "<p>Det nye formål.</p>"
    pool.save_revision().publish()
    text = page_text(client, pool.url)
    assert "Det nye formål." in text and "Det gamle formål." not in text


def test_a_draft_does_not_show_until_it_is_published(client):
    pool = PoolPageFactory(purpose="<p>Det gamle formål.</p>")
    page_text(client, pool.url)
    pool.purpose = "<p>Et udkast.</p>"
    revision = pool.save_revision()
    assert "Et udkast." not in page_text(client, pool.url)
    revision.publish()
    assert "Et udkast." in page_text(client, pool.url)


def test_an_edited_contact_person_shows_at_once(client):
    pool = PoolPageFactory()
    contact = ContactPersonFactory(name="Karen Kontakt")
    PoolContact.objects.create(page=pool, contact=contact)
    assert "Karen Kontakt" in page_text(client, pool.url)
    contact.name = "Karen Nyt-Navn"
    contact.save()
    assert "Karen Nyt-Navn" in page_text(client, pool.url)


def test_changed_site_settings_show_in_the_footer_at_once(client):
    pool = PoolPageFactory()
    page_text(client, pool.url)
    site_settings = SiteSettings.load()
    site_settings.address = "Edisonsvej 18, 5000 Odense C"
    site_settings.save()
    assert "Edisonsvej 18, 5000 Odense C" in page_text(client, pool.url)


def test_a_preview_shows_unsaved_changes_and_keeps_no_fragment(client):
    pool = PoolPageFactory(purpose="<p>Det offentliggjorte formål.</p>")
    page_text(client, pool.url)
    for draft in ("Første udkast.", "Andet udkast."):
        pool.purpose = f"<p>{draft}</p>"
        preview = pool.make_preview_request().content.decode()
        assert draft in preview and "Det offentliggjorte formål." not in preview
    assert "Det offentliggjorte formål." in page_text(client, pool.url)
    assert not cache.get(
        make_template_fragment_key("pool_page_content", [pool.pk, "preview", "da"])
    )


def test_search_results_are_kept_until_something_is_published(client):
    news = NewsIndexPageFactory()
    NewsPageFactory(parent=news, title="Recovery i bostøtten", intro="Om recovery.")
    url = reverse("search") + "?q=recovery"
    results = type(Page.objects.live().search("recovery"))
    with mock.patch.object(
        results, "_do_search", autospec=True, side_effect=results._do_search
    ) as search:
        assert "Recovery i bostøtten" in page_text(client, url)
        assert search.call_count == 1
        assert "Recovery i bostøtten" in page_text(client, url)
        assert search.call_count == 1, "the second request searched again"
        NewsPageFactory(parent=news, title="Recovery i beskæftigelsen", intro="Om recovery.")
        text = page_text(client, url)
    assert "Recovery i beskæftigelsen" in text and "Recovery i bostøtten" in text
    assert search.call_count == 2


def progress_overview(client, initiative):
    return page_text(client, reverse("network:progress_overview", args=[initiative.slug]))


def start_first_part(membership):
    PartProgress.objects.create(
        membership=membership,
        part=1,
        status=PartProgress.Status.IN_PROGRESS,
        started_on=timezone.localdate(),
    )


def test_the_progress_timeline_is_kept_until_progress_changes(client):
    initiative = InitiativeFactory()
    partner = member(initiative, "Randers", Membership.Status.PARTNER)
    client.force_login(municipal_person("Randers"))
    with mock.patch(
        "network.views.progress.build_timeline", side_effect=build_timeline
    ) as building:
        progress_overview(client, initiative)
        progress_overview(client, initiative)
        assert building.call_count == 1, "the second request built the timeline again"
        milestone = Milestone.objects.create(
            membership=partner, part=2, title="Kortlægning færdig", due_on=timezone.localdate()
        )
        assert "Kortlægning færdig" in progress_overview(client, initiative)
        milestone.reached_on = timezone.localdate()
        milestone.save()
        text = progress_overview(client, initiative)
        assert "Kortlægning færdig" in text and "milestone--reached" in text
        start_first_part(partner)
        assert "timeline__bar--in_progress" in progress_overview(client, initiative)
    assert building.call_count == 4


def test_the_latest_status_notes_are_kept_until_progress_changes(client):
    initiative = InitiativeFactory()
    partner = member(initiative, "Randers", Membership.Status.PARTNER)
    person = municipal_person("Randers")
    client.force_login(person)
    StatusNote.objects.create(membership=partner, part=1, text="Kortlægningen er i gang.")
    assert "Kortlægningen er i gang." in progress_overview(client, initiative)
    with CaptureQueriesContext(connection) as queries:
        progress_overview(client, initiative)
    assert not [
        q
        for q in queries.captured_queries
        if "network_statusnote" in q["sql"] and "network_user" in q["sql"]
    ], "the cached notes were fetched again"
    StatusNote.objects.create(
        membership=partner, part=2, text="Udviklingen er begyndt.", author=person
    )
    text = progress_overview(client, initiative)
    assert "Udviklingen er begyndt." in text and "Kortlægningen er i gang." in text

    # A login changes nothing shown; a new name of the author shows at once.
    generation = progress_generation()
    client.force_login(person)
    assert progress_generation() == generation
    person.last_name = "Kragh-Nielsen"
    person.save()
    assert "Kragh-Nielsen" in progress_overview(client, initiative)


def test_the_status_table_is_kept_until_progress_changes_with_each_readers_report_links(client):
    """One cached table per combination of rows the reader may report on: a project
    leader's link to their own row never reaches another reader, and the progress is
    not read again while nothing changed."""
    initiative = InitiativeFactory()
    randers = member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Rudersdal", Membership.Status.PARTNER)
    member(initiative, "Aarhus", Membership.Status.REFERENCE)
    report = "network:report_progress"

    def report_links(text):
        return sorted(
            slug
            for slug in ("randers", "rudersdal")
            if reverse(report, args=[initiative.slug, slug]) in text
        )

    client.force_login(municipal_person("Randers", Role.PROJECT_LEADER))
    assert report_links(progress_overview(client, initiative)) == ["randers"]
    with CaptureQueriesContext(connection) as queries:
        progress_overview(client, initiative)
    assert not [q for q in queries.captured_queries if "network_partprogress" in q["sql"]]

    client.force_login(agency_editor())
    assert report_links(progress_overview(client, initiative)) == ["randers", "rudersdal"]
    client.force_login(municipal_person("Aarhus"))
    assert report_links(progress_overview(client, initiative)) == []

    start_first_part(randers)
    assert 'data-status="in_progress"' in progress_overview(client, initiative)


def test_the_meeting_filter_is_kept_per_choice_and_lists_a_new_initiative_at_once(client):
    client.force_login(municipal_person("Randers"))
    url = reverse("meetings:list")
    first = InitiativeFactory(title="Partnerskab om recovery")
    assert "Partnerskab om recovery" in page_text(client, url)
    chosen = page_text(client, f"{url}?initiativ={first.slug}")
    assert f'<option value="{first.slug}" selected>' in chosen
    assert f'<option value="{first.slug}" selected>' not in page_text(client, url)

    InitiativeFactory(title="Partnerskab om bostøtte")
    assert "Partnerskab om bostøtte" in page_text(client, url)


def test_the_forum_filter_is_kept_per_choice_and_language(client):
    space = SpaceFactory(visibility=Space.Visibility.PUBLIC)
    url = reverse("knowledge:space", args=[space.slug])
    assert 'value="experience" selected' not in page_text(client, url)
    assert 'value="experience" selected' in page_text(client, f"{url}?type=experience")
    assert 'value="experience" selected' not in page_text(client, f"{url}?type=discussion")
    client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "All types" in page_text(client, url)


def test_a_menu_page_behind_a_login_is_not_in_the_menu(client):
    from wagtail.models import PageViewRestriction

    pool = PoolPageFactory()
    StandardPageFactory(title="Om partnerskabet", slug="om", show_in_menus=True)
    internal = StandardPageFactory(title="Kun for netværket", slug="intern", show_in_menus=True)
    PageViewRestriction.objects.create(page=internal, restriction_type=PageViewRestriction.LOGIN)
    text = page_text(client, pool.url)
    assert "Om partnerskabet" in text and "Kun for netværket" not in text


# --- A person's roles (network.access.roles_of) ---------------------------------------------


def roles_in_a_new_request(person):
    """The roles as the next request reads them: a fresh user object, as the session gives."""
    return access.roles_of(User.objects.get(pk=person.pk))


def test_a_persons_roles_are_read_from_the_database_once_then_from_the_cache():
    person = municipal_person("Randers", Role.PROJECT_LEADER)
    assert roles_in_a_new_request(person) == {Role.PROJECT_LEADER}
    fresh = User.objects.get(pk=person.pk)
    with CaptureQueriesContext(connection) as queries:
        assert access.roles_of(fresh) == {Role.PROJECT_LEADER}
    assert len(queries) == 0


def test_a_granted_or_revoked_role_counts_from_the_next_request():
    person = municipal_person("Randers", Role.PROJECT_LEADER)
    editor = agency_editor()
    assert roles_in_a_new_request(person) == {Role.PROJECT_LEADER}

    grant_role(person, Role.PROJECT_OWNER, granted_by=editor)
    assert roles_in_a_new_request(person) == {Role.PROJECT_LEADER, Role.PROJECT_OWNER}

    revoke_role(person, Role.PROJECT_LEADER, revoked_by=editor)
    assert roles_in_a_new_request(person) == {Role.PROJECT_OWNER}


def test_a_role_changed_in_the_admin_counts_from_the_next_request():
    """The admin saves and deletes RoleAssignment rows without the services."""
    person = municipal_person("Randers")
    assert roles_in_a_new_request(person) == set()
    assignment = RoleAssignment.objects.create(person=person, role=Role.PROJECT_LEADER)
    assert roles_in_a_new_request(person) == {Role.PROJECT_LEADER}
    assignment.delete()
    assert roles_in_a_new_request(person) == set()


def test_a_deactivated_person_has_no_roles_whatever_the_cache_holds():
    person = municipal_person("Randers", Role.PROJECT_LEADER)
    assert roles_in_a_new_request(person) == {Role.PROJECT_LEADER}
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert roles_in_a_new_request(person) == set()
