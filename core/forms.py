import re

from django import forms

from .models import Partnership

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
                             "line_manager_approval_required"]),
    ("Evaluation timeline", ["summary_report_days_after_event", "stage_2_days_after_stage_1",
                             "evaluation_reminder_days", "certificate_trigger"]),
    ("Refreshers", ["refresher_years", "refresher_reminder_days"]),
]


class PartnershipForm(forms.ModelForm):
    class Meta:
        model = Partnership
        fields = [name for _, names in FIELDSETS for name in names]

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
