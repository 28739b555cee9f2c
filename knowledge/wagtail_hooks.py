"""The forum in the Wagtail admin, under the menu "Forum", for moderators.

Who may moderate is decided by ``knowledge.access.can_moderate`` (agency moderators and
agency editors, DESIGN.md's "moderate" and "all"): the models get a permission policy
that asks it (a subclass of the network's ``AgencyEditorPermissionPolicy``), and the
extra pages here check it before anything else. Every change with rules attached goes
through ``knowledge.services`` (hiding, restoring, locking, moving: they broadcast to open
browsers and mark reports handled) or ``knowledge.tags`` (rename and merge of tags).

The menu holds: spaces (add and edit), topics (a listing; lock, unlock and move on the
topic's moderation page), the queue of reported posts, the hidden posts, and the tags.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, include, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from taggit.models import Tag
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets import ListingButton
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from knowledge import access, services, tags
from knowledge.models import Post, PostReport, Space, Topic
from network.models import Role
from network.wagtail_hooks import AgencyEditorPermissionPolicy

PAGE_SIZE = 50


class ModeratorPermissionPolicy(AgencyEditorPermissionPolicy):
    """Moderators (agency moderators, agency editors, superusers) may do the given actions."""

    roles = (Role.AGENCY_MODERATOR, Role.AGENCY_EDITOR)

    def is_allowed(self, user):
        return access.can_moderate(user)


POLICIES = {
    Space: {"add", "change", "view"},
    # Topics are read here; locking and moving go through the services on the topic's
    # moderation page, never through a model form.
    Topic: {"view"},
}
for model, actions in POLICIES.items():
    register_permission_policy(model, ModeratorPermissionPolicy(model, actions))


# --- Links -----------------------------------------------------------------------------------


def public_topic_url(topic):
    """The topic's page in the forum, if the forum's pages are installed."""
    try:
        return reverse("knowledge:topic", args=[topic.pk])
    except NoReverseMatch:  # the forum's pages are not installed
        return ""


def post_url(post):
    return post.get_absolute_url() if public_topic_url(post.topic) else ""


def moderation_url(topic):
    return reverse("knowledge_admin:topic", args=[topic.pk])


def next_url(request, default):
    """Back to where the moderator came from (a local address only)."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return default


# --- Spaces and topics (snippet listings) ----------------------------------------------------


class SpaceIndexView(snippets.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("initiative")
            .annotate(topic_count=Count("topics"))
        )


class SpaceViewSet(SnippetViewSet):
    model = Space
    icon = "folder-open-inverse"
    copy_view_enabled = False
    search_backend_name = None
    index_view_class = SpaceIndexView
    ordering = ["position", "title"]
    list_display = [
        "title",
        "visibility",
        "initiative",
        "position",
        Column("topic_count", label=_("Topics"), sort_key="topic_count"),
    ]
    list_filter = ["visibility", "initiative"]
    search_fields = ["title", "slug"]
    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("visibility"),
        FieldPanel("initiative"),
        FieldPanel("position"),
    ]


def locked_display(topic):
    return gettext("Locked") if topic.locked else "–"


class TopicIndexView(snippets.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("space", "author", "municipality")
            .defer(*(f"{name}_html" for name in services.REPORT_FIELDS))
        )

    def get_inspect_url(self, instance):
        # The title leads to the topic's moderation page (lock, unlock, move).
        return moderation_url(instance)

    def get_list_more_buttons(self, instance):
        buttons = [
            ListingButton(
                gettext("Unlock or move") if instance.locked else gettext("Lock or move"),
                url=moderation_url(instance),
                icon_name="lock-open" if instance.locked else "lock",
                priority=5,
            )
        ]
        if url := public_topic_url(instance):
            buttons.append(
                ListingButton(gettext("Show in the forum"), url=url, icon_name="view", priority=6)
            )
        return buttons


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "comment"
    copy_view_enabled = False
    search_backend_name = None
    index_view_class = TopicIndexView
    ordering = ["-last_post_at"]
    list_display = [
        "title",
        "space",
        "kind",
        "author",
        "municipality",
        Column("post_count", label=_("Posts"), sort_key="post_count"),
        Column("locked", label=_("Locked"), accessor=locked_display, sort_key="locked"),
        "last_post_at",
    ]
    list_filter = ["space", "kind", "locked"]
    search_fields = ["title"]


