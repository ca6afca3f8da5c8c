"""The "ask for a report" form: a quarter, a financial year, or chosen dates."""

from datetime import date

from django import forms

from core.forms_mixins import FieldMessagesMixin

from . import periods
from .models import ReportKind
from .services import period_problem

DATE_INPUT = {"type": "date"}
# How many complete quarters and financial years the form offers (chosen dates reach further).
QUARTERS_OFFERED = 8
YEARS_OFFERED = 5


def complete_quarters(today, fy_start_month, count=QUARTERS_OFFERED):
    """The last `count` quarters that have ended, newest first (reports.periods.Period)."""
    out = [periods.last_complete_quarter(today, fy_start_month)]
    while len(out) < count:
        out.append(periods.previous_quarter(out[-1]))
    return out


def complete_years(today, fy_start_month, count=YEARS_OFFERED):
    """The last `count` financial years that have ended, newest first."""
    out = [periods.previous_period(periods.financial_year_containing(today, fy_start_month))]
    while len(out) < count:
        out.append(periods.previous_period(out[-1]))
    return out


def date_field(label):
    return forms.DateField(
        label=label, required=False,
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, for example 17/03/2027."})


class ReportRequestForm(FieldMessagesMixin, forms.Form):
    kind = forms.ChoiceField(label="Which report", choices=ReportKind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"invalid_choice": "Select which report you want"})
    quarter = forms.ChoiceField(
        label="Quarter", required=False, help_text="Quarters of the financial year",
        error_messages={"invalid_choice": "Select a quarter that has ended"})
    year = forms.ChoiceField(
        label="Financial year", required=False,
        error_messages={"invalid_choice": "Select a financial year that has ended"})
    start = date_field("From")
    end = date_field("To")

    required_messages = {"kind": "Select which report you want"}

    def __init__(self, *args, today, fy_start_month, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        quarters = complete_quarters(today, fy_start_month)
        years = complete_years(today, fy_start_month)
        self.fields["quarter"].choices = [("", "Select a quarter")] + [
            (p.start.isoformat(), p.label) for p in quarters]
        self.fields["year"].choices = [("", "Select a financial year")] + [
            (p.start.isoformat(), p.label) for p in years]
        self._quarters = {p.start: p.end for p in quarters}
        self._years = {p.start: p.end for p in years}

    # The fields each kind of report reads: what is left in the others (a quarter chosen
    # before switching to chosen dates) is ignored, not a reason to refuse the request.
    FIELDS_OF_KIND = {ReportKind.QUARTERLY: {"quarter"}, ReportKind.ANNUAL: {"year"},
                      ReportKind.CUSTOM: {"start", "end"}}

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in self.FIELDS_OF_KIND:
            for name in {"quarter", "year", "start", "end"} - self.FIELDS_OF_KIND[kind]:
                self.errors.pop(name, None)
                data.pop(name, None)
        start = end = None
        if kind == ReportKind.QUARTERLY:
            if not data.get("quarter"):
                if "quarter" not in self.errors:
                    self.add_error("quarter", "Select a quarter")
                return data
            start = date.fromisoformat(data["quarter"])
            end = self._quarters[start]
        elif kind == ReportKind.ANNUAL:
            if not data.get("year"):
                if "year" not in self.errors:
                    self.add_error("year", "Select a financial year")
                return data
            start = date.fromisoformat(data["year"])
            end = self._years[start]
        elif kind == ReportKind.CUSTOM:
            start, end = data.get("start"), data.get("end")
            if start is None and "start" not in self.errors:
                self.add_error("start", "Enter the first day of the period")
            if end is None and "end" not in self.errors:
                self.add_error("end", "Enter the last day of the period")
            if start is None or end is None:
                return data
        else:
            return data
        problem = period_problem(start=start, end=end, today=self.today)
        if problem:
            self.add_error("end" if kind == ReportKind.CUSTOM else None, problem)
        data["period_start"], data["period_end"] = start, end
        self.period_label = periods.label_for(start, end)
        return data
