"""Our own error pages: 500 stands alone (no request, no database), 403 and 404 are the site's.

Django renders 500.html without a request context, possibly while the database is the
thing failing, so the page must render with nothing but the template and no queries.
"""

import pytest
from django.template import loader
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from knowledge.models import Space
from network.models import Membership
from tests.knowledge.factories import SpaceFactory, TopicFactory, numbered_post
from tests.network.factories import member, municipal_person


def test_the_500_page_renders_without_a_request_or_the_database():
    # No django_db mark: any query here would raise.
    with translation.override("da"):
        html = loader.get_template("500.html").render()
        response = server_error(RequestFactory().post("/forum/emner/1/"))

    assert response.status_code == 500
    assert response.content.decode() == html
    assert '<html lang="da">' in html
    assert 'class="account-page error-page error-page--500"' in html
    assert html.count("<h1>") == 1
    assert '<main id="main"' in html
    assert 'href="#main"' in html  # the skip link
    assert "/static/css/site.css" in html
    assert "{%" not in html and "{{" not in html


@pytest.mark.django_db
def test_an_unknown_address_answers_the_sites_404_page(client):
    response = client.get("/findes-ikke-her/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "error-page--404" in html
    assert '<header class="header">' in html  # the site's own frame, with search and menu
    assert html.count("<h1>") == 1


@pytest.mark.django_db
def test_a_forbidden_action_answers_the_sites_403_page(client):
    space = SpaceFactory(visibility=Space.Visibility.NETWORK)
    member(space.initiative, "Aarhus", Membership.Status.PARTNER)
    author = municipal_person("Aarhus")
    post = numbered_post(TopicFactory(space=space, author=author), author, "Mit indlæg.")
    client.force_login(municipal_person("Aarhus"))

    response = client.get(reverse("knowledge:edit_post", args=[post.pk]))

    assert response.status_code == 403
    html = response.content.decode()
    assert "error-page--403" in html
    assert '<header class="header">' in html
    assert html.count("<h1>") == 1
