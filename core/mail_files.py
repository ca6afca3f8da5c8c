"""`make run`'s email backend: one readable .eml file per message in EMAIL_FILE_PATH
(var/mail/), instead of Django's file backend (one .log per batch, its text
quoted-printable, so a link copied out of it breaks at "=" and line ends).

Each file is a complete message (a mail program opens it: double-click, or drag it in) whose
text and HTML parts are written as they are (8-bit UTF-8, lines unbroken), so a link can be
copied straight from a text editor. Named <time>-<recipient>-<subject>.eml, oldest first."""

import email.policy
import re
import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django.utils.text import slugify

READABLE = email.policy.SMTPUTF8.clone(max_line_length=None, linesep="\n")


def readable_bytes(message):
    """The message as bytes with its text parts unencoded (no quoted-printable, no base64)."""
    mime = message.message()
    for part in mime.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if part.get_content_disposition() == "attachment":
            continue
        text = part.get_content()
        part.set_content(text, subtype=part.get_content_subtype(), charset="utf-8", cte="8bit")
    return mime.as_bytes(policy=READABLE)


def file_name(message, now):
    to = re.sub(r"[^a-z0-9.@-]+", "-", (message.to or ["nobody"])[0].lower())[:60]
    subject = slugify(message.subject)[:60] or "no-subject"
    return f"{now:%Y%m%d-%H%M%S-%f}-{to}-{subject}.eml"


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path or getattr(settings, "EMAIL_FILE_PATH", "var/mail"))
        self._lock = threading.Lock()

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        self.folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        with self._lock:
            for message in email_messages:
                if not message.recipients():
                    continue
                path = self.folder / file_name(message, timezone.now())
                path.write_bytes(readable_bytes(message))
                sent += 1
        return sent
