"""Progress: the network's overview, the municipality page and a partner's report page."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from network import services
from network.models import Membership, Milestone, Municipality, PartProgress, Role, StatusNote
from tests.cms.factories import InitiativePageFactory
from tests.network.factories import (
    ApplicationFactory,
    InitiativeFactory,
    agency_editor,
    agency_moderator,
    member,
    municipal_person,
    municipality,
)

pytestmark = pytest.mark.django_db

PARTNERS = ["Randers", "Rudersdal", "Roskilde", "Herning"]
REFERENCES = ["Aarhus", "Odense"]


def set_status(membership, part, status, on):
    services.set_part_status(membership, part, status, by=agency_editor(), on=on)


@pytest.fixture
def network():
    """The seed's case: four partners, two reference municipalities, one applicant."""
    initiative = InitiativeFactory(page=InitiativePageFactory())
    partners = {name: member(initiative, name, Membership.Status.PARTNER) for name in PARTNERS}
    references = {
        name: member(initiative, name, Membership.Status.REFERENCE) for name in REFERENCES
    }
    member(initiative, "Vejle", Membership.Status.APPLICANT)
    randers = partners["Randers"]
    editor = agency_editor()
    services.set_part_status(randers, 1, "done", by=editor, on=date(2020, 1, 15))
    PartProgress.objects.filter(membership=randers, part=1).update(started_on=date(2020, 1, 6))
    services.set_part_status(randers, 2, "in_progress", by=editor, on=date(2020, 6, 1))
    services.set_part_status(partners["Herning"], 1, "in_progress", by=editor, on=date(2020, 2, 3))
    services.add_milestone(
        randers, 2, title="Kick-off i implementeringsgruppen", due_on=date(2020, 9, 1), by=editor
    )
    services.add_status_note(
        randers, 1, "Kortlægningen er afsluttet.", by=editor, written_on=date(2020, 3, 2)
    )
    return {
        "initiative": initiative,
        "partners": partners,
        "references": references,
        "editor": editor,
    }


def overview_url(initiative):
    return reverse("network:progress_overview", args=[initiative.slug])


def report_url(membership):
    return reverse(
        "network:report_progress",
        args=[membership.initiative.slug, membership.municipality.slug],
    )


def municipality_url(name):
    return reverse("network:municipality", args=[municipality(name).slug])


def login_url(next_url):
    return f"{reverse(settings.LOGIN_URL)}?next={next_url}"


def html(response):
    return response.content.decode()


# --- The overview --------------------------------------------------------------------------


def test_overview_shows_every_partner_in_every_part(client, network):
    client.force_login(municipal_person("Aarhus"))
    response = client.get(overview_url(network["initiative"]))
    assert response.status_code == 200
    page = html(response)
    status_table = page.split('class="table progress-table"')[1].split("</table>")[0]
    for name in PARTNERS:
        slug = municipality(name).slug
        row = status_table.split(f'data-partner="{slug}"')[1].split("</tr>")[0]
        assert len(re.findall(r'<td data-part="\d"', row)) == 5, name
    randers = status_table.split(f'data-partner="{municipality("Randers").slug}"')[1]
    assert 'data-part="1" data-status="done"' in randers.split("</tr>")[0]
    assert 'data-part="2" data-status="in_progress"' in randers.split("</tr>")[0]
    assert "02.03.2020" in randers.split("</tr>")[0]  # the latest note's date
    for name in ["Aarhus", "Odense", "Vejle"]:
        assert f'data-partner="{municipality(name).slug}"' not in status_table
    assert "Kortlægningen er afsluttet." in page


def test_overview_states_the_status_in_text_not_colour_alone(client, network):
    client.force_login(network["editor"])
    page = html(client.get(overview_url(network["initiative"])))
    labels = {str(label) for label in PartProgress.Status.labels}
    cells = re.findall(
        r'<span class="badge [\w-]* ?progress-status progress-status--\w+">([^<]+)</span>', page
    )
    assert len(cells) == 4 * 5
    assert set(cells) <= labels


