"""What people write: an XSS corpus through the sanitiser and through the pages, and the
CPR guard on every field that takes text (titles, posts, edits, experience reports,
reports), refusing with nothing saved and the text kept in the form."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from knowledge import services, text
from knowledge.models import Post, PostReport, Space, Topic
from network.models import Membership
from tests.knowledge.factories import SpaceFactory
from tests.network.factories import InitiativeFactory, member, municipal_person

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">klik</a>',
    '<a href="JaVaScRiPt:alert(1)">klik</a>',
    '<a href="&#106;avascript:alert(1)">klik</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;script:alert(1)">klik</a>',
    '<a href="java\tscript:alert(1)">klik</a>',
    "[klik](javascript:alert(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:text/html,<script>alert(1)</script>">klik</a>',
    "![billede](javascript:alert(1))",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<p style="background:url(javascript:alert(1))">tekst</p>',
    "<style>body{display:none}</style>",
    '<div onclick="alert(1)">klik</div>',
    "<body onload=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "<img src=x onerror=alert(1)//",
    '<a href="https://ok.example" onmouseover="alert(1)">ok',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><script>alert(1)</script>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    '<a href="  javascript:alert(1)">mellemrum</a>',
    '<details open ontoggle="alert(1)">',
    '<input autofocus onfocus="alert(1)">',
    "<!--<img src=x onerror=alert(1)>-->",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<base href="javascript:alert(1)//">',
]

FORBIDDEN_MARKUP = ["<script", "<svg", "<style", "<iframe", "<img", "<object", "<embed",
                    "<form", "<input", "<meta", "<link", "<base", "<math", "<details"]  # fmt: skip
ALLOWED_TAGS = set(text.ALLOWED_TAGS)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_safe(html):
    """No element, attribute or URL that could run: checked on the parsed markup, since a
    payload that was escaped to text (``&lt;img onerror=…``) is shown, not run."""
    lowered = html.lower()
    for needle in FORBIDDEN_MARKUP:
        assert needle not in lowered, f"{needle!r} survived in {html!r}"
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.elements:
        assert tag in ALLOWED_TAGS, f"<{tag}> survived in {html!r}"
        assert set(attrs) <= {"href", "title", "rel"}, f"{attrs} survived in {html!r}"
        assert not any(name.startswith("on") or name == "style" for name in attrs)
        href = "".join((attrs.get("href") or "").split()).lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:")), html
        if href:
            assert href.startswith(("http://", "https://", "mailto:")), html
            assert attrs.get("rel") == "nofollow noopener", html


@pytest.mark.parametrize("payload", XSS)
def test_the_sanitiser_leaves_nothing_that_runs(payload):
    assert_safe(text.render(payload))


def test_links_get_nofollow_noopener():
    html = text.render("Se [Socialstyrelsen](https://sm.dk) og https://vive.dk")
    assert html.count('rel="nofollow noopener"') == 2
    assert 'href="https://sm.dk"' in html


def test_limited_formatting_survives():
    html = text.render("**fed** og *kursiv*\n\n- punkt\n\n> citat")
    for tag in ("<strong>", "<em>", "<li>", "<blockquote>", "<p>"):
        assert tag in html


@pytest.fixture
def forum():
    initiative = InitiativeFactory()
    member(initiative, "Randers", Membership.Status.PARTNER)
    space = SpaceFactory(slug="netvaerket", visibility=Space.Visibility.NETWORK,
                         initiative=initiative)  # fmt: skip
    person = municipal_person("Randers")
    return space, person


@pytest.mark.django_db
def test_xss_posted_through_the_pages_is_stored_without_it(client, forum, settings):
    settings.WRITE_LIMITS = {**settings.WRITE_LIMITS, "posts": "100/m"}
    space, person = forum
    client.force_login(person)
    response = client.post(
        reverse("knowledge:new_topic", args=[space.slug]),
        {"title": '<script>alert("titel")</script>', "text": XSS[0],
         "tags": "<img src=x onerror=alert(1)>, ok"},
    )  # fmt: skip
    topic = Topic.objects.get()
    assert response.status_code == 302
    for number, payload in enumerate(XSS[1:]):
        services.post_reply(topic, person, f"{number}: {payload}")
    for post in Post.objects.all():
        assert_safe(post.html)
    page = client.get(reverse("knowledge:topic", args=[topic.pk])).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;titel&quot;)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    tag_page = client.get(reverse("knowledge:space", args=[space.slug])).content.decode()
    assert "<img src=x" not in tag_page


# --- The CPR guard -------------------------------------------------------------------------

REFUSED = ["010203-1234", "0102031234", "010203 1234", "311299-4321", "290200-1234"]
ALLOWED = ["72 42 41 33", "+45 72424133", "17.09.2019", "17-09-2019", "13.000.000 kr.",
           "1.500.000", "3213456789", "Ring 33 92 93 00"]  # fmt: skip


@pytest.mark.parametrize("number", REFUSED)
def test_cpr_numbers_are_recognised(number):
    assert text.contains_cpr(f"Borgeren har {number} som nummer")


@pytest.mark.parametrize("harmless", ALLOWED)
def test_phone_numbers_dates_and_amounts_are_not(harmless):
    assert not text.contains_cpr(f"Se {harmless} her")


@pytest.mark.django_db
@pytest.mark.parametrize("number", REFUSED)
def test_the_pages_refuse_cpr_numbers_and_keep_the_text(client, forum, number):
    space, person = forum
    client.force_login(person)
    new_topic = reverse("knowledge:new_topic", args=[space.slug])
    # In the title
    response = client.post(new_topic, {"title": f"Om {number}", "text": "Tekst"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Om {number}" in page and 'href="#id_title"' in page and "CPR" in page
    # In the text
    response = client.post(new_topic, {"title": "Titel", "text": f"Borger {number}"})
    assert f"Borger {number}" in response.content.decode()
    assert 'href="#id_text"' in response.content.decode()
    # In the tags
    response = client.post(new_topic, {"title": "Titel", "text": "Tekst", "tags": f"a, {number}"})
    assert 'href="#id_tags"' in response.content.decode()
    assert f"a, {number}" in response.content.decode()
    # In an experience report's section
    report = {name: "Noget" for name in services.REPORT_FIELDS}
    report["barriers"] = f"Borger {number} faldt fra"
    response = client.post(
        reverse("knowledge:new_experience_report", args=[space.slug]),
        {"title": "Erfaring", **report},
    )
    assert 'href="#id_barriers"' in response.content.decode()
    assert f"Borger {number} faldt fra" in response.content.decode()
    assert not Topic.objects.exists() and not Post.objects.exists()

    topic = services.start_topic(space, person, title="Emne", source="Første")
    post = topic.posts.get()
    # In a reply
    response = client.post(reverse("knowledge:topic", args=[topic.pk]), {"text": f"Nr {number}"})
    assert response.status_code == 200 and f"Nr {number}" in response.content.decode()
    # In an edit
    response = client.post(reverse("knowledge:edit_post", args=[post.pk]), {"text": number})
    assert response.status_code == 200 and number in response.content.decode()
    # In a report's reason
    response = client.post(reverse("knowledge:report_post", args=[post.pk]), {"reason": number})
    assert response.status_code == 200 and 'href="#id_reason"' in response.content.decode()
    post.refresh_from_db()
    assert topic.posts.count() == 1 and post.source == "Første" and not post.revisions.exists()
    assert not PostReport.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("harmless", ALLOWED)
def test_the_pages_accept_phone_numbers_dates_and_amounts(client, forum, harmless):
    space, person = forum
    client.force_login(person)
    response = client.post(
        reverse("knowledge:new_topic", args=[space.slug]),
        {"title": f"Titel {harmless}", "text": f"Ring {harmless}"},
    )
    assert response.status_code == 302
    assert Topic.objects.get().title == f"Titel {harmless}"
