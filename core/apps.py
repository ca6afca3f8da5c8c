from django.apps import AppConfig
from django.db.models.signals import post_migrate


def partnership_row_ensure(sender, *, using, apps=None, **kwargs):
    """The one Partnership row and the site's domain, as migration 0002_seed_partnership made
    them, again after anything that emptied the tables (`manage.py flush`, a test that runs
    in transactions): Partnership.load() would otherwise create the row in the middle of
    someone's request, and every link in an email would name example.com."""
    from urllib.parse import urlparse

    from django.apps import apps as global_apps
    from django.conf import settings

    apps = apps or global_apps  # flush sends no apps
    try:
        Partnership = apps.get_model("core", "Partnership")
        Site = apps.get_model("sites", "Site")
    except LookupError:  # migrating backwards, before the tables exist
        return
    Partnership.objects.using(using).get_or_create(pk=1)
    host = urlparse(settings.SITE_URL).netloc or "127.0.0.1:8000"
    Site.objects.using(using).filter(pk=settings.SITE_ID, domain="example.com").update(
        domain=host, name=host)


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Partnership and shared services"

    def ready(self):
        post_migrate.connect(partnership_row_ensure, sender=self,
                             dispatch_uid="core.partnership_row_ensure")
