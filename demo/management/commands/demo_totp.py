import time

from django.core.management.base import BaseCommand

from demo.data import DEMO_TOTP_SECRET
from demo.totp import demo_totp_code


class Command(BaseCommand):
    help = ("Print the current two-factor code for the staff demo logins (the demo TOTP "
            "secret). A code works once, and changes every 30 seconds: --next prints the "
            "following one too, for a second sign-in within the same 30 seconds.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--next", action="store_true",
            help="also print the next code (a code already used is refused until the next)")

    def handle(self, *args, **options):
        now = time.time()
        code, seconds = demo_totp_code(at=now)
        self.stdout.write(f"{code}  (valid for {seconds} more seconds; secret {DEMO_TOTP_SECRET})")
        if options["next"]:
            following, _ = demo_totp_code(at=now + seconds)
            self.stdout.write(f"{following}  (the next code, from {seconds} seconds from now; "
                              "each code can be used only once)")
