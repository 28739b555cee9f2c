"""Mit overblik (my overview): what waits for whoever logs in (network/overview.py)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from network import overview as gathering


@never_cache
@login_required
@require_GET
def overview(request):
    gathered = gathering.gather(request.user, timezone.now())
    sections = gathered.sections
    context = {
        "person": request.user,
        "to_do": [section for section in sections if section.group == gathering.TO_DO],
        "news": [section for section in sections if section.group == gathering.NEWS],
        "shortcuts": gathered.shortcuts,
    }
    return render(request, "network/overview.html", context)


urlpatterns = [path("overblik/", overview, name="overview")]
