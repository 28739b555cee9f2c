"""Applications: applying to a pool, the application form that saves as it goes,
submitting before the deadline, and the agency's assessment and decision.

Who may see and do what comes from ``network.access``, every rule from
``network.services``; these views turn requests into service calls and the services'
messages into pages. Another municipality's application is a 404: its existence is
private. The case-handling pages are a 403 for everyone but agency editors.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, IntegerField, OuterRef, Subquery, Sum
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cms.models import PoolPage, paginate
from config.limits import LimitReached, answer
from network import access, services
from network.forms.applications import (
    ApplicationForm,
    AssessmentForm,
    BudgetFormSet,
)
from network.models import Application, Assessment, BudgetLine

TEMPLATES = "network/applications/"
#: The header the page's script sends when it saves the draft in the background.
AUTOSAVE_HEADER = "X-Autosave"
ASSESSMENT_PAGE_SIZE = 25


def _is_autosave(request):
    return request.headers.get(AUTOSAVE_HEADER) == "1"


def _login_required(view):
    """Like login_required, but the background save gets JSON it can show, not a redirect."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if _is_autosave(request):
            message = _("Not saved: you have been logged out. Copy your text and log in again.")
            return JsonResponse(
                {"saved_at": None, "message": message, "errors": {"__all__": [message]}},
                status=401,
            )
        return redirect_to_login(request.get_full_path())

    return wrapper


def _application_or_404(request, pk):
    application = get_object_or_404(
        Application.objects.select_related("pool", "municipality", "submitted_by"), pk=pk
    )
    if not access.can_view_application(request.user, application):
        raise Http404
    return application


def _pool_url(request, pool):
    return pool.get_url(request) or "/"


# --- Applying ------------------------------------------------------------------------------


@require_POST
@_login_required
def apply(request, pool_id):
    """Open the municipality's application to the pool, starting it if there is none yet."""
    pool = get_object_or_404(PoolPage.objects.live(), pk=pool_id)
    try:
        application = services.start_application(pool, request.user)
    except PermissionDenied:
        return render(request, TEMPLATES + "cannot_apply.html", {"pool": pool}, status=403)
    except services.ApplicationError as error:
        messages.error(request, str(error))
        return redirect(_pool_url(request, pool))
    return redirect("network:application", application.pk)


# --- The application -------------------------------------------------------------------------


def _saved_message(application):
    time = date_format(timezone.localtime(application.updated_at), "TIME_FORMAT")
    return _("Draft saved at %(time)s.") % {"time": time}


def _edit_forms(application, data=None):
    criteria = application.pool.award_criteria.all()
    pool = application.pool
    if data is None:
        form = ApplicationForm(initial=ApplicationForm.initial_for(application), criteria=criteria)
        formset = BudgetFormSet(
            initial=BudgetFormSet.initial_for(application), form_kwargs={"pool": pool}
        )
    else:
        form = ApplicationForm(data, criteria=criteria)
        formset = BudgetFormSet(data, form_kwargs={"pool": pool})
    return form, formset


