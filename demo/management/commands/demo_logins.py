import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from accounts.models import User
from accounts.roles import Role
from demo import data
from demo.totp import demo_totp_code


def _roles_label(roles, extra):
    if extra.get("is_superuser"):
        return "Site administrator (superuser)"
    return " + ".join(Role(r).label for r in roles)


class Command(BaseCommand):
    help = (
        "Print where the site is, the demo logins and the current two-factor code. Works "
        "before load_demo has run (it says so)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="the site's address")

    def handle(self, *args, url, **options):
        rows = [(email, _roles_label(roles, extra), data.DEMO_PASSWORD)
                for email, (*_, roles, extra) in data.LOGINS.items()]
        widths = [max(len(r[i]) for r in rows + [("Email", "Role", "Password")])
                  for i in range(3)]

        def line(cells):
            return "  " + "  ".join(
                c.ljust(w) for c, w in zip(cells, widths, strict=True)
            ).rstrip()

        out = self.stdout.write
        out("")
        out(self.style.SUCCESS(f"The training site: {url}"))
        out("")
        out("Demo logins:")
        out(line(("Email", "Role", "Password")))
        out(line(["-" * w for w in widths]))
        for row in rows:
            out(line(row))
        out("  The other demo delegates (e.g. natalie.cooper@brightfutures-nurseries.example) "
            "use the same password.")
        out("")
        code, seconds = demo_totp_code(at=time.time())
        out("Two-factor authentication: every login but delegate@demo.example asks for a code.")
        out(f"  TOTP secret (add it to an authenticator app): {data.DEMO_TOTP_SECRET}")
        out(f"  Code now: {code} (valid for {seconds} more seconds)")
        out("  `manage.py demo_totp` prints a fresh code.")
        out("")
        notice = self._not_loaded()
        if notice:
            out(self.style.WARNING(notice))
            out("")

    def _not_loaded(self):
        try:
            found = User.objects.filter(email__in=list(data.LOGINS)).count()
        except DatabaseError:
            return "The database is not set up yet: run `manage.py migrate` and " \
                   "`manage.py load_demo` (make run does both) before these logins work."
        if found < len(data.LOGINS):
            return "The demo data is not loaded yet: run `manage.py load_demo` (make run " \
                   "does) before these logins work."
        return ""
