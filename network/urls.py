"""The network's pages under /netvaerk/: accounts, applications, progress.

URL names (the contract between templates, emails and views):

accounts      login, logout, password_reset, password_reset_done, password_reset_confirm,
              password_reset_complete, accept_invitation <token>, my_page, invite
mitid         mitid_login, mitid_callback, mitid_accept_invitation <token>
second factor second_factor_verify, second_factor_setup, second_factor_recovery_codes
applications  apply <pool_id>, application <pk>, application_submit <pk>,
              assessment_list <pool_id>, assess <pk>
progress      progress_overview <initiative_slug>, municipality <slug>,
              report_progress <initiative_slug> <municipality_slug>
"""

from network.views import accounts, applications, mitid, overview, progress, second_factor

app_name = "network"

urlpatterns = [
    *accounts.urlpatterns,
    *overview.urlpatterns,
    *mitid.urlpatterns,
    *second_factor.urlpatterns,
    *applications.urlpatterns,
    *progress.urlpatterns,
]