def test_timeline_has_a_bar_per_started_part_and_the_table_lists_the_same(client, network):
    client.force_login(network["editor"])
    page = html(client.get(overview_url(network["initiative"])))
    svg = page.split('<svg class="timeline__chart"')[1].split("</svg>")[0]
    assert 'role="img"' in svg and 'aria-labelledby="timeline-title timeline-desc"' in svg
    assert '<title id="timeline-title">' in svg and '<desc id="timeline-desc">' in svg
    bars = set(
        re.findall(
            r'<rect class="timeline__bar[^"]*" data-partner="([\w-]+)" data-part="(\d)"', svg
        )
    )
    started = {
        (progress.membership.municipality.slug, str(progress.part))
        for progress in PartProgress.objects.filter(started_on__isnull=False)
    }
    assert (
        bars
        == started
        == {
            (municipality("Randers").slug, "1"),
            (municipality("Randers").slug, "2"),
            (municipality("Herning").slug, "1"),
        }
    )
    table = page.split('class="table timeline-table"')[1].split("</table>")[0]
    rows = set(re.findall(r'<tr data-partner="([\w-]+)" data-part="(\d)" data-started>', table))
    assert rows == bars
    assert len(re.findall(r"<tr data-partner=", table)) == 4 * 5
    assert "Kick-off i implementeringsgruppen" in table and "01.09.2020" in table
    # The milestone is a marker on the chart too, and numbers use a dot, whatever the locale.
    assert 'class="timeline__milestone"' in svg
    assert not re.search(r'\s[xy]="\d+,\d', svg)


def test_timeline_bar_runs_from_start_to_finish_within_the_project_period(client, network):
    client.force_login(network["editor"])
    page = html(client.get(overview_url(network["initiative"])))
    randers = municipality("Randers").slug
    done = re.search(
        rf'<rect class="timeline__bar timeline__bar--done" data-partner="{randers}" '
        r'data-part="1" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"',
        page,
    )
    running = re.search(
        rf'<rect class="timeline__bar timeline__bar--in_progress" data-partner="{randers}" '
        r'data-part="2" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"',
        page,
    )
    assert done and running
    assert float(done.group(1)) < float(running.group(1))
    # In progress since June 2020 and the period ended in 2022: the bar reaches the end.
    assert float(running.group(1)) + float(running.group(2)) == pytest.approx(940, abs=0.2)


def test_overview_permissions(client, network):
    url = overview_url(network["initiative"])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == login_url(url)
    cases = {
        "applicant": (municipal_person("Vejle", Role.PROJECT_LEADER), 403),
        "outsider": (municipal_person("Aalborg"), 403),
        "reference member": (municipal_person("Odense"), 200),
        "partner member": (municipal_person("Rudersdal"), 200),
        "partner project leader": (municipal_person("Randers", Role.PROJECT_LEADER), 200),
        "agency editor": (network["editor"], 200),
        "agency moderator": (agency_moderator(), 200),
    }
    for who, (person, expected) in cases.items():
        client.force_login(person)
        assert client.get(url).status_code == expected, who


def test_overview_of_an_unknown_initiative_is_404(client, network):
    client.force_login(network["editor"])
    assert client.get(reverse("network:progress_overview", args=["findes-ikke"])).status_code == 404


def test_overview_links_report_pages_only_for_those_who_may_report(client, network):
    randers = network["partners"]["Randers"]
    client.force_login(municipal_person("Randers", Role.PROJECT_LEADER))
    page = html(client.get(overview_url(network["initiative"])))
    assert report_url(randers) in page
    assert report_url(network["partners"]["Herning"]) not in page
    client.force_login(network["editor"])
    page = html(client.get(overview_url(network["initiative"])))
    for membership in network["partners"].values():
        assert report_url(membership) in page


def add_partners(initiative, count):
    """More partners, each with progress in every part, milestones and notes."""
    editor = agency_editor()
    names = list(
        Municipality.objects.exclude(memberships__initiative=initiative).values_list(
            "name", flat=True
        )[:count]
    )
    for name in names:
        membership = member(initiative, name, Membership.Status.PARTNER)
        for part in range(1, 6):
            services.set_part_status(
                membership, part, "in_progress", by=editor, on=date(2020, 3, 1)
            )
            services.add_milestone(
                membership, part, title=f"Milepæl {part}", due_on=date(2021, part, 1), by=editor
            )
            services.add_status_note(membership, part, f"Note {part}", by=editor)


