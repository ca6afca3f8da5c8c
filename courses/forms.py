"""Forms of the courses app. They parse what a person typed; the rules live in policies.py
and services.py, whose refusals the views put back on these forms.

Other features of the courses app add their forms below their own heading."""

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from core.calendar import LONDON, bank_holiday_name
from core.dates import long_date
from core.forms import (
    CALENDAR_MAXIMA,
    BoundedModelMultipleChoiceField,
    calendar_maximum,
    date_window_problem,
    one_line,
)
from core.forms_mixins import FieldMessagesMixin
from core.words import plural

from . import selectors
from .event_changes import (
    TOLD_FIELDS,
    Audience,
    event_change_audience,
    event_changes,
    words_and,
)
from .models import Course, EventStatus, Format, Venue

DATE_INPUT = {"type": "date"}
TIME_INPUT = {"type": "time"}


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label, required=required, help_text=help_text,
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, for example 17/03/2027."},
    )


def time_field(label, *, required=True, help_text=""):
    return forms.TimeField(
        label=label, required=required, help_text=help_text,
        widget=forms.TimeInput(attrs=TIME_INPUT, format="%H:%M"),
        error_messages={"invalid": "Enter a time on the 24-hour clock, for example 09:30."},
    )


def london(day, time):
    """A date and a time of day typed by an officer, in Europe/London."""
    return datetime.combine(day, time, tzinfo=LONDON)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} ({obj.email})" if name else obj.email


class PeopleChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} ({obj.email})" if name else obj.email


# Programme management ------------------------------------------------------------------------

