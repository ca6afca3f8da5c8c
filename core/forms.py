import re
import unicodedata
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import connections

from .dates import long_date
from .forms_mixins import FieldMessagesMixin
from .models import Partnership
from .uploads import IMAGE_KINDS, MB, accept_attribute, check_upload, size_words, upload_name

# Single-line text ----------------------------------------------------------------------------

ONE_LINE_MESSAGE = "Enter this on one line, without line breaks, tabs or other control characters."


def one_line_validator(value):
    """Names, titles and subjects end up in email headers (the sender's name, subjects), where
    a line break starts a new header: a crafted POST could add a Bcc or make every later
    email fail. Refuse control characters (and Unicode line and paragraph separators)."""
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in str(value)):
        raise ValidationError(ONE_LINE_MESSAGE, code="control_characters")


def one_line(*fields):
    """Give form fields the one_line_validator (for a ModelForm's generated fields)."""
    for field in fields:
        field.validators.append(one_line_validator)


# Dates a person types ------------------------------------------------------------------------

# Not policy: only what keeps a typo (0001-01-01, 9999-12-31) out of the programme, its
# emails and the arithmetic on dates. Nothing the partnership runs is older or further ahead.
EARLIEST_DATE = date(2000, 1, 1)
YEARS_AHEAD = 5


def years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def date_window_problem(day, *, today):
    """A message when a typed date is outside any programme (before 2000, or more than five
    years after `today`), else None."""
    if day < EARLIEST_DATE:
        return f"Enter a date in {EARLIEST_DATE.year} or later."
    latest = years_after(today, YEARS_AHEAD)
    if day > latest:
        return (f"Enter a date no more than {YEARS_AHEAD} years ahead: "
                f"{long_date(latest)} at the latest.")
    return None


# Ids in multiple choices ---------------------------------------------------------------------

