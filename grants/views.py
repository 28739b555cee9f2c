"""The grant case's pages under /tilskud/. Thin: the rules are in grants/services.py.

URL names: my_cases; case <pk>; document <pk> <document_pk>; report <pk> <item_pk>;
accounts <pk> <item_pk>; recommend <application_pk>; decision_list <pool_id>;
overview <pool_id> (``?format=csv`` for the export).
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cms.models import PoolPage, paginate
from config.limits import LimitReached, answer
from grants import access, services
from grants.forms import (
    AccountsForm,
    MessageForm,
    PaymentForm,
    RecommendationForm,
    ReportForm,
    ReviewForm,
    SendBackForm,
)
from grants.models import CaseMessage, CaseReading, DueItem, GrantCase, Recommendation
from network.models import Application

TEMPLATES = "grants/"
OVERVIEW_PAGE_SIZE = 50


def _case_or_404(request, pk):
    """The case, for its parties only: anyone else does not learn that it exists."""
    case = get_object_or_404(
        GrantCase.objects.select_related(
            "application__pool", "application__municipality", "application__submitted_by"
        ),
        pk=pk,
    )
    if not access.can_view_case(request.user, case):
        raise Http404
    return case


def _staff_only(request):
    if not access.is_case_staff(request.user):
        raise PermissionDenied


def _error(form, error):
    form.add_error(None, str(error))


# --- Mine tilskudssager ---------------------------------------------------------------------


@never_cache
@login_required
def my_cases(request):
    """Every case of the person's municipality with its status, next due item and unread
    messages; agency staff get the pools whose cases they handle."""
    if access.is_case_staff(request.user):
        pools = (
            PoolPage.objects.filter(applications__status__in=["submitted", "decided"])
            .annotate(cases=Count("applications"))
            .order_by("-deadline")
        )
        return render(request, TEMPLATES + "staff_cases.html", {"pools": pools})
    if request.user.municipality_id is None:
        return render(request, TEMPLATES + "my_cases.html", {"rows": []})
    today = timezone.localdate()
    open_items = DueItem.objects.filter(
        case=OuterRef("grant_case"), status__in=[DueItem.Status.DUE, DueItem.Status.RETURNED]
    ).order_by("due_on", "pk")
    last_read = CaseReading.objects.filter(case=OuterRef("case"), person=request.user).values(
        "read_at"
    )
    unread = (
        CaseMessage.objects.filter(case=OuterRef("grant_case"))
        .exclude(author=request.user)
        .annotate(read_at=Subquery(last_read))
        .filter(Q(read_at__isnull=True) | Q(created_at__gt=F("read_at")))
        .order_by()
        .values("case")
        .annotate(count=Count("pk"))
        .values("count")
    )
    applications = (
        Application.objects.filter(municipality_id=request.user.municipality_id)
        .select_related("pool", "grant_case")
        .annotate(
            next_due_on=Subquery(open_items.values("due_on")[:1]),
            next_due_kind=Subquery(open_items.values("kind")[:1]),
            unread=Subquery(unread),
        )
        .order_by("-created_at")
    )
    rows = []
    for application in applications:
        case = getattr(application, "grant_case", None)
        if case is not None:
            case.application = application
        rows.append(
            {
                "application": application,
                "case": case,
                "status": case.get_status_display() if case else _("Draft"),
                "next_due_on": application.next_due_on,
                "next_due_kind": DueItem.Kind(application.next_due_kind).label
                if application.next_due_kind
                else "",
                "overdue": application.next_due_on is not None and application.next_due_on < today,
                "unread": application.unread or 0,
            }
        )
    return render(request, TEMPLATES + "my_cases.html", {"rows": rows})


# --- The case page --------------------------------------------------------------------------


def _case_context(request, case, message_form=None, payment_form=None):
    is_staff = access.is_case_staff(request.user)
    reading = CaseReading.objects.filter(case=case, person=request.user).first()
    last_read = reading.read_at if reading else None
    case_messages = list(case.messages.select_related("author", "attachment"))
    for message in case_messages:
        message.is_unread = message.author_id != request.user.pk and (
            last_read is None or message.created_at > last_read
        )
    due_items = list(case.due_items.all())  # by due date
    return {
        "case": case,
        "application": case.application,
        "pool": case.application.pool,
        "events": case.events.all(),
        "documents": case.documents.exclude(kind="attachment"),
        "due_items": due_items,
        "next_due": next((item for item in due_items if item.is_open), None),
        "payments": case.payments.all(),
        "case_messages": case_messages,
        "message_form": message_form or MessageForm(from_agency=is_staff),
        "payment_form": payment_form or PaymentForm(),
        "is_staff": is_staff,
        "is_caseworker": access.is_caseworker(request.user),
        "today": timezone.localdate(),
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_page(request, pk):
    case = _case_or_404(request, pk)
    message_form = payment_form = over_limit = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "message":
            message_form = MessageForm(
                request.POST, request.FILES, from_agency=access.is_case_staff(request.user)
            )
            if message_form.is_valid():
                data = message_form.cleaned_data
                try:
                    services.send_message(
                        case,
                        request.user,
                        data["text"],
                        reply_by=data.get("reply_by"),
                        attachment=data.get("attachment"),
                    )
                except services.GrantCaseError as error:
                    _error(message_form, error)
                except LimitReached as refusal:
                    _error(message_form, refusal)
                    over_limit = refusal
                else:
                    messages.success(request, _("Your message has been sent."))
                    return redirect(reverse("grants:case", args=[case.pk]) + "#beskeder")
        elif action == "payment":
            payment_form = PaymentForm(request.POST)
            if payment_form.is_valid():
                data = payment_form.cleaned_data
                try:
                    services.record_payment(
                        case,
                        amount=data["amount"],
                        paid_on=data["paid_on"],
                        released_by=data["released_by"],
                        by=request.user,
                    )
                except services.GrantCaseError as error:
                    _error(payment_form, error)
                else:
                    messages.success(request, _("The payment has been recorded."))
                    return redirect("grants:case", case.pk)
        elif action == "close":
            try:
                services.close_case(case, request.user)
            except services.GrantCaseError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The case has been closed."))
            return redirect("grants:case", case.pk)
        else:
            return HttpResponseBadRequest()
    context = _case_context(request, case, message_form, payment_form)
    # Read now; the page still marks what was new before this visit.
    services.mark_read(case, request.user)
    return answer(render(request, TEMPLATES + "case.html", context), over_limit)


@login_required
def document(request, pk, document_pk):
    """A case's file, for its parties only, never from a public URL."""
    case = _case_or_404(request, pk)
    item = get_object_or_404(case.documents, pk=document_pk)
    response = FileResponse(item.file.open("rb"), as_attachment=True)
    response["Cache-Control"] = "private, no-store"
    return response


