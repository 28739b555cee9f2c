"""Wagtail pages and snippets: home, pools, news, the recovery concept, the initiative."""

from datetime import UTC, timedelta

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import conditional_page
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from cms.blocks import RICH_TEXT_FEATURES, BodyBlock, PracticalInformationBlock
from cms.feeds import NewsFeed

PAGE_SIZE = 10
CLOSING_SOON = timedelta(days=7)


class ProjectPart(models.IntegerChoices):
    """The five parts of a partnership initiative, as in the information meeting slides."""

    MAPPING = 1, _("Part 1: Mapping")
    DEVELOPMENT = 2, _("Part 2: Development and implementation support")
    REFERENCE_NETWORK = 3, _("Part 3: Network of reference municipalities")
    EVALUATION = 4, _("Part 4: Evaluation")
    DISSEMINATION = 5, _("Part 5: Dissemination")


def paginate(request, queryset, per_page=PAGE_SIZE):
    """The requested page of a list; a page number out of range gives the last page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("side"))


@register_snippet
class ContactPerson(index.Indexed, models.Model):
    """Someone at Socialstyrelsen whom readers of a pool or news item can contact."""

    name = models.CharField(_("name"), max_length=200)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    unit = models.CharField(
        _("unit"),
        max_length=200,
        blank=True,
        help_text=_("For example: Center for Økonomi og Tilskudsadministration."),
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_hours = models.CharField(
        _("phone hours"), max_length=100, blank=True, help_text=_("For example: 10.00–14.00.")
    )

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("job_title"), FieldPanel("unit")]),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone"), FieldPanel("phone_hours")]),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.job_title}" if self.job_title else self.name


class ContactLink(Orderable):
    """A contact person shown on a page, in the editor's order."""

    contact = models.ForeignKey(
        ContactPerson, on_delete=models.CASCADE, related_name="+", verbose_name=_("contact person")
    )
    panels = [FieldPanel("contact")]

    class Meta(Orderable.Meta):
        abstract = True
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")


@register_setting(icon="site")
class SiteSettings(BaseGenericSetting):
    """What every page's header and footer need."""

    # The footer links the statement: read with the settings, not by a query of its own.
    select_related = ["accessibility_statement"]

    accessibility_statement = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("accessibility statement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The page linked from every page's footer, as the law requires."),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    panels = [
        PageChooserPanel("accessibility_statement"),
        FieldPanel("contact_email"),
        FieldPanel("contact_phone"),
        FieldPanel("address"),
    ]

    class Meta:
        verbose_name = _("site settings")


class HomePage(Page):
    intro = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """The page at an address below the home page, found by its ``url_path`` in two
        queries (the page, then its own fields), where Wagtail walks the tree with two
        queries per level. An address that names no page, such as a routable page's own
        route (the news feed, ``rss/``), goes Wagtail's way; where a child page and such a
        route share an address, the page wins."""
        if path_components:
            url_path = f"{self.url_path}{'/'.join(path_components)}/"
            page = Page.objects.filter(url_path=url_path).first()
            if page is not None:
                return page.specific.route(request, [])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["open_pools"] = PoolPage.objects.live().open().order_by("deadline")[:3]
        context["latest_news"] = NewsPage.objects.live().order_by("-date", "-pk")[:3]
        return context