def _attach_service_errors(error, form, line_forms):
    """Put save_draft's messages next to the budget line they are about, or on the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, problems in error.message_dict.items():
        if key.startswith("budget_lines-"):
            index = int(key.rsplit("-", 1)[1]) - 1
            if 0 <= index < len(line_forms):
                line_forms[index].add_error(None, problems)
                line_forms[index].mark_line_error()
                continue
        form.add_error(None, problems)


def _line_data(line):
    return services.BudgetLineData(
        month=line.cleaned_data["month"],
        description=line.cleaned_data["description"],
        amount=line.cleaned_data["amount"],
    )


def _save(request, application, form, formset):
    """Save the typed form as the draft through the service; None when nothing was saved."""
    form_valid, formset_valid = form.is_valid(), formset.is_valid()
    line_forms = formset.kept_forms()
    if not (form_valid and formset_valid):
        # Nothing is saved; still tell about every budget rule broken, not one at a time.
        for line in line_forms:
            if not line.errors:
                problems = services.check_budget_line(_line_data(line), application.pool)
                if problems:
                    line.add_error(None, problems)
                    line.mark_line_error()
        return None
    lines = [_line_data(line) for line in line_forms]
    try:
        return services.save_draft(
            application,
            request.user,
            fields=form.fields_data(),
            answers=form.answers_data(),
            budget_lines=lines,
        )
    except ValidationError as error:
        _attach_service_errors(error, form, line_forms)
    except services.ApplicationError as error:
        form.add_error(None, str(error))
    except LimitReached as refusal:
        form.add_error(None, str(refusal))
        form.over_limit = refusal
    return None


def _error_summary(form, formset):
    """Every error on the page as (text, link to the field) for the summary at the top."""
    items = [{"text": error, "href": None} for error in form.non_field_errors()]
    for field in form:
        items.extend(
            {"text": f"{field.label}: {error}", "href": f"#{field.id_for_label}"}
            for error in field.errors
        )
    items.extend({"text": error, "href": "#budget"} for error in formset.non_form_errors())
    for line in formset.forms:
        heading = _("Budget line %(number)s") % {"number": line.number}
        items.extend(
            {"text": f"{heading}: {error}", "href": f"#{line['description'].id_for_label}"}
            for error in line.non_field_errors()
        )
        for field in line:
            items.extend(
                {"text": f"{heading}, {field.label}: {error}", "href": f"#{field.id_for_label}"}
                for error in field.errors
            )
    return items


def _errors_by_name(form, formset):
    """The errors keyed by the name of the input (or the line) they belong to, for scripts."""
    errors = {}
    for name, problems in form.errors.items():
        errors[name if name == "__all__" else form.add_prefix(name)] = list(problems)
    if formset.non_form_errors():
        errors[formset.prefix] = list(formset.non_form_errors())
    for line in formset.forms:
        for name, problems in line.errors.items():
            key = line.prefix if name == "__all__" else line.add_prefix(name)
            errors[key] = list(problems)
    return errors


def _steps(application, form, formset):
    """The application form's steps for DKFDS's step indicator.

    A step is done when its part of the saved draft has everything submission needs; the
    current step is the first that is not (the last, "Submit", when all are). A step
    whose fields have errors on this page is marked as such.
    """
    missing = services.missing_by_section(application)
    errors = {
        "people": any(field.errors for field in form.applicant_fields()),
        "answers": any(field.errors for field in form.answer_fields()),
        "budget": bool(formset.non_form_errors() or any(line.errors for line in formset.forms)),
        "submit": bool(form.non_field_errors()),
    }
    steps = [
        {"key": "people", "title": _("Project leader and approval"), "href": "#people-heading"},
        {"key": "answers", "title": _("Award criteria"), "href": "#answers-heading"},
        {"key": "budget", "title": _("Budget"), "href": "#budget-heading"},
        {"key": "submit", "title": _("Submit application"), "href": "#submit-heading"},
    ]
    current = next((step["key"] for step in steps if missing.get(step["key"])), steps[-1]["key"])
    for number, step in enumerate(steps, start=1):
        step["number"] = number
        step["current"] = step["key"] == current
        step["done"] = step["key"] in missing and not missing[step["key"]]
        step["error"] = errors[step["key"]]
    return steps


def _render_edit(request, application, form, formset, *, missing=(), draft_saved=False):
    error_summary = _error_summary(form, formset)
    last_saved = date_format(timezone.localtime(application.updated_at), "TIME_FORMAT")
    if error_summary:
        saved_message = _("Not saved. The draft was last saved at %(time)s.") % {"time": last_saved}
    elif draft_saved:
        saved_message = _saved_message(application)
    else:
        saved_message = _("Last saved at %(time)s.") % {"time": last_saved}
    steps = _steps(application, form, formset)
    context = {
        "application": application,
        "pool": application.pool,
        "form": form,
        "formset": formset,
        "steps": steps,
        "current_step": next(step for step in steps if step["current"]),
        "error_summary": error_summary,
        "missing": missing,
        "budget_total": formset.total(),
        "pool_is_open": application.pool.is_open(),
        "saved_message": saved_message,
        "decimal_separator": get_format("DECIMAL_SEPARATOR"),
        "thousand_separator": get_format("THOUSAND_SEPARATOR"),
    }
    return render(request, TEMPLATES + "application_edit.html", context)


def _read_only_context(application, user):
    """The application as it was written, and for agency editors its scores per criterion."""
    can_assess = access.can_assess(user)
    criteria = list(application.pool.award_criteria.all())
    answers = {answer.criterion_id: answer.text for answer in application.answers.all()}
    assessments = _assessments_by_criterion(application) if can_assess else {}
    lines = list(application.budget_lines.all())
    return {
        "application": application,
        "pool": application.pool,
        "answers": [
            {
                "number": number,
                "criterion": criterion,
                "text": answers.get(criterion.pk, ""),
                "assessment": assessments.get(criterion.pk),
            }
            for number, criterion in enumerate(criteria, start=1)
        ],
        "budget_lines": lines,
        "budget_total": sum((line.amount for line in lines), 0),
        "can_assess": can_assess,
        "assessments": assessments,
    }


def _not_editable(request, application):
    if application.is_draft:
        # Visible but not theirs to change: an agency editor looking at a draft.
        raise PermissionDenied
    message = _("The application has been submitted and can no longer be changed.")
    if _is_autosave(request):
        return JsonResponse(
            {"saved_at": None, "message": message, "errors": {"__all__": [message]}}, status=409
        )
    messages.error(request, message)
    return redirect("network:application", application.pk)


@never_cache
@_login_required
@require_http_methods(["GET", "POST"])
def application_detail(request, pk):
    """The application: a form while it is the municipality's draft, otherwise read-only."""
    application = _application_or_404(request, pk)
    editable = access.can_edit_application(request.user, application)
    if request.method == "POST":
        if not editable:
            return _not_editable(request, application)
        form, formset = _edit_forms(application, request.POST)
        saved = _save(request, application, form, formset)
        if _is_autosave(request):
            if saved is None and form.over_limit:
                message = str(form.over_limit)
                response = JsonResponse(
                    {"saved_at": None, "message": message, "errors": {"__all__": [message]}},
                )
                return answer(response, form.over_limit)
            if saved is None:
                return JsonResponse(
                    {
                        "saved_at": None,
                        "message": _("Not saved. Correct the errors below and try again."),
                        "errors": _errors_by_name(form, formset),
                        "summary": _error_summary(form, formset),
                    },
                    status=400,
                )
            return JsonResponse(
                {
                    "saved_at": saved.updated_at.isoformat(),
                    "message": _saved_message(saved),
                    "errors": {},
                }
            )
        if saved is None:
            return answer(_render_edit(request, application, form, formset), form.over_limit)
        messages.success(request, _saved_message(saved))
        return redirect("network:application", application.pk)
    if editable:
        form, formset = _edit_forms(application)
        return _render_edit(request, application, form, formset)
    context = _read_only_context(application, request.user)
    return render(request, TEMPLATES + "application_detail.html", context)


