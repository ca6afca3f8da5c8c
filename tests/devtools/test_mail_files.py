"""`make run` writes each email to var/mail/ as one .eml file a person can read: the text as
it is (no quoted-printable, so a long link copies whole), and a file a mail program opens."""

import email
import email.policy

from django.core.mail import EmailMultiAlternatives

from core.mail_files import EmlFileBackend

LINK = ("http://127.0.0.1:8792/bookings/approve/?token=" + "a1b2c3d4e5=" * 12)


def message(to, subject):
    m = EmailMultiAlternatives(subject, f"Hello Amy —\n\nApprove the place: {LINK}\n",
                               "training@partnership.example", [to])
    m.attach_alternative(f'<p>Hello Amy — <a href="{LINK}">approve</a></p>', "text/html")
    m.attach("event.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    return m


def test_one_readable_eml_file_per_message(tmp_path):
    backend = EmlFileBackend(file_path=tmp_path / "mail")

    sent = backend.send_messages([message("amy@example.org", "Approve Amy’s place"),
                                  message("ben@example.org", "Second")])

    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert sent == 2 and len(files) == 2
    assert "amy@example.org" in files[0].name and files[0].name.endswith(".eml")
    raw = files[0].read_text(encoding="utf-8")
    assert LINK in raw  # whole, on one line: no "=3D", no soft line breaks
    assert "quoted-printable" not in raw and "Hello Amy —" in raw
    parsed = email.message_from_string(raw, policy=email.policy.default)
    assert parsed["Subject"] == "Approve Amy’s place"
    assert LINK in parsed.get_body(("plain",)).get_content()
    assert [p.get_filename() for p in parsed.iter_attachments()] == ["event.ics"]