# --- Status reports and accounts ------------------------------------------------------------


def _review(request, item, form, review):
    """The caseworker approves or returns a submitted report or accounts; True if done."""
    if not form.is_valid():
        return False
    approve = request.POST.get("action") == "approve"
    review(item, request.user, approve=approve, comment=form.cleaned_data["comment"])
    messages.success(request, _("Your review has been saved."))
    return True


def _due_item_or_404(case, item_pk, kinds):
    return get_object_or_404(case.due_items.filter(kind__in=kinds), pk=item_pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def report(request, pk, item_pk):
    case = _case_or_404(request, pk)
    item = _due_item_or_404(case, item_pk, services.REPORT_KINDS)
    draft = services.report_draft(item)
    form = ReportForm(sections=draft.sections if draft else {})
    review_form = ReviewForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("save", "submit"):
                form = ReportForm(request.POST, sections=draft.sections if draft else {})
                if form.is_valid():
                    # A refused submission saves nothing either: the text stays in the form.
                    with transaction.atomic():
                        services.save_report(item, request.user, form.sections())
                        if action == "submit":
                            services.submit_report(item, request.user)
                    if action == "submit":
                        messages.success(request, _("The report has been submitted."))
                    else:
                        messages.success(request, _("The draft has been saved."))
                    return redirect("grants:report", case.pk, item.pk)
            elif action in ("approve", "return"):
                review_form = ReviewForm(request.POST)
                if _review(request, item, review_form, services.review_report):
                    return redirect("grants:report", case.pk, item.pk)
            else:
                return HttpResponseBadRequest()
        except services.GrantCaseError as error:
            _error(review_form if action in ("approve", "return") else form, error)
        item.refresh_from_db()
    versions = list(item.versions.filter(submitted_at__isnull=False).order_by("-number"))
    context = {
        "case": case,
        "application": case.application,
        "item": item,
        "form": form,
        "review_form": review_form,
        "versions": versions,
        "draft": draft,
        "can_write": access.is_municipality_party(request.user, case)
        and item.is_open
        and not case.is_closed,
        "can_review": access.is_caseworker(request.user)
        and item.status == DueItem.Status.SUBMITTED,
    }
    return render(request, TEMPLATES + "report.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def accounts(request, pk, item_pk):
    case = _case_or_404(request, pk)
    item = _due_item_or_404(case, item_pk, (DueItem.Kind.ACCOUNTS,))
    summary = services.accounts_summary(item)
    form = AccountsForm(summary=summary)
    review_form = ReviewForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("save", "submit"):
                form = AccountsForm(request.POST, request.FILES, summary=summary)
                if form.is_valid():
                    with transaction.atomic():
                        services.save_accounts(
                            item,
                            request.user,
                            form.actuals(),
                            auditor_statement=form.cleaned_data.get("auditor_statement"),
                        )
                        if action == "submit":
                            services.submit_accounts(item, request.user)
                    if action == "submit":
                        messages.success(request, _("The accounts have been submitted."))
                    else:
                        messages.success(request, _("The accounts have been saved."))
                    return redirect("grants:accounts", case.pk, item.pk)
            elif action in ("approve", "return"):
                review_form = ReviewForm(request.POST)
                if _review(request, item, review_form, services.review_accounts):
                    return redirect("grants:accounts", case.pk, item.pk)
            else:
                return HttpResponseBadRequest()
        except services.GrantCaseError as error:
            _error(review_form if action in ("approve", "return") else form, error)
        item.refresh_from_db()
        summary = services.accounts_summary(item)
    context = {
        "case": case,
        "application": case.application,
        "item": item,
        "summary": summary,
        "rows": form.rows(summary),
        "form": form,
        "review_form": review_form,
        "can_write": access.is_municipality_party(request.user, case)
        and item.is_open
        and not case.is_closed,
        "can_review": access.is_caseworker(request.user)
        and item.status == DueItem.Status.SUBMITTED,
    }
    return render(request, TEMPLATES + "accounts.html", context)


# --- Recommending and deciding (agency) -----------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recommend(request, application_pk):
    """The caseworkers' recommendation for one application."""
    if not access.is_caseworker(request.user):
        raise PermissionDenied
    application = get_object_or_404(
        Application.objects.select_related("pool", "municipality"), pk=application_pk
    )
    recommendation = Recommendation.objects.filter(application=application).first()
    form = RecommendationForm.for_recommendation(recommendation, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.recommend(
                application,
                outcome=data["outcome"],
                amount=data["amount"],
                reasons=data["reasons"],
                conditions=data["conditions"],
                by=request.user,
            )
        except services.GrantCaseError as error:
            _error(form, error)
        else:
            messages.success(
                request, _("The recommendation has been saved and awaits the director.")
            )
            return redirect("grants:decision_list", application.pool_id)
    context = {
        "application": application,
        "pool": application.pool,
        "recommendation": recommendation,
        "form": form,
    }
    return render(request, TEMPLATES + "recommend.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def decision_list(request, pool_id):
    """The pool's recommendation list; the director approves it or single cases."""
    _staff_only(request)
    pool = get_object_or_404(PoolPage, pk=pool_id)
    send_back_form = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve_all":
                approved = services.approve_list(pool, request.user)
                messages.success(
                    request,
                    _("The list is approved: %(count)s decisions sent with their letters.")
                    % {"count": len(approved)},
                )
                return redirect("grants:decision_list", pool.pk)
            if action == "approve":
                recommendation = get_object_or_404(
                    Recommendation, pk=request.POST.get("recommendation"), application__pool=pool
                )
                services.approve(recommendation, request.user)
                messages.success(request, _("The decision has been sent with its letter."))
                return redirect("grants:decision_list", pool.pk)
            if action == "send_back":
                send_back_form = SendBackForm(request.POST)
                send_back_form.fields["recommendation"].queryset = Recommendation.objects.filter(
                    application__pool=pool
                )
                if send_back_form.is_valid():
                    services.send_back(
                        send_back_form.cleaned_data["recommendation"],
                        request.user,
                        send_back_form.cleaned_data["comment"],
                    )
                    messages.success(request, _("The recommendation has been sent back."))
                    return redirect("grants:decision_list", pool.pk)
                messages.error(request, _("Write a comment before you send it back."))
            else:
                return HttpResponseBadRequest()
        except services.GrantCaseError as error:
            messages.error(request, str(error))
    context = {
        "pool": pool,
        **services.decision_list(pool),
        "is_director": access.is_director(request.user),
        "is_caseworker": access.is_caseworker(request.user),
    }
    posted = send_back_form.data.get("recommendation") if send_back_form else None
    for row in context["rows"]:
        recommendation = row["recommendation"]
        if recommendation and recommendation.status == Recommendation.Status.PROPOSED:
            # The row that was sent back with an error shows it, with the comment typed.
            data = send_back_form.data if posted == str(recommendation.pk) else None
            row["send_back_form"] = SendBackForm.for_row(recommendation, data)
    return render(request, TEMPLATES + "decision_list.html", context)


def overview_rows(pool):
    """Every case of the pool with its next due item, overdue count and sums, in a bounded
    number of queries however many cases and reports there are."""
    today = timezone.localdate()
    open_items = DueItem.objects.filter(
        case=OuterRef("pk"), status__in=[DueItem.Status.DUE, DueItem.Status.RETURNED]
    ).order_by("due_on", "pk")
    overdue = (
        DueItem.objects.filter(
            case=OuterRef("pk"),
            status__in=[DueItem.Status.DUE, DueItem.Status.RETURNED],
            due_on__lt=today,
        )
        .order_by()
        .values("case")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        GrantCase.objects.filter(application__pool=pool)
        .exclude(application__status=Application.Status.DRAFT)
        .select_related("application__municipality", "application__pool")
        .annotate(
            next_due_on=Subquery(open_items.values("due_on")[:1]),
            next_due_kind=Subquery(open_items.values("kind")[:1]),
            overdue_count=Subquery(overdue),
            awaiting_review=Exists(
                DueItem.objects.filter(case=OuterRef("pk"), status=DueItem.Status.SUBMITTED)
            ),
        )
        .order_by("application__municipality__name", "pk")
    )


@never_cache
@login_required
def overview(request, pool_id):
    """The agency's overview of a pool's cases, with a CSV export."""
    _staff_only(request)
    pool = get_object_or_404(PoolPage, pk=pool_id)
    cases = overview_rows(pool)
    if request.GET.get("format") == "csv":
        return _overview_csv(pool, cases)
    page_obj = paginate(request, cases, per_page=OVERVIEW_PAGE_SIZE)
    for case in page_obj:
        case.next_due_label = DueItem.Kind(case.next_due_kind).label if case.next_due_kind else ""
    return render(request, TEMPLATES + "overview.html", {"pool": pool, "page_obj": page_obj})


def _overview_csv(pool, cases):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tilskudssager-{pool.pk}.csv"'
    response.write("\ufeff")  # so that Excel reads the Danish letters as UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Municipality"),
            _("Status"),
            _("Next due"),
            _("Due date"),
            _("Overdue items"),
            _("Awarded (DKK)"),
            _("Paid (DKK)"),
            _("Remaining (DKK)"),
        ]
    )
    for case in cases:
        writer.writerow(
            [
                case.application.municipality.name,
                case.get_status_display(),
                DueItem.Kind(case.next_due_kind).label if case.next_due_kind else "",
                case.next_due_on.isoformat() if case.next_due_on else "",
                case.overdue_count or 0,
                f"{case.awarded_amount:.2f}".replace(".", ","),
                f"{case.paid_amount:.2f}".replace(".", ","),
                f"{case.remaining_amount:.2f}".replace(".", ","),
            ]
        )
    return response


urlpatterns = [
    path("", my_cases, name="my_cases"),
    path("sager/<int:pk>/", case_page, name="case"),
    path("sager/<int:pk>/dokumenter/<int:document_pk>/", document, name="document"),
    path("sager/<int:pk>/rapporter/<int:item_pk>/", report, name="report"),
    path("sager/<int:pk>/regnskab/<int:item_pk>/", accounts, name="accounts"),
    path("ansoegninger/<int:application_pk>/indstilling/", recommend, name="recommend"),
    path("puljer/<int:pool_id>/indstilling/", decision_list, name="decision_list"),
    path("puljer/<int:pool_id>/sager/", overview, name="overview"),
]