@never_cache
@require_POST
@_login_required
def application_submit(request, pk):
    """Save what was typed as the draft, then submit it; after the deadline the draft stays."""
    application = _application_or_404(request, pk)
    if not access.can_edit_application(request.user, application):
        return _not_editable(request, application)
    form, formset = _edit_forms(application, request.POST)
    saved = _save(request, application, form, formset)
    if saved is None:
        return answer(_render_edit(request, application, form, formset), form.over_limit)
    try:
        services.submit_application(saved, request.user)
    except services.ApplicationError as error:
        messages.error(request, str(error))
        return redirect("network:application", application.pk)
    except ValidationError as error:
        return _render_edit(request, saved, form, formset, missing=error.messages, draft_saved=True)
    messages.success(
        request,
        _("The application has been submitted. Socialstyrelsen assesses it after the deadline."),
    )
    return redirect("network:application", application.pk)


# --- Case handling (agency editors) -----------------------------------------------------------


def _editors_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.can_assess(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return _login_required(wrapper)


def _assessments_by_criterion(application):
    return {
        assessment.criterion_id: assessment
        for assessment in application.assessments.select_related("assessed_by")
    }


@never_cache
@_editors_only
def assessment_list(request, pool_id):
    """The pool's submitted applications with their budget, average score and decision."""
    pool = get_object_or_404(PoolPage, pk=pool_id)
    per_application = {"application": OuterRef("pk")}
    totals = (
        BudgetLine.objects.filter(**per_application)
        .order_by()
        .values("application")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    assessments = Assessment.objects.filter(**per_application).order_by().values("application")
    applications = (
        Application.objects.filter(pool=pool)
        .exclude(status=Application.Status.DRAFT)
        .select_related("municipality")
        .annotate(
            total=Subquery(totals),
            average_score=Subquery(assessments.annotate(average=Avg("score")).values("average")),
            scored=Subquery(
                assessments.annotate(count=Count("pk")).values("count"),
                output_field=IntegerField(),
            ),
        )
        .order_by("municipality__name", "pk")
    )
    context = {
        "pool": pool,
        "page_obj": paginate(request, applications, per_page=ASSESSMENT_PAGE_SIZE),
        "criteria_count": pool.award_criteria.count(),
        "drafts_count": Application.objects.filter(
            pool=pool, status=Application.Status.DRAFT
        ).count(),
    }
    return render(request, TEMPLATES + "assessment_list.html", context)


@never_cache
@_editors_only
@require_http_methods(["GET", "POST"])
def assess(request, pk):
    """Score and note each award criterion; the recommendation is written in grants/."""
    application = get_object_or_404(
        Application.objects.select_related("pool", "municipality", "submitted_by", "decided_by"),
        pk=pk,
    )
    context = _read_only_context(application, request.user)
    criteria = [item["criterion"] for item in context["answers"]]
    assessments = context["assessments"]
    assessment_form = AssessmentForm(criteria=criteria, assessments=assessments.values())
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "assess":
            assessment_form = AssessmentForm(
                request.POST, criteria=criteria, assessments=assessments.values()
            )
            if assessment_form.is_valid():
                try:
                    with transaction.atomic():
                        for criterion, score, note in assessment_form.scored():
                            services.assess(
                                application,
                                criterion,
                                score=score,
                                note=note,
                                assessor=request.user,
                            )
                except ValidationError as error:
                    assessment_form.add_error(None, error.messages)
                except services.ApplicationError as error:
                    assessment_form.add_error(None, str(error))
                else:
                    messages.success(request, _("The assessment has been saved."))
                    return redirect("network:assess", application.pk)
        else:
            return HttpResponseBadRequest()
    context.update(
        {
            "assessment_rows": [
                {
                    **item,
                    "score": assessment_form[f"score_{item['criterion'].pk}"],
                    "note": assessment_form[f"note_{item['criterion'].pk}"],
                }
                for item in context["answers"]
            ],
            "assessment_form": assessment_form,
            "pool_is_open": application.pool.is_open(),
        }
    )
    return render(request, TEMPLATES + "assess.html", context)


urlpatterns = [
    path("puljer/<int:pool_id>/ansoeg/", apply, name="apply"),
    path("ansoegninger/<int:pk>/", application_detail, name="application"),
    path("ansoegninger/<int:pk>/indsend/", application_submit, name="application_submit"),
    path("sagsbehandling/puljer/<int:pool_id>/", assessment_list, name="assessment_list"),
    path("sagsbehandling/ansoegninger/<int:pk>/", assess, name="assess"),
]
