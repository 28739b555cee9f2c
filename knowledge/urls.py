"""The forum's pages under /forum/.

URL names: spaces, space <slug>, new_topic <slug>, new_experience_report <slug>,
topic <pk>, subscription <pk> (POST), edit_post <pk>, post_history <pk>, delete_post <pk>,
report_post <pk>, tag <slug>, search, notifications
"""

from django.urls import path

from knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.space_list, name="spaces"),
    path("rum/<slug:slug>/", views.space_detail, name="space"),
    path("rum/<slug:slug>/nyt-emne/", views.new_topic, name="new_topic"),
    path("rum/<slug:slug>/ny-erfaring/", views.new_experience_report, name="new_experience_report"),
    path("emner/<int:pk>/", views.topic_detail, name="topic"),
    path("emner/<int:pk>/abonnement/", views.subscription, name="subscription"),
    path("indlaeg/<int:pk>/rediger/", views.edit_post, name="edit_post"),
    path("indlaeg/<int:pk>/historik/", views.post_history, name="post_history"),
    path("indlaeg/<int:pk>/slet/", views.delete_post, name="delete_post"),
    path("indlaeg/<int:pk>/anmeld/", views.report_post, name="report_post"),
    path("emneord/<str:slug>/", views.tag_detail, name="tag"),
    path("soeg/", views.search, name="search"),
    path("notifikationer/", views.notifications, name="notifications"),
]
