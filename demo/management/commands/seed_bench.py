import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.bench_data import BENCH_DOMAIN, SEED, build


def refusal():
    """Why these settings must not get bench data (None if they may). The rule: never with
    production settings, recognised by their module (DJANGO_SETTINGS_MODULE ending in
    "production") or by DEMO_DATA_ALLOWED being off (production.py turns it off): the bench
    accounts' password and authenticator secret are published in demo/bench_data.py."""
    module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
    if module.rsplit(".", 1)[-1] == "production" or not getattr(
            settings, "DEMO_DATA_ALLOWED", True):
        return (f"Bench data is not allowed with production settings ({module or 'unknown'}): "
                "it creates accounts whose password is public. Use the local or test "
                "settings with the bench database's DATABASE_URL.")
    return None


def foreign_rows():
    """How many accounts are not bench accounts (addresses outside *.bench.example)."""
    from accounts.models import User

    return User.objects.exclude(email__iendswith=f".{BENCH_DOMAIN}").exclude(
        email__iendswith=f"@{BENCH_DOMAIN}").count()


class Command(BaseCommand):
    help = ("Build the benchmark's data set (issue 14): scale 1 is five years of a large "
            "partnership (60,000 users, 60,000 bookings, about 1,000,000 answers). Into an "
            "empty database only, unless --flush (which deletes everything in it first).")

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="1 = five years of a large partnership; 10 ten times that.")
        parser.add_argument("--seed", type=int, default=SEED)
        parser.add_argument("--flush", action="store_true",
                            help="Delete every row of the database first (manage.py flush).")

    def handle(self, *args, scale, seed, flush, verbosity=1, **options):
        reason = refusal()
        if reason:
            raise CommandError(reason)
        if scale <= 0:
            raise CommandError("Enter a scale greater than 0, for example 1 or 0.01.")
        from accounts.models import User

        if flush:
            call_command("flush", interactive=False, verbosity=0)
        elif foreign_rows():
            raise CommandError(
                f"The database {connection.settings_dict['NAME']} holds {foreign_rows()} "
                "accounts that are not bench accounts: seed a database of its own, or pass "
                "--flush to delete everything in it first.")
        elif User.objects.exists():
            raise CommandError(
                f"The database {connection.settings_dict['NAME']} already holds bench data: "
                "pass --flush to build it again.")
        say = (lambda m: self.stdout.write(f"  {m}")) if verbosity > 1 else None
        built = build(scale, seed=seed, log=say)
        self.stdout.write(self.style.SUCCESS(
            f"Bench data at scale {scale:g} built in {built.seconds:.1f} s."))
        for label, count in sorted(built.counts.items()):
            self.stdout.write(f"  {label}: {count:,}")
