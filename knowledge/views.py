"""The forum's pages under /forum/: spaces, topics, posting, editing, reports, tags, search.

Who may read, post and moderate is asked of ``knowledge.access``; every write goes through
``knowledge.services``. The views fetch (in a bounded number of queries), ask, call and
render. A space or topic the person may not read answers 404, so its existence is not
given away; an action on something they may read but not change answers 403. Every page
works without JavaScript: the live page only adds to the plain forms.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from taggit.models import Tag

from config.limits import LimitReached, answer
from knowledge import access, services
from knowledge.cards import attach_cards, attach_post_fragments
from knowledge.forms import (
    EditPostForm,
    ExperienceReportForm,
    ReplyForm,
    ReportForm,
    SpaceFilterForm,
    TopicForm,
)
from knowledge.models import (
    POSTS_PER_PAGE,
    Notification,
    NotificationPreference,
    Post,
    Space,
    Subscription,
    Topic,
    post_url,
)
from knowledge.services import REPORT_FIELDS, PostingRefused

TEMPLATES = "knowledge/"
#: Topics, search results and notifications per page.
PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200
#: How many existing tags the topic forms suggest.
SUGGESTED_TAGS = 30


def _not_found(request):
    """The same 404 for what does not exist and what is not for this person; it tells a
    guest how to log in."""
    return render(request, TEMPLATES + "not_found.html", status=404)


def forum_page(view):
    """Answer a space, topic or post the person may not read with the forum's 404 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return _not_found(request)

    return wrapper


# --- Fetching what the person may read -----------------------------------------------------


def _space_or_404(request, slug):
    space = Space.objects.select_related("initiative").filter(slug=slug).first()
    if space is None or not access.can_read_space(request.user, space):
        raise Http404
    return space


def _topic_or_404(request, pk):
    topic = (
        Topic.objects.select_related("space", "space__initiative", "author", "municipality")
        .filter(pk=pk)
        .first()
    )
    if topic is None or not access.can_read_topic(request.user, topic):
        raise Http404
    return topic


def _post_or_404(request, pk):
    post = (
        Post.objects.select_related(
            "topic", "topic__space", "topic__space__initiative", "author", "author__municipality"
        )
        .filter(pk=pk)
        .first()
    )
    if post is None or not access.can_read_topic(request.user, post.topic):
        raise Http404
    return post


def _require_login(request):
    """None for a logged-in person, else the redirect to the login page."""
    if request.user.is_authenticated:
        return None
    return redirect_to_login(request.get_full_path())


def _topic_url(topic, sequence=None):
    return post_url(topic.pk, sequence) if sequence else reverse("knowledge:topic", args=[topic.pk])


def with_unread(topics, person):
    """Annotate how far the person has read each topic (one subquery, no extra queries)."""
    if not person.is_authenticated:
        return topics.annotate(last_read=Value(None, output_field=IntegerField()))
    last_read = Subscription.objects.filter(person=person, topic=OuterRef("pk")).values(
        "last_read_sequence"
    )[:1]
    return topics.annotate(last_read=Coalesce(Subquery(last_read), Value(0)))


def _mark_unread(topics):
    for topic in topics:
        topic.unread_count = (
            max(topic.last_sequence - topic.last_read, 0) if topic.last_read is not None else 0
        )
    return topics


def _topic_list(topics, person):
    """Topics for a list: author, municipality and space fetched up front (the tags come
    with the cards that are not cached, knowledge/cards.py)."""
    return with_unread(topics.select_related("space", "author", "municipality"), person).order_by(
        "-last_post_at", "-pk"
    )


def _existing_tags(person):
    """The tags in use in the spaces the person may read, most used first."""
    topics = Topic.objects.filter(space__in=access.visible_spaces(person))
    return (
        Tag.objects.filter(topic__in=topics)
        .annotate(uses=Count("topic"))
        .order_by("-uses", "name")
        .values_list("name", flat=True)[:SUGGESTED_TAGS]
    )


# --- Spaces --------------------------------------------------------------------------------


def space_list(request):
    spaces = (
        access.visible_spaces(request.user)
        .select_related("initiative")
        .annotate(topic_count=Count("topics"))
        .order_by("position", "title")
    )
    return render(request, TEMPLATES + "space_list.html", {"spaces": spaces})


