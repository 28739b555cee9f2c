"""The provider's login: a plain form, checked against the test's people.json."""

from django.contrib.auth import get_user_model, login
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt

from tests.oidc_provider.validator import person

FORM = """<!doctype html><html lang="da"><head><title>Test-MitID</title></head><body>
<main><h1>Test-MitID Erhverv</h1>{error}
<form method="post"><input type="hidden" name="next" value="{next}">
<label for="username">Bruger-id</label><input id="username" name="username">
<label for="password">Adgangskode</label><input id="password" name="password" type="password">
<button type="submit">Log ind</button></form></main></body></html>"""


@csrf_exempt
def login_form(request):
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    error = ""
    if request.method == "POST":
        username = request.POST.get("username", "")
        entry = person(username)
        if entry is not None and entry.get("password") == request.POST.get("password"):
            user, _created = get_user_model().objects.get_or_create(username=username)
            login(request, user)
            return HttpResponseRedirect(next_url)
        error = '<p role="alert">Forkert bruger-id eller adgangskode.</p>'
    return HttpResponse(FORM.format(error=error, next=escape(next_url)))
