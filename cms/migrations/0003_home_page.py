"""Replace Wagtail's default welcome page with the platform's home page."""

from django.db import migrations

HOME_TITLE = "Partnerskabsplatformen"


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("cms", "HomePage")

    if HomePage.objects.exists():
        return
    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    root = Page.objects.get(depth=1)
    if Page.objects.filter(depth=2).exists():
        return  # someone has built a tree already; leave it to the editors
    content_type, _created = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    home = HomePage.objects.create(
        title=HOME_TITLE,
        draft_title=HOME_TITLE,
        slug="home",
        content_type=content_type,
        path=f"{root.path}0001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale_id=root.locale_id,
        intro="<p>Her samarbejder Socialstyrelsen og kommunerne om at udvikle og omlægge "
        "socialpsykiatrien: puljer, partnerskaber, møder og erfaringer.</p>",
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page_id": home.id, "site_name": ""},
    )


class Migration(migrations.Migration):
    dependencies = [("cms", "0002_editorial_groups")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