class EventCourseChoiceForm(FieldMessagesMixin, forms.Form):
    """Step one of adding an event: which course? (Its Training Pool decides who can
    facilitate, and its format the places and whether a venue or a link is needed.)"""

    course = forms.ModelChoiceField(
        label="Course", queryset=Course.objects.none(), empty_label="Choose a course",
        error_messages={"required": "Choose the course this event delivers.",
                        "invalid_choice": "Choose a course from the list."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = selectors.courses_that_can_have_events()


class EventForm(FieldMessagesMixin, forms.Form):
    """One dated delivery of a course. Dates and times are typed separately (an accessible
    date field and a time field) and read as Europe/London."""

    date = date_field("Date")
    start_time = time_field("Starts at")
    end_time = time_field("Ends at")
    end_date = date_field(
        "End date, if the event runs over more than one day", required=False,
        help_text="Leave empty for an event on one day.")
    venue = forms.ModelChoiceField(
        label="Venue", queryset=Venue.objects.none(), required=False, empty_label="No venue",
        error_messages={"invalid_choice": "Choose a venue from the list."})
    joining_link = forms.URLField(
        label="Online joining link", required=False, assume_scheme="https",
        help_text="For example a Microsoft Teams link. Only booked delegates receive it.",
        error_messages={"invalid": "Enter the full link, starting with https://"})
    capacity = forms.IntegerField(
        label="Places", required=False, min_value=1,
        error_messages={"invalid": "Enter the number of places as a whole number, like 30.",
                        "min_value": "An event needs at least 1 place."})
    facilitators = PeopleChoiceField(
        label="Facilitators", queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose facilitators from the Training Pool list.",
                        "invalid_pk_value": "Choose facilitators from the Training Pool list."})
    officer = PersonChoiceField(
        label="L&D officer", queryset=None, required=False, empty_label="No officer yet",
        error_messages={"invalid_choice": "Choose an officer from the list."})
    prep_meeting_date = date_field("Prep meeting date", required=False)
    prep_meeting_time = time_field("Prep meeting time", required=False)
    notes_for_delegates = forms.CharField(
        label="Notes for delegates", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown on the event page and in the booking confirmation: what to bring, "
        "where to go on arrival.")
    # Shown only with their warning (issue 12: bank holidays; issue 11: who a change emails).
    confirm_bank_holiday = forms.BooleanField(
        label="Yes, the event is on a bank holiday", required=False)
    confirm_change = forms.BooleanField(label="Yes, save the change and email them",
                                        required=False)

    def __init__(self, *args, course, event=None, today=None, **kwargs):
        if event is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(event)
        super().__init__(*args, **kwargs)
        self.course = course
        self.event = event
        self.bank_holidays = []  # [(date, name)] of a new date that is a bank holiday
        self.pending_changes = []  # [{label, old, new}] of a change that emails people
        self.audience = self.change_audience(event) if event is not None else []
        self.today = today or timezone.localdate()
        self.saved_dates = self.dates_of(event) if event is not None else {}
        self.fields["venue"].queryset = selectors.venues_for_choice(
            keep=getattr(event, "venue", None))
        # Anyone can be posted (so the service can name who is not in the pool and why);
        # only the course's Training Pool is offered.
        self.fields["facilitators"].queryset = selectors.people_for_choice()
        pool = list(selectors.training_pool_members(course=course))
        self.fields["facilitators"].widget.choices = [
            (p.pk, self.fields["facilitators"].label_from_instance(p)) for p in pool]
        self.pool_is_empty = not pool
        self.fields["officer"].queryset = selectors.officers_for_choice()
        default = selectors.event_default_capacity(course=course)
        if course.format == Format.VIRTUAL:
            self.fields["venue"].help_text = "A virtual event takes place online: leave it empty."
            self.fields["joining_link"].help_text = (
                "Required for a virtual event. Only booked delegates receive it.")
        elif course.format == Format.CLASSROOM:
            self.fields["venue"].help_text = "Required for a classroom event."
        if default:
            self.fields["capacity"].help_text = (
                f"Leave empty for {default}, the most a {course.get_format_display().lower()} "
                "can have.")
        else:
            self.fields["capacity"].help_text = "Leave empty for the capacity of the venue's room."

    @staticmethod
    def initial_from(event):
        start, end = event.start.astimezone(LONDON), event.end.astimezone(LONDON)
        initial = {
            "date": start.date(), "start_time": start.time(), "end_time": end.time(),
            "end_date": end.date() if end.date() != start.date() else None,
            "venue": event.venue_id, "joining_link": event.joining_link,
            "capacity": event.capacity, "facilitators": [p.pk for p in event.facilitators.all()],
            "officer": event.officer_id, "notes_for_delegates": event.notes_for_delegates,
        }
        if event.prep_meeting_at:
            prep = event.prep_meeting_at.astimezone(LONDON)
            initial.update(prep_meeting_date=prep.date(), prep_meeting_time=prep.time())
        return initial

    @staticmethod
    def dates_of(event):
        dates = {"date": event.start.astimezone(LONDON).date(),
                 "end_date": event.end.astimezone(LONDON).date()}
        if event.prep_meeting_at:
            dates["prep_meeting_date"] = event.prep_meeting_at.astimezone(LONDON).date()
        return dates

    def _typed_day(self, name, *, not_past=False):
        """A date inside the window of any programme; with `not_past`, today or later. A
        date the event already has is kept as it is: a past event can still be corrected for
        the record."""
        day = self.cleaned_data.get(name)
        if day is None or day == self.saved_dates.get(name):
            return day
        if not_past and day < self.today:
            raise forms.ValidationError("The date is in the past: enter today or a later date.")
        if problem := date_window_problem(day, today=self.today):
            raise forms.ValidationError(problem)
        return day

    def clean_date(self):
        return self._typed_day("date", not_past=True)

    def clean_end_date(self):
        return self._typed_day("end_date")

    def clean_prep_meeting_date(self):
        return self._typed_day("prep_meeting_date")

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            data["start"] = london(day, start)
            data["end"] = london(data.get("end_date") or day, end)
        if data.get("start") and data.get("end"):
            self._check_bank_holidays(data)
            self._check_change(data)
        prep_day, prep_time = data.get("prep_meeting_date"), data.get("prep_meeting_time")
        data["prep_meeting_at"] = None
        if prep_day and prep_time:
            data["prep_meeting_at"] = london(prep_day, prep_time)
        elif prep_day and "prep_meeting_time" not in self.errors:
            self.add_error("prep_meeting_time", "Enter the time of the prep meeting too.")
        elif prep_time and "prep_meeting_date" not in self.errors:
            self.add_error("prep_meeting_date", "Enter the date of the prep meeting too.")
        return data

    @staticmethod
    def change_audience(event):
        """Who a change of date, time, venue or joining link emails (the bookings app counts
        its people through courses.event_changes; courses never imports bookings)."""
        rows = event_change_audience(event=event)
        facilitators = event.facilitators.count()
        if facilitators:
            rows.append(Audience("facilitators", plural(facilitators, "facilitator"),
                                 facilitators))
        return rows

    @property
    def audience_words(self):
        return words_and(a.words for a in self.audience)

    def _check_bank_holidays(self, data):
        """Issue 12: an event on a bank holiday is possible but rarely meant: warn, and ask
        the officer to confirm. A date the event already has is not asked about again."""
        first, last = data["start"].astimezone(LONDON).date(), data["end"].astimezone(LONDON).date()
        if (first == self.saved_dates.get("date")
                and last == self.saved_dates.get("end_date", first)):
            return
        day, found = first, []
        while day <= last and len(found) < 5:
            if name := bank_holiday_name(day):
                found.append((day, name))
            day += timedelta(days=1)
        self.bank_holidays = found
        if found and not data.get("confirm_bank_holiday"):
            words = words_and(f"{long_date(d)} is a bank holiday ({name})" for d, name in found)
            self.add_error("confirm_bank_holiday",
                           f"{words}. Tick the box if the event is on that day, or choose "
                           "another date.")

    def _check_change(self, data):
        """Issue 11: before a change of date, time, venue or joining link is saved, say whom
        it emails and ask the officer to confirm."""
        event = self.event
        # Delegates to tell make it worth a second look; facilitators alone are simply told.
        if event is None or not any(a.key != "facilitators" for a in self.audience):
            return
        changes = event_changes(
            before={name: getattr(event, name) for name in TOLD_FIELDS},
            after={"start": data["start"], "end": data["end"], "venue": data.get("venue"),
                   "joining_link": data.get("joining_link", "")})
        if not changes:
            return
        rows = []
        if "start" in changes or "end" in changes:
            rows.append({"label": "When", "old": long_date(event.start, event.end),
                         "new": long_date(data["start"], data["end"])})
        if "venue" in changes:
            old, new = changes["venue"]
            rows.append({"label": "Venue", "old": old.name if old else "No venue",
                         "new": new.name if new else "No venue"})
        if "joining_link" in changes:
            old, new = changes["joining_link"]
            rows.append({"label": "Joining link", "old": old or "None", "new": new or "None"})
        self.pending_changes = rows
        if not data.get("confirm_change"):
            self.add_error("confirm_change",
                           f"Saving this change emails {self.audience_words}. Check the change "
                           "and tick the box to save it, or change it back.")

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "start": data["start"], "end": data["end"], "venue": data.get("venue"),
            "joining_link": data.get("joining_link", ""), "capacity": data.get("capacity"),
            "facilitators": list(data.get("facilitators") or []), "officer": data.get("officer"),
            "prep_meeting_at": data.get("prep_meeting_at"),
            "notes_for_delegates": data.get("notes_for_delegates", ""),
        }