@pytest.mark.parametrize("partner_count", [4, 20])
def test_overview_query_count_is_bounded(client, django_assert_max_num_queries, partner_count):
    initiative = InitiativeFactory()
    add_partners(initiative, partner_count)
    viewer = municipal_person(
        Municipality.objects.filter(memberships__initiative=initiative).first().name,
        Role.PROJECT_LEADER,
    )
    client.force_login(viewer)
    with django_assert_max_num_queries(18):
        response = client.get(overview_url(initiative))
    assert response.status_code == 200
    assert html(response).count("<tr data-partner=") == partner_count * 6


# --- The municipality page -----------------------------------------------------------------


def test_municipality_page_is_public_without_names(client, network):
    municipal_person("Randers", Role.PROJECT_LEADER, first_name="Anders", last_name="Kjær")
    response = client.get(municipality_url("Randers"))
    assert response.status_code == 200
    page = html(response)
    assert "Randers" in page and "730" in page
    assert network["initiative"].title in page
    assert "Anders" not in page and "Kjær" not in page
    # Progress notes are for network members.
    assert "Kortlægningen er afsluttet." not in page
    assert "Kick-off i implementeringsgruppen" not in page


def test_municipality_page_shows_people_to_network_members_and_agency_staff(client, network):
    municipal_person("Randers", Role.PROJECT_LEADER, first_name="Anders", last_name="Kjær")
    cases = {
        "anonymous": (None, False),
        "outsider": (municipal_person("Aalborg"), False),
        "applicant": (municipal_person("Vejle"), False),
        "reference member": (municipal_person("Aarhus"), True),
        "partner of another municipality": (municipal_person("Herning"), True),
        "own staff": (municipal_person("Randers"), True),
        "agency editor": (network["editor"], True),
        "agency moderator": (agency_moderator(), True),
    }
    for who, (person, sees_names) in cases.items():
        client.logout()
        if person:
            client.force_login(person)
        page = html(client.get(municipality_url("Randers")))
        assert ("Anders Kjær" in page) is sees_names, who
        if sees_names:
            assert "Project leader" in page or "Projektleder" in page, who


def test_municipality_page_shows_progress_to_network_members_only(client, network):
    for person, sees in [
        (municipal_person("Aarhus"), True),
        (municipal_person("Herning"), True),
        (network["editor"], True),
        (municipal_person("Aalborg"), False),
        (municipal_person("Vejle"), False),
    ]:
        client.force_login(person)
        page = html(client.get(municipality_url("Randers")))
        assert ("Kortlægningen er afsluttet." in page) is sees, person.municipality
        assert ("Kick-off i implementeringsgruppen" in page) is sees, person.municipality


def test_municipality_page_lists_memberships_and_their_history(client, network):
    membership = network["partners"]["Randers"]
    membership.events.update(date=date(2019, 11, 4))
    page = html(client.get(municipality_url("Randers")))
    assert "history-table" in page
    assert "04.11.2019" in page or "4. november 2019" in page


def test_applications_only_to_own_staff_and_editors(client, network):
    initiative = network["initiative"]
    ApplicationFactory(pool=initiative.pool, municipality=municipality("Randers"))
    pool_title = initiative.pool.title
    for person, sees in [
        (None, False),
        (municipal_person("Herning"), False),
        (municipal_person("Aarhus"), False),
        (municipal_person("Randers"), True),
        (network["editor"], True),
    ]:
        client.logout()
        if person:
            client.force_login(person)
        page = html(client.get(municipality_url("Randers")))
        activity = page.split('id="activity-heading"')[1] if 'id="activity-heading"' in page else ""
        assert (pool_title in activity) is sees, person


