import time

from django.core.management.base import BaseCommand

from demo.data import DEMO_TOTP_SECRET
from demo.totp import demo_totp_code


class Command(BaseCommand):
    help = "Print the current two-factor code for the staff demo logins (the demo TOTP secret)."

    def handle(self, *args, **options):
        code, seconds = demo_totp_code(at=time.time())
        self.stdout.write(f"{code}  (valid for {seconds} more seconds; secret {DEMO_TOTP_SECRET})")
