from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.services import demo_load, demo_summary


class Command(BaseCommand):
    help = (
        "Load the demo partnership (Dudley: organisations, one login per role, the DSPP "
        "courses). Safe to run again: it creates nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-history", action="store_true",
            help="Leave out the eighteen months of past events the reports look back on "
                 "(quicker; the rest of the demo is the same).")

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", True):
            # The demo logins, password and TOTP secret are published in the README.
            raise CommandError(
                "Demo data is not allowed with these settings (DEMO_DATA_ALLOWED is off in "
                "production): it would create accounts whose password is public."
            )
        result = demo_load(now=timezone.now(), history=not options["without_history"])
        if result.changed:
            done = [f"{n} {what} created" for what, n in sorted(result.created.items())]
            done += [f"{n} {what} updated" for what, n in sorted(result.updated.items())]
            self.stdout.write(self.style.SUCCESS("Demo data loaded: " + ", ".join(done) + "."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already loaded: nothing changed."))
        for line in demo_summary():
            self.stdout.write(f"  {line}")
        self.stdout.write("Logins: manage.py demo_logins")