def test_a_rejection_is_not_public(client, network):
    rejected = member(network["initiative"], "Aalborg", Membership.Status.REJECTED)
    ApplicationFactory(pool=network["initiative"].pool, municipality=rejected.municipality)
    assert network["initiative"].title not in html(client.get(municipality_url("Aalborg")))
    client.force_login(municipal_person("Aalborg"))
    assert network["initiative"].title in html(client.get(municipality_url("Aalborg")))


def test_unknown_municipality_is_404(client):
    assert client.get(reverse("network:municipality", args=["findes-ikke"])).status_code == 404


def test_municipality_page_query_count_is_bounded(client, django_assert_max_num_queries):
    initiative = InitiativeFactory()
    add_partners(initiative, 1)
    membership = Membership.objects.get(initiative=initiative)
    for index in range(10):
        municipal_person(membership.municipality.name, Role.IMPLEMENTATION_GROUP)
        services.add_status_note(membership, 1, f"Mere {index}", by=agency_editor())
    client.force_login(municipal_person(membership.municipality.name, Role.PROJECT_LEADER))
    with django_assert_max_num_queries(21):
        response = client.get(reverse("network:municipality", args=[membership.municipality.slug]))
    assert response.status_code == 200


# --- Reporting progress --------------------------------------------------------------------


def test_report_progress_permissions(client, network):
    randers = network["partners"]["Randers"]
    url = report_url(randers)
    response = client.get(url)
    assert response.status_code == 302 and response.url == login_url(url)
    cases = {
        "own project leader": (municipal_person("Randers", Role.PROJECT_LEADER), 200),
        "own project owner": (municipal_person("Randers", Role.PROJECT_OWNER), 200),
        "own implementation group": (municipal_person("Randers", Role.IMPLEMENTATION_GROUP), 403),
        "other partner's project leader": (municipal_person("Herning", Role.PROJECT_LEADER), 403),
        "reference member": (municipal_person("Aarhus", Role.PROJECT_LEADER), 403),
        "applicant": (municipal_person("Vejle", Role.PROJECT_LEADER), 403),
        "agency moderator": (agency_moderator(), 403),
        "agency editor": (network["editor"], 200),
    }
    for who, (person, expected) in cases.items():
        client.force_login(person)
        assert client.get(url).status_code == expected, who
        response = client.post(url, {"form": "note", "note-part": "1", "note-text": who})
        assert response.status_code == (302 if expected == 200 else 403), who
    assert set(StatusNote.objects.filter(membership=randers).values_list("text", flat=True)) == {
        "Kortlægningen er afsluttet.",
        "own project leader",
        "own project owner",
        "agency editor",
    }


def test_a_reference_municipality_has_no_report_page(client, network):
    client.force_login(network["editor"])
    assert client.get(report_url(network["references"]["Aarhus"])).status_code == 404