# --- Moderation pages ------------------------------------------------------------------------


class ModeratorView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "comment"

    def dispatch(self, request, *args, **kwargs):
        if not access.can_moderate(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def paginate(self, queryset):
        return Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("p"))


class ReportsView(ModeratorView):
    """The queue of reported posts: unhandled first, newest first within each."""

    template_name = "knowledge/admin/reports.html"
    page_title = _("Reported posts")
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        reports = PostReport.objects.select_related(
            "post__topic__space",
            "post__author__municipality",
            "post__hidden_by",
            "reporter__municipality",
            "handled_by",
        ).order_by(F("handled_at").asc(nulls_first=True), "-created_at", "-pk")
        page = self.paginate(reports)
        for report in page:
            report.post_url = post_url(report.post)
        return super().get_context_data(
            page=page,
            unhandled=PostReport.objects.filter(handled_at__isnull=True).count(),
            **kwargs,
        )


class HiddenPostsView(ModeratorView):
    template_name = "knowledge/admin/hidden.html"
    page_title = _("Hidden posts")
    header_icon = "no-view"

    def get_context_data(self, **kwargs):
        posts = (
            Post.objects.filter(hidden_at__isnull=False)
            .select_related("topic__space", "author__municipality", "hidden_by")
            .order_by("-hidden_at", "-pk")
        )
        page = self.paginate(posts)
        for post in page:
            post.url = post_url(post)
        return super().get_context_data(page=page, **kwargs)


class MoveForm(forms.Form):
    space = forms.ModelChoiceField(label=_("Move to the space"), queryset=Space.objects.all())


class TopicModerationView(ModeratorView):
    """A topic's lock and its space, changed through ``services.lock_topic``/``move_topic``."""

    template_name = "knowledge/admin/topic.html"
    page_title = _("Moderate topic")

    def dispatch(self, request, *args, **kwargs):
        self.topic = get_object_or_404(
            Topic.objects.select_related("space", "author", "municipality"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.topic.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("wagtailsnippets_knowledge_topic:list"), "label": _("Topics")},
            {"url": "", "label": self.topic.title},
        ]

    def get_context_data(self, **kwargs):
        kwargs.setdefault(
            "move_form", MoveForm(initial={"space": self.topic.space_id}, prefix="move")
        )
        return super().get_context_data(
            topic=self.topic,
            topic_url=public_topic_url(self.topic),
            open_reports=PostReport.objects.filter(
                post__topic=self.topic, handled_at__isnull=True
            ).count(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action in ("lock", "unlock"):
            services.lock_topic(self.topic, request.user, locked=action == "lock")
            messages.success(
                request,
                gettext("The topic is locked: nobody can post in it.")
                if action == "lock"
                else gettext("The topic is unlocked: members can post in it again."),
            )
            return redirect(next_url(request, moderation_url(self.topic)))
        if action == "move":
            form = MoveForm(request.POST, prefix="move")
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(move_form=form))
            space = form.cleaned_data["space"]
            if space.pk == self.topic.space_id:
                messages.warning(request, gettext("The topic is already in that space."))
            else:
                services.move_topic(self.topic, request.user, space)
                messages.success(
                    request,
                    gettext("The topic is moved to “%(space)s”.") % {"space": space.title},
                )
            return redirect(moderation_url(self.topic))
        return redirect(moderation_url(self.topic))


def moderator_action(view):
    """A POST-only action for moderators: refuse everyone else."""

    @require_POST
    def wrapped(request, pk):
        if not access.can_moderate(request.user):
            raise PermissionDenied
        return view(request, pk)

    return wrapped


@moderator_action
def hide_reported_post(request, pk):
    report = get_object_or_404(PostReport.objects.select_related("post"), pk=pk)
    if report.post.hidden_at is None:
        services.hide_post(report.post, request.user)
        messages.success(
            request, gettext("The post is hidden and its reports are marked as handled.")
        )
    else:
        services.mark_reports_handled(PostReport.objects.filter(post=report.post), request.user)
        messages.warning(request, gettext("The post was already hidden."))
    return redirect(next_url(request, reverse("knowledge_admin:reports")))


@moderator_action
def mark_report_handled(request, pk):
    report = get_object_or_404(PostReport, pk=pk)
    if services.mark_reports_handled(PostReport.objects.filter(pk=report.pk), request.user):
        messages.success(request, gettext("The report is marked as handled; the post stays."))
    return redirect(next_url(request, reverse("knowledge_admin:reports")))


@moderator_action
def restore_hidden_post(request, pk):
    post = get_object_or_404(Post, pk=pk)
    if post.hidden_at is not None:
        services.restore_post(post, request.user)
        messages.success(request, gettext("The post is shown again."))
    return redirect(next_url(request, reverse("knowledge_admin:hidden")))


# --- Tags ------------------------------------------------------------------------------------


class TagsView(ModeratorView):
    """The tags with their topic counts; rename a tag, or merge it into another."""

    template_name = "knowledge/admin/tags.html"
    page_title = _("Forum tags")
    header_icon = "tag"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page=Paginator(tags.tags_with_counts(), 100).get_page(self.request.GET.get("p")),
            names=Tag.objects.order_by("name").values_list("name", flat=True),
            **kwargs,
        )