@forum_page
def space_detail(request, slug):
    space = _space_or_404(request, slug)
    form = SpaceFilterForm(request.GET or None)
    topics = _topic_list(form.filter(space.topics.all()), request.user)
    page_obj = Paginator(topics, PAGE_SIZE).get_page(request.GET.get("side"))
    _mark_unread(page_obj)
    attach_cards(page_obj, heading_level=3)
    context = {
        "space": space,
        "form": form,
        "page_obj": page_obj,
        "page_query": form.query_string(),
        "can_post": access.can_post(request.user, space),
        "filtered": bool(form.query_string()),
    }
    return render(request, TEMPLATES + "space_detail.html", context)


# --- Starting a topic ----------------------------------------------------------------------


def _start(request, slug, form_class, template, kind):
    space = _space_or_404(request, slug)
    if (login := _require_login(request)) is not None:
        return login
    if not access.can_post(request.user, space):
        raise PermissionDenied
    form = form_class(request.POST or None, existing_tags=_existing_tags(request.user))
    over_limit = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic = services.start_topic(
                space,
                request.user,
                title=data["title"],
                source=data.get("text", ""),
                kind=kind,
                report=form.report() if kind == Topic.Kind.EXPERIENCE else None,
                tags=data["tags"],
                project_part=data["project_part"],
                concept_element=data["concept_element"],
            )
        except ValidationError as error:
            form.add_refusal(error)
        except PostingRefused as refusal:
            form.add_error(None, str(refusal))
        except LimitReached as refusal:
            form.add_error(None, str(refusal))
            over_limit = refusal
        else:
            messages.success(request, _("The topic has been created."))
            return redirect(_topic_url(topic))
    form.describe_errors()
    return answer(render(request, TEMPLATES + template, {"space": space, "form": form}), over_limit)


@forum_page
@require_http_methods(["GET", "POST"])
def new_topic(request, slug):
    return _start(request, slug, TopicForm, "topic_form.html", Topic.Kind.DISCUSSION)


@forum_page
@require_http_methods(["GET", "POST"])
def new_experience_report(request, slug):
    return _start(
        request, slug, ExperienceReportForm, "experience_form.html", Topic.Kind.EXPERIENCE
    )


# --- A topic and replying ------------------------------------------------------------------


def _quoted_post(topic, number):
    """The visible post number ``number`` of the topic, or None."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        return None
    post = Post.objects.filter(topic=topic, sequence=number).select_related("author").first()
    return post if post is not None and post.is_visible else None


@forum_page
@require_http_methods(["GET", "POST"])
def topic_detail(request, pk):
    topic = _topic_or_404(request, pk)
    person = request.user
    may_reply = access.can_post(person, topic.space) and not topic.locked
    form = None
    quoted = None
    over_limit = None
    if request.method == "POST":
        if (login := _require_login(request)) is not None:
            return login
        form = ReplyForm(request.POST)
        if form.is_valid():
            quoted = _quoted_post(topic, form.cleaned_data["quoted"])
            try:
                post = services.post_reply(topic, person, form.cleaned_data["text"], quoted=quoted)
            except ValidationError as error:
                form.add_refusal(error)
            except PostingRefused as refusal:
                form.add_error(None, str(refusal))
            except LimitReached as refusal:
                form.add_error(None, str(refusal))
                over_limit = refusal
            else:
                messages.success(request, _("Your reply has been posted."))
                return redirect(_topic_url(topic, post.sequence))
        else:
            quoted = _quoted_post(topic, request.POST.get("quoted"))
        topic.refresh_from_db()
    elif may_reply:
        quoted = _quoted_post(topic, request.GET.get("citer"))
        form = ReplyForm(initial={"quoted": quoted.sequence if quoted else None})
    if form is not None:
        form.describe_errors()

    # A page is a range of post numbers (they are gapless): no counting, however long.
    page_number = request.GET.get("side")
    if page_number is None and quoted is not None:
        # "Reply with quote" from any page shows the quoted post above the form.
        page_number = (quoted.sequence - 1) // POSTS_PER_PAGE + 1
    page_obj = Paginator(range(1, topic.last_sequence + 1), POSTS_PER_PAGE).get_page(page_number)
    numbers = page_obj.object_list
    posts = list(
        topic.posts.filter(sequence__gte=numbers.start, sequence__lt=numbers.stop)
        .select_related("author", "author__municipality", "quoted")
        .order_by("sequence")
    )
    moderator = access.can_moderate(person)
    # The same rules, for posts that arrive live, are in static/js/live-topic.js
    # (fitActions), with the viewer from the #posts element's data attributes.
    for post in posts:
        visible = post.is_visible
        own = person.is_authenticated and post.author_id == person.pk
        post.can_edit = visible and own
        post.can_delete = visible and (own or moderator)
        post.can_report = visible and person.is_authenticated and not own
        post.can_quote = visible and may_reply
    attach_post_fragments(posts)
    subscription = None
    first_unread = None
    if person.is_authenticated:
        subscription = Subscription.objects.filter(person=person, topic=topic).first()
        last_read = subscription.last_read_sequence if subscription else 0
        if last_read < topic.last_sequence:
            first_unread = post_url(topic.pk, last_read + 1)
        if subscription is None or first_unread:
            services.mark_read(topic, person, topic.last_sequence)
    report_sections = [
        (Topic._meta.get_field(f"{name}_html").verbose_name, getattr(topic, f"{name}_html"))
        for name in REPORT_FIELDS
    ]
    context = {
        "topic": topic,
        "space": topic.space,
        "posts": posts,
        "page_obj": page_obj,
        # New posts arrive live on the last page, where they belong.
        "live_updates": not page_obj.has_next(),
        "form": form,
        "quoted": quoted,
        "may_reply": may_reply,
        "moderator": moderator,
        "can_post": access.can_post(person, topic.space),
        "subscription_mode": subscription.mode if subscription else Subscription.Mode.NONE,
        "first_unread": first_unread,
        "report_sections": report_sections if topic.is_experience_report else [],
        "tags": topic.tags.all(),
    }
    return answer(render(request, TEMPLATES + "topic_detail.html", context), over_limit)


@forum_page
@require_POST
def subscription(request, pk):
    """Follow, mute or neither: a plain form on the topic's page."""
    topic = _topic_or_404(request, pk)
    if (login := _require_login(request)) is not None:
        return login
    mode = request.POST.get("mode", "")
    if mode not in Subscription.Mode.values:
        return redirect(_topic_url(topic))
    services.set_subscription(topic, request.user, mode)
    messages.success(
        request,
        {
            Subscription.Mode.FOLLOWING: _(
                "You follow the topic: new replies show in your notifications."
            ),
            Subscription.Mode.MUTED: _("The topic is muted: you get no notifications from it."),
            Subscription.Mode.NONE: _("You no longer follow the topic."),
        }[mode],
    )
    return redirect(_topic_url(topic))


