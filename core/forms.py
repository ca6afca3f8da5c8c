import re

from django import forms
from django.core.validators import MaxValueValidator

from .models import Partnership

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
}

FIELDSETS = [
    ("The partnership", ["name", "short_name", "contact_email", "contact_phone", "website"]),
    ("Cancellations and late arrival", ["notice_working_days", "late_minutes_full_day",
                                        "late_minutes_half_day"]),
    ("Fees (£)", ["fee_attendance_full_day", "fee_attendance_half_day",
                  "fee_late_cancellation_full_day", "fee_late_cancellation_half_day",
                  "fee_no_show_full_day", "fee_no_show_half_day",
                  "fee_not_admitted_full_day", "fee_not_admitted_half_day",
                  "invoice_overdue_months"]),
    ("Programme", ["content_review_months"]),
    ("Places and bookings", ["capacity_virtual", "capacity_conference", "waiting_list_offer_hours",
                             "event_reminder_days", "joining_link_reminder_days",
                             "line_manager_approval_required", "line_manager_link_days",
                             "substitution_link_days"]),
    ("Evaluation timeline", ["summary_report_days_after_event", "stage_2_days_after_stage_1",
                             "evaluation_reminder_days", "certificate_trigger"]),
    ("Refreshers", ["refresher_years", "refresher_reminder_days"]),
]


class PartnershipForm(forms.ModelForm):
    class Meta:
        model = Partnership
        fields = [name for _, names in FIELDSETS for name in names]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, maximum in CALENDAR_MAXIMA.items():
            calendar_maximum(self.fields[name], maximum)

    def fieldsets(self):
        for legend, names in FIELDSETS:
            yield legend, [self[name] for name in names]

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