def _form_errors(request, error):
    for messages_ in error.message_dict.values():
        for message in messages_:
            messages.error(request, message)


@moderator_action
def rename_tag(request, pk):
    tag = get_object_or_404(Tag, pk=pk)
    old = tag.name
    try:
        tags.rename_tag(tag, request.POST.get("name", ""))
    except ValidationError as error:
        _form_errors(request, error)
    else:
        messages.success(
            request,
            gettext("The tag “%(old)s” is now called “%(new)s”.") % {"old": old, "new": tag.name},
        )
    return redirect(next_url(request, reverse("knowledge_admin:tags")))


@moderator_action
def merge_tag(request, pk):
    source = get_object_or_404(Tag, pk=pk)
    target = Tag.objects.filter(name__iexact=tags.normalise(request.POST.get("target", ""))).first()
    if target is None:
        messages.error(request, gettext("Choose an existing tag to merge into."))
        return redirect(next_url(request, reverse("knowledge_admin:tags")))
    name = source.name
    try:
        count = tags.merge_tags(source, target)
    except ValidationError as error:
        _form_errors(request, error)
    else:
        messages.success(
            request,
            gettext("“%(source)s” is merged into “%(target)s” (%(count)s topics).")
            % {"source": name, "target": target.name, "count": count},
        )
    return redirect(next_url(request, reverse("knowledge_admin:tags")))


urlpatterns = [
    path("anmeldelser/", ReportsView.as_view(), name="reports"),
    path("anmeldelser/<int:pk>/skjul/", hide_reported_post, name="hide_reported"),
    path("anmeldelser/<int:pk>/behandlet/", mark_report_handled, name="report_handled"),
    path("skjulte/", HiddenPostsView.as_view(), name="hidden"),
    path("indlaeg/<int:pk>/gendan/", restore_hidden_post, name="restore"),
    path("emner/<int:pk>/", TopicModerationView.as_view(), name="topic"),
    path("emneord/", TagsView.as_view(), name="tags"),
    path("emneord/<int:pk>/omdoeb/", rename_tag, name="rename_tag"),
    path("emneord/<int:pk>/flet/", merge_tag, name="merge_tag"),
]


@hooks.register("register_admin_urls")
def register_forum_admin_urls():
    return [path("forum/", include((urlpatterns, "knowledge_admin")))]


# --- Menu ------------------------------------------------------------------------------------


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request):
        return access.can_moderate(request.user)


class ForumPageViewSet(ViewSet):
    """A menu entry of the "Forum" group for one of the moderation pages above."""

    url_name = ""
    menu_item_class = ModeratorMenuItem

    @property
    def menu_url(self):
        return reverse(f"knowledge_admin:{self.url_name}")


class ReportsMenu(ForumPageViewSet):
    name = "forum_reports"
    url_name = "reports"
    menu_label = _("Reported posts")
    menu_icon = "warning"


class HiddenPostsMenu(ForumPageViewSet):
    name = "forum_hidden"
    url_name = "hidden"
    menu_label = _("Hidden posts")
    menu_icon = "no-view"


class TagsMenu(ForumPageViewSet):
    name = "forum_tags"
    url_name = "tags"
    menu_label = _("Forum tags")
    menu_icon = "tag"


class ForumViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Forum")
    menu_icon = "comment"
    menu_order = 270
    items = (SpaceViewSet, TopicViewSet, ReportsMenu, HiddenPostsMenu, TagsMenu)


register_snippet(ForumViewSetGroup)