def test_progress_reported_through_the_forms_shows_on_the_overview(client, network):
    herning = network["partners"]["Herning"]
    leader = municipal_person("Herning", Role.PROJECT_LEADER)
    client.force_login(leader)
    url = report_url(herning)

    response = client.post(
        url,
        {
            "form": "status",
            "status-part_1": "done",
            "status-part_2": "in_progress",
            "status-part_3": "not_started",
            "status-part_4": "not_started",
            "status-part_5": "not_started",
            "status-on": "2021-02-01",
        },
    )
    assert response.status_code == 302 and response.url == url
    progress = {p.part: p for p in herning.progress.all()}
    assert progress[1].status == "done" and progress[1].finished_on == date(2021, 2, 1)
    assert progress[1].started_on == date(2020, 2, 3)  # kept from before
    assert progress[2].status == "in_progress" and progress[2].started_on == date(2021, 2, 1)
    assert progress[2].updated_by == leader

    response = client.post(
        url,
        {
            "form": "milestone",
            "milestone-part": "2",
            "milestone-title": "Første forløb",
            "milestone-due_on": "2021-05-01",
        },
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(membership=herning, title="Første forløb")

    response = client.post(
        url,
        {"form": "reached", "reached-milestone": milestone.pk, "reached-reached_on": "2021-04-28"},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.reached_on == date(2021, 4, 28)

    response = client.post(
        url, {"form": "note", "note-part": "2", "note-text": "Vi er i gang med forløbene."}
    )
    assert response.status_code == 302
    note = StatusNote.objects.get(membership=herning, part=2)
    assert note.author == leader and note.written_on == timezone.localdate()

    followed = client.get(url)
    assert [str(m) for m in followed.context["messages"]]  # the success message is shown

    page = html(client.get(overview_url(network["initiative"])))
    row = page.split(f'data-partner="{municipality("Herning").slug}"')[1].split("</tr>")[0]
    assert 'data-part="1" data-status="done"' in row
    assert 'data-part="2" data-status="in_progress"' in row
    assert "Vi er i gang med forløbene." in page
    assert "Første forløb" in page
    herning = municipality("Herning").slug
    bar = f'class="timeline__bar timeline__bar--in_progress" data-partner="{herning}" data-part="2"'
    assert bar in page


def test_an_invalid_note_is_refused_with_the_text_kept(client, network):
    randers = network["partners"]["Randers"]
    client.force_login(municipal_person("Randers", Role.PROJECT_LEADER))
    before = StatusNote.objects.count()
    too_long = "Lang tekst. " * 200
    response = client.post(
        report_url(randers), {"form": "note", "note-part": "3", "note-text": too_long}
    )
    assert response.status_code == 200
    page = html(response)
    assert 'role="alert"' in page
    assert 'href="#id_note-text"' in page
    assert 'aria-invalid="true"' in page
    assert too_long.strip()[:100] in page
    assert StatusNote.objects.count() == before
    response = client.post(
        report_url(randers), {"form": "note", "note-part": "9", "note-text": "x"}
    )
    assert response.status_code == 200 and 'href="#id_note-part"' in html(response)
    assert StatusNote.objects.count() == before


def test_a_service_validation_error_is_shown_on_the_form(client, network, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(*args, **kwargs):
        raise ValidationError({"title": "Titlen er ikke god nok."})

    monkeypatch.setattr(services, "add_milestone", refuse)
    client.force_login(network["editor"])
    response = client.post(
        report_url(network["partners"]["Randers"]),
        {
            "form": "milestone",
            "milestone-part": "1",
            "milestone-title": "Min milepæl",
            "milestone-due_on": "2021-01-01",
        },
    )
    assert response.status_code == 200
    page = html(response)
    assert "Titlen er ikke god nok." in page and 'value="Min milepæl"' in page


def test_a_milestone_of_another_partner_cannot_be_marked(client, network):
    herning_milestone = services.add_milestone(
        network["partners"]["Herning"],
        1,
        title="Herning",
        due_on=date(2021, 1, 1),
        by=network["editor"],
    )
    client.force_login(municipal_person("Randers", Role.PROJECT_LEADER))
    response = client.post(
        report_url(network["partners"]["Randers"]),
        {"form": "reached", "reached-milestone": herning_milestone.pk},
    )
    assert response.status_code == 200
    herning_milestone.refresh_from_db()
    assert herning_milestone.reached_on is None


def test_an_unknown_form_is_a_bad_request(client, network):
    client.force_login(network["editor"])
    response = client.post(report_url(network["partners"]["Randers"]), {"form": "hack"})
    assert response.status_code == 400


# --- The public initiative page ------------------------------------------------------------


def test_initiative_page_lists_partners_and_reference_municipalities(client, network):
    page = html(client.get(network["initiative"].page.url))
    for name in PARTNERS + REFERENCES:
        assert f'href="{municipality_url(name)}"' in page, name
    partners = page.split('id="partners-heading"')[1].split("</ul>")[0]
    references = page.split('id="references-heading"')[1].split("</ul>")[0]
    assert all(name in partners for name in PARTNERS)
    assert not any(name in partners for name in REFERENCES)
    assert all(name in references for name in REFERENCES)
    assert "Vejle" not in page  # an applicant is neither
    assert overview_url(network["initiative"]) not in page  # the public cannot follow it


def test_initiative_page_links_the_overview_for_network_members(client, network):
    client.force_login(municipal_person("Aarhus"))
    assert overview_url(network["initiative"]) in html(client.get(network["initiative"].page.url))