class EventDuplicateForm(FieldMessagesMixin, forms.Form):
    date = date_field(
        "Date of the new event",
        help_text="The new event keeps the same times, venue, places and facilitators.")

    confirm_bank_holiday = forms.BooleanField(
        label="Yes, the new event is on a bank holiday", required=False)

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.bank_holidays = []

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day < self.today:
            raise forms.ValidationError("Choose today or a date in the future.")
        if problem := date_window_problem(day, today=self.today):
            raise forms.ValidationError(problem)
        return day

    def clean(self):
        data = super().clean()
        day = data.get("date")
        if day and (name := bank_holiday_name(day)):
            self.bank_holidays = [(day, name)]
            if not data.get("confirm_bank_holiday"):
                self.add_error("confirm_bank_holiday",
                               f"{long_date(day)} is a bank holiday ({name}). Tick the box if "
                               "the new event is on that day, or choose another date.")
        return data


class EventCancelForm(FieldMessagesMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the event cancelled?", widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Booked delegates and the facilitators are emailed this reason.",
        error_messages={"required": "Give the reason: delegates and facilitators are told it."})


class ProgrammeFilterForm(FieldMessagesMixin, forms.Form):
    """Filters of the programme list. Every field is optional; a bad value is reported and
    the list is shown without that filter."""

    start_from = date_field("From", required=False)
    course = forms.ModelChoiceField(
        label="Course", queryset=Course.objects.none(), required=False, empty_label="All courses",
        error_messages={"invalid_choice": "Choose a course from the list."})
    format = forms.ChoiceField(
        label="Format", required=False,
        choices=[("", "All formats")] + [c for c in Format.choices if c[0] != Format.E_LEARNING],
        error_messages={"invalid_choice": "Choose a format from the list."})
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All statuses")] + list(EventStatus.choices),
        error_messages={"invalid_choice": "Choose a status from the list."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = selectors.courses_that_can_have_events(active_only=False)

    def filters(self):
        """The valid filters (an invalid one is dropped; its error is on the form)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in self.fields if data.get(name)}


class CourseForm(FieldMessagesMixin, forms.ModelForm):
    learning_outcomes = forms.CharField(
        label="Learning outcomes", required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One outcome a line. Delegates rate their confidence in each before and "
        "after the course.")
    prerequisites = BoundedModelMultipleChoiceField(
        label="Prerequisites", queryset=Course.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose prerequisites from the list.",
                        "invalid_pk_value": "Choose prerequisites from the list."},
        help_text="Courses a delegate must complete before booking this one, for example an "
        "e-learning module before a level 3 course.")

    class Meta:
        model = Course
        fields = ["title", "summary", "description", "learning_outcomes", "level", "audience",
                  "category", "format", "length", "status", "expected", "prerequisites",
                  "refresher_years", "last_reviewed", "active"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "last_reviewed": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
        }
        labels = {"expected": "Expected", "active": "Show this course in the catalogue"}

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        one_line(self.fields["title"])  # course titles are in email subjects
        if self.instance.pk:
            self.initial["learning_outcomes"] = "\n".join(self.instance.learning_outcomes or [])
        self.fields["prerequisites"].queryset = selectors.courses_for_prerequisites(
            exclude=self.instance)
        self.fields["last_reviewed"].error_messages["invalid"] = (
            "Enter a real date, for example 17/03/2027.")
        self.fields["expected"].help_text = (
            'Only for a course coming soon: a date or month as you would say it, for example '
            '"August 2027" or "TBC".')
        self.fields["refresher_years"].help_text = (
            "Years before this training falls due again. Leave empty for the partnership's "
            "setting.")
        self.fields["category"].empty_label = "No category"
        calendar_maximum(self.fields["refresher_years"], CALENDAR_MAXIMA["refresher_years"])

    def clean_last_reviewed(self):
        day = self.cleaned_data.get("last_reviewed")
        if day is None or day == self.instance.last_reviewed:
            return day
        if day > self.today:
            raise forms.ValidationError("Enter the date of the last review: today or earlier.")
        if problem := date_window_problem(day, today=self.today):
            raise forms.ValidationError(problem)
        return day

    def clean_learning_outcomes(self):
        text = self.cleaned_data.get("learning_outcomes") or ""
        return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]

    def service_kwargs(self):
        data = {name: self.cleaned_data[name] for name in self.Meta.fields
                if name != "prerequisites"}
        data["expected"] = data["expected"].strip()
        return {**data, "prerequisites": list(self.cleaned_data["prerequisites"])}


class VenueForm(FieldMessagesMixin, forms.ModelForm):
    class Meta:
        model = Venue
        fields = ["name", "address", "postcode", "capacity", "access_information", "active"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3}),
                   "access_information": forms.Textarea(attrs={"rows": 3})}
        labels = {"active": "Offer this venue for new events"}


class TrainingPoolAddForm(FieldMessagesMixin, forms.Form):
    facilitator = PersonChoiceField(
        label="Facilitator to add", queryset=None, empty_label="Choose a facilitator",
        help_text="Only people with the facilitator role are listed.",
        error_messages={"required": "Choose the facilitator to add.",
                        "invalid_choice": "Choose a facilitator from the list."})

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = selectors.facilitators_not_in_pool(course=course)


class TrainingPoolRemoveForm(FieldMessagesMixin, forms.Form):
    facilitator = PersonChoiceField(queryset=None)

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = selectors.training_pool_members(course=course)


# E-learning knowledge check and content review ------------------------------------------------

class KnowledgeCheckForm(FieldMessagesMixin, forms.Form):
    """One radio group per question of a module's knowledge check (legend = the question)."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for number, question in enumerate(self.questions, start=1):
            field = forms.TypedChoiceField(
                label=question.text, coerce=int, widget=forms.RadioSelect,
                choices=[(c.pk, c.text) for c in question.choices.all()],
                error_messages={
                    "required": f"Choose an answer to question {number}",
                    "invalid_choice": f"Choose one of the answers to question {number}",
                },
            )
            field.number = number
            self.fields[f"question_{question.pk}"] = field

    def numbered_fields(self):
        for number, question in enumerate(self.questions, start=1):
            yield number, self[f"question_{question.pk}"]

    def answers(self):
        """question id -> chosen choice id, for courses.services.knowledge_check_submit."""
        return {q.pk: self.cleaned_data[f"question_{q.pk}"] for q in self.questions}


class CourseReviewForm(FieldMessagesMixin, forms.Form):
    """The "mark reviewed today" button of one course on the content review page."""

    course = forms.ModelChoiceField(
        queryset=None, widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That course is no longer active: nothing was marked."},
    )

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
