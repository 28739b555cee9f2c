"""The meetings' pages under /moeder/.

URL names (the contract between views, templates, emails and calendars):
list, meeting <pk>, register <pk> (POST), register_guest <pk>, confirm_guest <token>,
cancel_by_link <token>, cancel <registration pk> (POST), my_registrations,
meeting_ics <pk>, calendar_feed <token>, my_calendar
"""

from meetings import views

app_name = "meetings"

urlpatterns = views.urlpatterns