class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses an id the database cannot hold (a 30-digit
    number in a crafted POST) with its "invalid_pk_value" message: SQLite raises
    OverflowError on it in the `pk__in` query, a 500."""

    def _check_values(self, value):
        model = self.queryset.model
        key = self.to_field_name or "pk"
        field = model._meta.pk if key == "pk" else model._meta.get_field(key)
        kind = field.get_internal_type()
        if kind.endswith(("IntegerField", "AutoField")):
            low, high = connections[self.queryset.db].ops.integer_field_range(kind)
            for pk in value:
                try:
                    number = int(str(pk).strip())
                except (TypeError, ValueError):
                    continue  # not a number: the parent says so
                if (low is not None and number < low) or (high is not None and number > high):
                    raise ValidationError(self.error_messages["invalid_pk_value"],
                                          code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)


# Upper bounds for the numbers the rules add to a date (hours, days, months or years): not
# policy, only what keeps the arithmetic inside the calendar. Without them a typo such as
# 9000 years was saved and every page or sweep using it failed with a 500.
CALENDAR_MAXIMA = {
    "waiting_list_offer_hours": 24 * 366,
    "joining_link_reminder_days": 366,
    "event_reminder_days": 366,
    "summary_report_days_after_event": 366,
    "stage_2_days_after_stage_1": 366 * 2,
    "evaluation_reminder_days": 366,
    "refresher_reminder_days": 366,
    "invoice_overdue_months": 120,
    "content_review_months": 120,
    "refresher_years": 50,
    "line_manager_link_days": 366,
    "substitution_link_days": 366,
    "pre_course_reminder_days": 366,
    "evaluation_reminder_max": 20,
    "summary_min_responses": 1000,
    "invoice_payment_days": 366,
    "access_needs_retention_days": 366 * 2,
    "inactive_account_years": 50,
    "email_body_retention_days": 366 * 10,
    "staff_session_idle_minutes": 24 * 60,
}

FIELDSETS = [
    ("The partnership", ["name", "short_name", "contact_email", "contact_phone", "website",
                         "address", "logo"]),
    ("Cancellations and late arrival", ["notice_working_days", "late_minutes_full_day",
                                        "late_minutes_half_day"]),
    ("Fees (£)", ["fee_attendance_full_day", "fee_attendance_half_day",
                  "fee_late_cancellation_full_day", "fee_late_cancellation_half_day",
                  "fee_no_show_full_day", "fee_no_show_half_day",
                  "fee_not_admitted_full_day", "fee_not_admitted_half_day",
                  "invoice_overdue_months", "invoice_run_day", "invoice_payment_days"]),
    ("Programme", ["content_review_months"]),
    ("Places and bookings", ["capacity_virtual", "capacity_conference", "waiting_list_offer_hours",
                             "event_reminder_days", "joining_link_reminder_days",
                             "line_manager_approval_required", "line_manager_link_days",
                             "approval_release_working_days", "substitution_link_days",
                             "event_change_free_cancellation_minutes"]),
    ("Evaluation timeline", ["summary_report_days_after_event", "stage_2_days_after_stage_1",
                             "evaluation_reminder_days", "evaluation_reminder_max",
                             "pre_course_reminder_days", "stage_2_copy_line_manager",
                             "summary_min_responses", "certificate_trigger"]),
    ("Refreshers", ["refresher_years", "refresher_reminder_days"]),
    ("Reports", ["financial_year_start_month", "report_small_count_threshold"]),
    ("Privacy and sessions", ["access_needs_retention_days", "inactive_account_years",
                              "email_body_retention_days", "staff_session_idle_minutes"]),
]


# The logo: shown in the site's header, on invoices and certificates. Not policy, only what a
# logo needs (a header shows it 40 pixels high) and what keeps decoding it cheap.
LOGO_MAX_BYTES = 1 * MB
LOGO_MAX_SIZE = (2000, 2000)


class LogoInput(forms.ClearableFileInput):
    clear_checkbox_label = "Remove the logo"
    initial_text = "Current logo"
    input_text = "Change it"


class PartnershipForm(FieldMessagesMixin, forms.ModelForm):
    required_messages = {
        "contact_email": "Enter the contact email address",
        "certificate_trigger": "Select when a certificate is issued",
        **{f"fee_{kind}_{length}": f"Enter the {words} fee for {span}"
           for kind, words in (("attendance", "attendance"),
                               ("late_cancellation", "late cancellation"),
                               ("no_show", "no-show"), ("not_admitted", "not admitted"))
           for length, span in (("full_day", "a full day"),
                                ("half_day", "half a day or less"))},
    }

    class Meta:
        model = Partnership
        fields = [name for _, names in FIELDSETS for name in names]
        widgets = {"logo": LogoInput(attrs={"accept": accept_attribute(IMAGE_KINDS)})}
        help_texts = {"logo": f"A PNG or JPEG image, smaller than {size_words(LOGO_MAX_BYTES)} "
                              f"and at most {LOGO_MAX_SIZE[0]} by {LOGO_MAX_SIZE[1]} pixels. It "
                              f"is shown in the site's header, on invoices and on certificates."}
        error_messages = {"logo": {
            "empty": "The selected file is empty",
            "contradiction": "Choose a new logo or tick “Remove the logo”, not both",
        }}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, maximum in CALENDAR_MAXIMA.items():
            calendar_maximum(self.fields[name], maximum)
        # The name is the sender's name of every email; all of them are one line.
        one_line(*(self.fields[name] for name in ("name", "short_name", "contact_phone")))

    def fieldsets(self):
        for legend, names in FIELDSETS:
            yield legend, [self[name] for name in names]

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if not upload or not hasattr(upload, "content_type"):
            return upload  # kept, or removed with "Remove the logo" (False)
        # Checked by content (core.uploads): an SVG is refused (it can carry scripts), and
        # the pixel count is read from the header before anything is decoded.
        kind = check_upload(upload, IMAGE_KINDS, LOGO_MAX_BYTES, max_image_size=LOGO_MAX_SIZE)
        upload.name = upload_name(upload.name, kind)
        return upload

    def clean_short_name(self):
        value = self.cleaned_data["short_name"].strip().upper()
        if not re.fullmatch(r"[A-Z0-9]+", value):
            raise forms.ValidationError(
                "Use letters and numbers only: it starts every invoice number."
            )
        return value


def calendar_maximum(field, maximum):
    """Give an integer form field an upper bound (CALENDAR_MAXIMA), with a message."""
    field.max_value = maximum
    field.validators.append(MaxValueValidator(maximum))
    field.widget.attrs["max"] = maximum
    field.error_messages["max_value"] = f"Enter {maximum} or less."