# --- A post: edit, history, delete, report -------------------------------------------------


@forum_page
@require_http_methods(["GET", "POST"])
def edit_post(request, pk):
    post = _post_or_404(request, pk)
    if (login := _require_login(request)) is not None:
        return login
    if post.author_id != request.user.pk or not post.is_visible:
        raise PermissionDenied
    form = EditPostForm(request.POST or None, initial={"text": post.source})
    over_limit = None
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(post, request.user, form.cleaned_data["text"])
        except ValidationError as error:
            form.add_refusal(error)
        except PostingRefused as refusal:
            form.add_error(None, str(refusal))
        except LimitReached as refusal:
            form.add_error(None, str(refusal))
            over_limit = refusal
        else:
            messages.success(request, _("The post has been changed."))
            return redirect(_topic_url(post.topic, post.sequence))
    form.describe_errors()
    page = render(
        request,
        TEMPLATES + "post_edit.html",
        {"post": post, "topic": post.topic, "space": post.topic.space, "form": form},
    )
    return answer(page, over_limit)


@forum_page
def post_history(request, pk):
    post = _post_or_404(request, pk)
    revisions = post.revisions.all() if post.is_visible else []
    return render(
        request,
        TEMPLATES + "post_history.html",
        {"post": post, "topic": post.topic, "space": post.topic.space, "revisions": revisions},
    )


@forum_page
@require_http_methods(["GET", "POST"])
def delete_post(request, pk):
    """A page that asks first (GET); the post goes on POST, by its author or a moderator."""
    post = _post_or_404(request, pk)
    if (login := _require_login(request)) is not None:
        return login
    if not access.can_change_post(request.user, post):
        raise PermissionDenied
    if not post.is_visible:
        return redirect(_topic_url(post.topic, post.sequence))
    if request.method == "POST":
        services.delete_post(post, request.user)
        messages.success(request, _("The post has been deleted."))
        return redirect(_topic_url(post.topic, post.sequence))
    return render(
        request,
        TEMPLATES + "post_delete.html",
        {"post": post, "topic": post.topic, "space": post.topic.space},
    )


