"""Factories for the CMS pages; each page is added under a parent and published."""

from datetime import timedelta

import factory
from django.utils import timezone
from wagtail.models import Page

from cms.models import (
    AwardCriterion,
    ConceptPage,
    ContactPerson,
    HomePage,
    InitiativePage,
    NewsIndexPage,
    NewsPage,
    PoolIndexPage,
    PoolPage,
    StandardPage,
)


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPerson

    name = factory.Sequence(lambda n: f"Kontakt {n}")
    job_title = "Chefkonsulent"
    email = factory.Sequence(lambda n: f"kontakt{n}@socialstyrelsen.dk")
    phone = "72 42 41 33"
    phone_hours = "10.00–14.00"


class PageFactory(factory.django.DjangoModelFactory):
    """Adds the page as a child of ``parent`` (default: the home page) and publishes it."""

    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"Side {n}")

    @classmethod
    def _create(cls, model_class, *args, parent=None, publish=True, **kwargs):
        page = model_class(*args, **kwargs)
        parent = parent or HomePage.objects.get()
        parent.add_child(instance=page)
        if publish:
            page.save_revision().publish()
            page.refresh_from_db()
        return page


class PoolIndexPageFactory(PageFactory):
    class Meta:
        model = PoolIndexPage

    title = "Ansøgningspuljer"
    slug = factory.Sequence(lambda n: f"puljer-{n}")


class PoolPageFactory(PageFactory):
    class Meta:
        model = PoolPage

    title = factory.Sequence(lambda n: f"Pulje {n}")
    intro = "En pulje til kommunernes udvikling af socialpsykiatrien."
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    amount = 13_000_000
    purpose = "<p>Formålet er at støtte kommunernes strategiske omlægning.</p>"
    target_group = "<p>Borgere over 18 år med psykiske vanskeligheder.</p>"
    who_can_apply = "<p>Landets kommuner.</p>"
    award_criteria = factory.LazyFunction(
        lambda: [
            AwardCriterion(title="Relevans", description="<p>Ansøger ligger inden for puljen.</p>"),
            AwardCriterion(title="Indsats", description="<p>Ansøger redegør for behovet.</p>"),
        ]
    )

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        parent = parent or PoolIndexPageFactory()
        return super()._create(model_class, *args, parent=parent, **kwargs)


class NewsIndexPageFactory(PageFactory):
    class Meta:
        model = NewsIndexPage

    title = "Nyheder"
    slug = factory.Sequence(lambda n: f"nyheder-{n}")


class NewsPageFactory(PageFactory):
    class Meta:
        model = NewsPage

    title = factory.Sequence(lambda n: f"Nyhed {n}")
    intro = "Kort om nyheden."
    date = factory.LazyFunction(timezone.localdate)
    body = factory.LazyFunction(lambda: [("paragraph", "<p>Brødtekst.</p>")])

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        parent = parent or NewsIndexPageFactory()
        return super()._create(model_class, *args, parent=parent, **kwargs)


class ConceptPageFactory(PageFactory):
    class Meta:
        model = ConceptPage

    title = "Recovery-konceptet"
    intro = "Hvad recovery er."
    body = factory.LazyFunction(
        lambda: [
            ("heading", {"text": "Hvad er recovery", "level": "h2"}),
            ("quote", {"quote": "Recovery betyder at komme sig.", "attribution": ""}),
            (
                "numbered_elements",
                {
                    "heading": "Fire elementer",
                    "intro": "",
                    "elements": [
                        {"title": "Fokus på borgerens ressourcer", "text": "<p>Håb smitter.</p>"},
                        {"title": "Fokus på borgerens indefra-perspektiv", "text": ""},
                    ],
                },
            ),
            ("callout", {"variant": "info", "title": "Mindshift", "text": "<p>På vej.</p>"}),
        ]
    )


class InitiativePageFactory(PageFactory):
    class Meta:
        model = InitiativePage

    title = "Partnerskabet"
    intro = "Partnerskab om strategisk omlægning."


class StandardPageFactory(PageFactory):
    class Meta:
        model = StandardPage

    title = "Tilgængelighedserklæring"
    intro = "Sådan lever platformen op til webtilgængelighedsloven."


def root_page():
    return Page.objects.get(depth=1)
