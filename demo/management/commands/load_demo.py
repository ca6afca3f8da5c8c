from django.core.management.base import BaseCommand
from django.utils import timezone

from demo.services import demo_load, demo_summary


class Command(BaseCommand):
    help = (
        "Load the demo partnership (Dudley: organisations, one login per role, the DSPP "
        "courses). Safe to run again: it creates nothing twice."
    )

    def handle(self, *args, **options):
        result = demo_load(now=timezone.now())
        if result.changed:
            done = [f"{n} {what} created" for what, n in sorted(result.created.items())]
            done += [f"{n} {what} updated" for what, n in sorted(result.updated.items())]
            self.stdout.write(self.style.SUCCESS("Demo data loaded: " + ", ".join(done) + "."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already loaded: nothing changed."))
        for line in demo_summary():
            self.stdout.write(f"  {line}")
        self.stdout.write("Logins: manage.py demo_logins")
