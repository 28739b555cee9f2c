"""The network's pages under /netvaerk/: accounts, applications, progress.

URL names (the contract between templates, emails and views):

accounts      login, logout, password_reset, password_reset_done, password_reset_confirm,
              password_reset_complete, accept_invitation <token>, my_page, invite
applications  apply <pool_id>, application <pk>, application_submit <pk>,
              assessment_list <pool_id>, assess <pk>
progress      progress_overview <initiative_slug>, municipality <slug>,
              report_progress <initiative_slug> <municipality_slug>
"""

from network.views import accounts, applications, progress

app_name = "network"

urlpatterns = [*accounts.urlpatterns, *applications.urlpatterns, *progress.urlpatterns]
