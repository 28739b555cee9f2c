"""Site search over published pages."""

from django.shortcuts import render
from wagtail.models import Page

from cms.models import paginate

MAX_QUERY_LENGTH = 200


def search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = None
    if query:
        pages = Page.objects.live().public().specific().search(query, operator="and")
        results = paginate(request, pages)
    return render(request, "cms/search_results.html", {"query": query, "results": results})