@forum_page
@require_http_methods(["GET", "POST"])
def report_post(request, pk):
    post = _post_or_404(request, pk)
    if (login := _require_login(request)) is not None:
        return login
    if not post.is_visible:
        return redirect(_topic_url(post.topic, post.sequence))
    form = ReportForm(request.POST or None)
    over_limit = None
    if request.method == "POST" and form.is_valid():
        try:
            services.report_post(post, request.user, form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_refusal(error)
        except LimitReached as refusal:
            form.add_error(None, str(refusal))
            over_limit = refusal
        else:
            messages.success(request, _("Thank you. A moderator will look at the post."))
            return redirect(_topic_url(post.topic, post.sequence))
    form.describe_errors()
    page = render(
        request,
        TEMPLATES + "post_report.html",
        {"post": post, "topic": post.topic, "space": post.topic.space, "form": form},
    )
    return answer(page, over_limit)


# --- Tags, search, notifications -----------------------------------------------------------


@forum_page
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    topics = Topic.objects.filter(
        tags__slug=tag.slug, space__in=access.visible_spaces(request.user)
    )
    if not topics.exists():
        # A tag used only in spaces the person may not read is not theirs to see.
        raise Http404
    page_obj = Paginator(_topic_list(topics, request.user), PAGE_SIZE).get_page(
        request.GET.get("side")
    )
    _mark_unread(page_obj)
    attach_cards(page_obj, heading_level=2, show_space=True)
    return render(request, TEMPLATES + "tag_detail.html", {"tag": tag, "page_obj": page_obj})


def search_topics(person, query):
    """Topics and visible posts matching the query, in the spaces the person may read.

    PostgreSQL: full-text search with the Danish configuration. Elsewhere (SQLite): every
    word must occur, case-insensitively.
    """
    spaces = access.visible_spaces(person)
    topics = Topic.objects.filter(space__in=spaces)
    posts = Post.objects.filter(
        topic__space__in=spaces, hidden_at__isnull=True, deleted_at__isnull=True
    )
    topic_fields = ["title", *(f"{name}_html" for name in REPORT_FIELDS)]
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        search_query = SearchQuery(query, config="danish", search_type="websearch")
        topics = topics.annotate(search=SearchVector(*topic_fields, config="danish")).filter(
            search=search_query
        )
        posts = posts.annotate(search=SearchVector("source", config="danish")).filter(
            search=search_query
        )
    else:
        for word in query.split():
            condition = Q()
            for field in topic_fields:
                condition |= Q(**{f"{field}__icontains": word})
            topics = topics.filter(condition)
            posts = posts.filter(source__icontains=word)
    matching = Topic.objects.filter(
        Q(pk__in=topics.values("pk")) | Q(pk__in=posts.values("topic_id"))
    )
    return matching, posts


def search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    page_obj = None
    if query:
        topics, posts = search_topics(request.user, query)
        page_obj = Paginator(_topic_list(topics, request.user), PAGE_SIZE).get_page(
            request.GET.get("side")
        )
        _mark_unread(page_obj)
        hits = {}
        for post in (
            posts.filter(topic__in=[topic.pk for topic in page_obj])
            .select_related("author")
            .order_by("topic_id", "sequence")
        ):
            hits.setdefault(post.topic_id, [])
            if len(hits[post.topic_id]) < 3:
                hits[post.topic_id].append(post)
        for topic in page_obj:
            topic.hits = hits.get(topic.pk, [])
        attach_cards(page_obj, heading_level=3, show_space=True)
    return render(
        request,
        TEMPLATES + "search.html",
        {"forum_query": query, "page_obj": page_obj, "page_query": urlencode({"q": query})},
    )


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    mine = Notification.objects.filter(
        person=request.user,
        post__topic__space__in=access.visible_spaces(request.user),
        post__hidden_at__isnull=True,
        post__deleted_at__isnull=True,
    )
    if request.method == "POST" and "email" in request.POST:
        services.set_email_notifications(request.user, request.POST["email"] == "on")
        messages.success(request, _("Your choice about emails is saved."))
        return redirect("knowledge:notifications")
    if request.method == "POST":
        # Marking one's own notifications read: nothing else to check or broadcast.
        unread = mine.filter(read_at__isnull=True)
        one = request.POST.get("notification", "")
        if one.isdigit():
            unread = unread.filter(pk=one)
        unread.update(read_at=timezone.now())
        messages.success(request, _("Marked as read."))
        return redirect("knowledge:notifications")
    page_obj = Paginator(
        mine.select_related("post", "post__topic", "post__author", "post__author__municipality"),
        PAGE_SIZE,
    ).get_page(request.GET.get("side"))
    context = {
        "page_obj": page_obj,
        "unread_count": mine.filter(read_at__isnull=True).count(),
        "wants_email": NotificationPreference.objects.filter(
            person=request.user, email=True
        ).exists(),
    }
    return render(request, TEMPLATES + "notifications.html", context)