class StandardPage(Page):
    """A plain content page, such as the accessibility statement."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("standard page")


class PoolIndexPage(Page):
    """All pools, open first; filterable by open or closed."""

    intro = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["cms.PoolPage"]
    parent_page_types = ["cms.HomePage"]

    class Meta:
        verbose_name = _("pool index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pools = PoolPage.objects.child_of(self).live()
        status_filter = request.GET.get("status", "")
        if status_filter == "aabne":
            pools = pools.open()
        elif status_filter == "lukkede":
            pools = pools.closed()
        else:
            status_filter = ""
        context["status_filter"] = status_filter
        context["pools"] = paginate(request, pools.open_first())
        return context


class PoolPageQuerySet(PageQuerySet):
    def open(self):
        return self.filter(deadline__gt=timezone.now())

    def closed(self):
        return self.filter(deadline__lte=timezone.now())

    def open_first(self):
        """Open pools first, soonest deadline first; then closed pools, newest first."""
        now = timezone.now()
        return self.annotate(
            open_rank=Case(
                When(deadline__gt=now, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            open_deadline=Case(When(deadline__gt=now, then=F("deadline"))),
        ).order_by("-open_rank", F("open_deadline").asc(nulls_last=True), "-deadline", "pk")


PoolPageManager = PageManager.from_queryset(PoolPageQuerySet)


class PoolPage(Page):
    """A grant pool (ansøgningspulje) that municipalities apply to before its deadline."""

    intro = models.TextField(
        _("summary"), help_text=_("One or two sentences shown in lists and search results.")
    )
    amount = models.DecimalField(
        _("amount to distribute (DKK)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    deadline = models.DateTimeField(
        _("application deadline"),
        help_text=_("Date and time in Danish time. Applications are refused from this minute."),
    )
    project_period_start = models.DateField(_("project period from"), null=True, blank=True)
    project_period_end = models.DateField(_("project period to"), null=True, blank=True)
    finance_law_account = models.CharField(
        _("finance-law account"),
        max_length=50,
        blank=True,
        help_text=_("For example § 15.75.55.10."),
    )
    purpose = RichTextField(_("purpose"), features=RICH_TEXT_FEATURES)
    target_group = RichTextField(_("target group"), features=RICH_TEXT_FEATURES)
    who_can_apply = RichTextField(_("who can apply"), features=RICH_TEXT_FEATURES)
    what_can_be_funded = RichTextField(
        _("what can be funded"), features=RICH_TEXT_FEATURES, blank=True
    )
    practical_information = StreamField(
        PracticalInformationBlock(),
        verbose_name=_("practical information"),
        blank=True,
        help_text=_("How to apply, budget rules, case handling."),
    )

    objects = PoolPageManager()

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("deadline"), FieldPanel("amount")]),
                FieldRowPanel(
                    [FieldPanel("project_period_start"), FieldPanel("project_period_end")]
                ),
                FieldPanel("finance_law_account"),
            ],
            heading=_("Key facts"),
        ),
        FieldPanel("purpose"),
        FieldPanel("target_group"),
        FieldPanel("who_can_apply"),
        FieldPanel("what_can_be_funded"),
        InlinePanel("award_criteria", heading=_("Award criteria"), label=_("award criterion")),
        FieldPanel("practical_information"),
        InlinePanel("materials", heading=_("Application material"), label=_("document")),
        InlinePanel("contacts", heading=_("Contact persons"), label=_("contact person")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("purpose"),
        index.SearchField("target_group"),
        index.SearchField("who_can_apply"),
        index.SearchField("practical_information"),
        index.RelatedFields(
            "award_criteria", [index.SearchField("title"), index.SearchField("description")]
        ),
        index.FilterField("deadline"),
    ]
    parent_page_types = ["cms.PoolIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("pool")
        verbose_name_plural = _("pools")

    OPEN = "open"
    CLOSING_SOON = "closing_soon"
    CLOSED = "closed"
    STATUS_LABELS = {
        OPEN: _("Open for applications"),
        CLOSING_SOON: _("Closing soon"),
        CLOSED: _("Closed"),
    }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["materials"] = self.materials.select_related("document")
        context["contacts"] = self.contacts.select_related("contact")
        # The pool's information meetings (meetings' Meeting.Audience.PUBLIC; cms imports
        # none of our other apps).
        context["public_meetings"] = self.meetings.filter(audience="public")
        return context

    def status(self, now=None):
        """Open until the deadline minute, closing soon in its last 7 days, then closed.

        Compared in UTC: Python compares datetimes that share a tzinfo by wall-clock
        time, which is an hour off across a daylight-saving change.
        """
        now = (now or timezone.now()).astimezone(UTC)
        deadline = self.deadline.astimezone(UTC)
        if now >= deadline:
            return self.CLOSED
        if deadline - now <= CLOSING_SOON:
            return self.CLOSING_SOON
        return self.OPEN

    def is_open(self, now=None):
        return self.status(now) != self.CLOSED

    def time_left(self, now=None):
        """Time left before the deadline in words ("3 dage, 4 timer"); empty when closed."""
        now = (now or timezone.now()).astimezone(UTC)
        if not self.is_open(now):
            return ""
        return timeuntil(self.deadline.astimezone(UTC), now, depth=2)

    def status_label(self):
        return self.STATUS_LABELS[self.status()]


class AwardCriterion(Orderable):
    """One of a pool's numbered criteria that applications are assessed on."""

    pool = ParentalKey(PoolPage, on_delete=models.CASCADE, related_name="award_criteria")
    title = models.CharField(_("title"), max_length=200, help_text=_("For example: Relevance."))
    description = RichTextField(_("description"), features=RICH_TEXT_FEATURES)

    panels = [FieldPanel("title"), FieldPanel("description")]

    class Meta(Orderable.Meta):
        verbose_name = _("award criterion")
        verbose_name_plural = _("award criteria")

    def __str__(self):
        return self.title


