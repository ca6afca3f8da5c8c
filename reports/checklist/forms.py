"""Forms of the Training Checklist (officers) and of the organisation view's filters."""

from django import forms
from django.db.models import Q

from accounts.models import Organisation, StaffGroup
from core.forms_mixins import FieldMessagesMixin
from courses.models import Audience, Course, Level

from . import policies
from .selectors import NO_STAFF_GROUP


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, course):
        return f"{course.title} ({course.get_level_display()})"


class RequirementForm(FieldMessagesMixin, forms.Form):
    staff_group = forms.ChoiceField(
        label="Staff group", choices=[("", "Choose a staff group"), *StaffGroup.choices],
        error_messages={"required": "Select a staff group",
                        "invalid_choice": "Select a staff group from the list"})
    course = CourseChoiceField(
        label="Course", queryset=Course.objects.none(), required=False,
        empty_label="No particular course: any course at the level below",
        help_text="A course this staff group must complete. Or leave it and choose a level.",
        error_messages={"invalid_choice": "Select a course from the list"})
    level = forms.ChoiceField(
        label="Level", required=False,
        choices=[("", "No level: the course above"), *Level.choices],
        help_text="Any course at this level meets the requirement.",
        error_messages={"invalid_choice": "Select a level from the list"})
    audience = forms.ChoiceField(
        label="Audience", required=False,
        choices=[("", "Any audience"), *Audience.choices],
        help_text="With a level only: a joint course counts for children and for adults.",
        error_messages={"invalid_choice": "Select an audience from the list"})
    note = forms.CharField(
        label="Note", required=False, max_length=300,
        help_text="Shown to safeguarding leads, for example who in the group it applies to.",
        error_messages={"max_length": "Enter a note of 300 characters or fewer"})

    def __init__(self, *args, current_course_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Courses on offer, and the one a requirement already names even once withdrawn (it
        # is still required until an officer changes it).
        offered = Q(active=True) | Q(pk=current_course_id) if current_course_id else Q(
            active=True)
        self.fields["course"].queryset = Course.objects.filter(offered).order_by("title")

    def clean(self):
        data = super().clean()
        if any(name in self.errors for name in ("course", "level", "audience")):
            return data
        problem = policies.requirement_problem(course=data.get("course"),
                                               level=data.get("level", ""),
                                               audience=data.get("audience", ""))
        if problem:
            field, message = problem
            self.add_error(field, message)
        return data


class StaffGroupForm(FieldMessagesMixin, forms.Form):
    staff_group = forms.ChoiceField(
        label="Staff group", widget=forms.RadioSelect, choices=StaffGroup.choices,
        error_messages={"required": "Select a staff group",
                        "invalid_choice": "Select a staff group from the list"})


STATUS_CHOICES = [
    ("", "All"),
    (policies.DelegateStatus.DUE_SOON, "Due a refresher"),
    (policies.DelegateStatus.OVERDUE, "Overdue"),
    (policies.DelegateStatus.NOT_COMPLETED, "Not completed required training"),
    (policies.DelegateStatus.UP_TO_DATE, "Fully up to date"),
    (policies.DelegateStatus.NO_STAFF_GROUP, "Staff group not set"),
]


class OrganisationFilterForm(forms.Form):
    """The organisation view's filters (GET). An officer also picks the organisation."""

    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.none(), required=False,
        empty_label="Choose an organisation",
        error_messages={"invalid_choice": "Select an organisation from the list"})
    staff_group = forms.ChoiceField(
        label="Staff group", required=False,
        choices=[("", "All staff groups"), *[(v, label[:7]) for v, label in StaffGroup.choices],
                 (NO_STAFF_GROUP, "Not set")],
        error_messages={"invalid_choice": "Select a staff group from the list"})
    status = forms.ChoiceField(
        label="Status", required=False, choices=STATUS_CHOICES,
        error_messages={"invalid_choice": "Select a status from the list"})

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations
