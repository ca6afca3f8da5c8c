"""Forms of training needs analysis rounds. The answering form is evaluations' AnswerForm
(one questionnaire version, no course)."""

from django import forms
from django.utils import timezone

from core.calendar import london_date
from core.forms import date_window_problem, one_line_validator
from core.forms_mixins import FieldMessagesMixin

from . import policies

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundForm(FieldMessagesMixin, forms.Form):
    title = forms.CharField(
        label="Title", max_length=200, validators=[one_line_validator],
        help_text="For example, Training needs analysis 2027 to 2028.",
        error_messages={"required": "Enter a title for the round.",
                        "max_length": "Keep the title to 200 characters or fewer."})
    opens_on = forms.DateField(
        label="Opens on", widget=DATE_WIDGET,
        help_text="Safeguarding leads are emailed on this day (today: at once).",
        error_messages={"required": "Enter the date the round opens.",
                        "invalid": "Enter a real date, for example 17/03/2027."})
    closes_on = forms.DateField(
        label="Closes on", widget=DATE_WIDGET,
        help_text="The last day answers are taken. Leads who have not answered are reminded "
                  "in the days before.",
        error_messages={"required": "Enter the date the round closes.",
                        "invalid": "Enter a real date, for example 30/04/2027."})

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or london_date(timezone.now())
        if not self.is_bound:
            self.fields["opens_on"].initial = self.today

    def clean(self):
        data = super().clean()
        for name in ("opens_on", "closes_on"):
            day = data.get(name)
            if day and (problem := date_window_problem(day, today=self.today)):
                self.add_error(name, problem)
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and not self.errors:
            problem = policies.round_dates_problem(opens_on=opens_on, closes_on=closes_on,
                                                   today=self.today)
            if problem:
                self.add_error(*problem)
        return data