class PoolDocument(Orderable):
    """A document of a pool's application material (notice, guidance, forms)."""

    APPLICATION = "application"
    OTHER = "other"
    KIND_CHOICES = [(APPLICATION, _("Application material")), (OTHER, _("Other material"))]

    pool = ParentalKey(PoolPage, on_delete=models.CASCADE, related_name="materials")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("document"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=KIND_CHOICES, default=APPLICATION)
    title = models.CharField(
        _("link text"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to use the document title."),
    )

    panels = [FieldPanel("document"), FieldPanel("kind"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    @property
    def link_text(self):
        return self.title or self.document.title


class PoolContact(ContactLink):
    page = ParentalKey(PoolPage, on_delete=models.CASCADE, related_name="contacts")


class NewsIndexPage(RoutablePageMixin, Page):
    """News, newest first, with an RSS feed at rss/."""

    intro = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["cms.NewsPage"]
    parent_page_types = ["cms.HomePage"]

    class Meta:
        verbose_name = _("news index")

    def news(self):
        return NewsPage.objects.child_of(self).live().order_by("-date", "-pk")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news_items"] = paginate(request, self.news())
        return context

    @path("rss/", name="rss")
    def rss(self, request):
        # An ETag and the latest item's Last-Modified: feed readers polling get 304.
        return conditional_page(NewsFeed(self))(request)


class NewsPage(Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.TextField(_("summary"), help_text=_("Shown in lists, search results and RSS."))
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
        InlinePanel("contacts", heading=_("Contact persons"), label=_("contact person")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")


class NewsContact(ContactLink):
    page = ParentalKey(NewsPage, on_delete=models.CASCADE, related_name="contacts")


class ConceptPage(Page):
    """The recovery concept: what recovery is and how to work recovery-oriented."""

    intro = models.TextField(_("summary"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage"]

    class Meta:
        verbose_name = _("concept page")


class InitiativePage(Page):
    """The partnership initiative that a pool funds, with its five project parts."""

    intro = models.TextField(_("summary"), blank=True)
    pool = models.ForeignKey(
        PoolPage,
        verbose_name=_("pool"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiative_pages",
    )
    project_period_start = models.DateField(_("project period from"), null=True, blank=True)
    project_period_end = models.DateField(_("project period to"), null=True, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        PageChooserPanel("pool", "cms.PoolPage"),
        FieldRowPanel([FieldPanel("project_period_start"), FieldPanel("project_period_end")]),
        FieldPanel("body"),
        InlinePanel("project_parts", heading=_("Project parts"), label=_("project part")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage"]

    class Meta:
        verbose_name = _("initiative page")


class InitiativeProjectPart(Orderable):
    page = ParentalKey(InitiativePage, on_delete=models.CASCADE, related_name="project_parts")
    part = models.PositiveSmallIntegerField(_("part"), choices=ProjectPart.choices)
    summary = RichTextField(_("description"), features=RICH_TEXT_FEATURES)

    panels = [FieldPanel("part"), FieldPanel("summary")]

    class Meta(Orderable.Meta):
        verbose_name = _("project part")
        verbose_name_plural = _("project parts")
        constraints = [
            models.UniqueConstraint(fields=["page", "part"], name="unique_project_part_per_page")
        ]
