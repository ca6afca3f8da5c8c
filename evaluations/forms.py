"""Forms of the questionnaire engine: the answering form built from a questionnaire version
(one per version on the answering page), and the officers' editing forms.

Field names of the answering form: `<kind>-q<question id>`, and for a question on each
learning outcome `<kind>-q<question id>-o<outcome index>`; `<kind>-version` says which version
was shown. evaluations/services/responses.py reads the same names and checks them again."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from core.forms import one_line_validator
from core.forms_mixins import FieldMessagesMixin

from .models import Questionnaire, QuestionnaireKind, QuestionType

TEXT_ANSWER_MAX = 5000


def course_outcomes(course):
    """The learning outcomes a pre/post questionnaire rates: the course's own, or (a course
    without any) the course as a whole, so there is always something to rate."""
    outcomes = [o for o in (course.learning_outcomes or []) if str(o).strip()] if course else []
    return outcomes or [course.title if course else "The subject of the course"]


def field_name(question, outcome_index=None):
    name = f"q{question.pk}"
    return name if outcome_index is None else f"{name}-o{outcome_index}"


def rating_message(question):
    return f"Choose a number from 1 to {question.scale_max}."


CHECK = {"class": "form-check-input"}


class RatingField(forms.TypedChoiceField):

    def __init__(self, *, question, label, required):
        top = question.scale_max or 5
        super().__init__(
            choices=[(str(n), str(n)) for n in range(1, top + 1)], coerce=int, label=label,
            required=required, widget=forms.RadioSelect(attrs=CHECK),
            error_messages={"required": f"Choose a number from 1 to {top}.",
                            "invalid_choice": f"Choose a number from 1 to {top}."})
        self.question = question


class AnswerForm(FieldMessagesMixin, forms.Form):
    """The questions of one questionnaire version, for one delegate to answer. Rating scales
    and single choices are radio groups (a fieldset with a legend), multiple choices check
    boxes, free text a text area. A question on each learning outcome becomes one rating per
    outcome of the course, on the question's scale (the same before and after the course)."""

    version_id = forms.IntegerField(widget=forms.HiddenInput, required=True)

    def __init__(self, *args, version, course, **kwargs):
        kwargs.setdefault("prefix", version.questionnaire.kind)
        super().__init__(*args, **kwargs)
        self.version = version
        self.kind = version.questionnaire.kind
        self.fields["version_id"].initial = version.pk
        self.items = []  # (question, [bound fields]) in order, for the template
        self.outcomes = course_outcomes(course)
        for question in version.questions.all():
            names = []
            if question.type == QuestionType.OUTCOMES:
                for index, outcome in enumerate(self.outcomes):
                    name = field_name(question, index)
                    field = RatingField(question=question, label=outcome,
                                        required=question.required)
                    field.outcome_index, field.outcome_text = index, outcome
                    self.fields[name] = field
                    names.append(name)
            else:
                self.fields[field_name(question)] = self._field(question)
                names.append(field_name(question))
            self.items.append((question, names))

    def _field(self, question):
        label, required = question.text, question.required
        if question.type == QuestionType.RATING:
            field = RatingField(question=question, label=label, required=required)
        elif question.type == QuestionType.SINGLE:
            field = forms.ChoiceField(
                choices=[(str(i), c) for i, c in enumerate(question.choices, start=1)],
                widget=forms.RadioSelect(attrs=CHECK), label=label, required=required,
                error_messages={"required": "Choose an answer.",
                                "invalid_choice": "Choose one of the answers offered."})
        elif question.type == QuestionType.MULTIPLE:
            field = forms.MultipleChoiceField(
                choices=[(str(i), c) for i, c in enumerate(question.choices, start=1)],
                widget=forms.CheckboxSelectMultiple(attrs=CHECK), label=label, required=required,
                error_messages={"required": "Choose at least one answer.",
                                "invalid_choice": "Choose only among the answers offered."})
        else:
            field = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 4}), label=label, required=required,
                max_length=TEXT_ANSWER_MAX, strip=True,
                error_messages={"required": "Enter your answer.",
                                "max_length": f"Keep your answer to {TEXT_ANSWER_MAX} "
                                              "characters or fewer."})
        field.help_text = question.help_text
        field.question = question
        return field

    def questions(self):
        """[(question, [bound field, ...])]: an outcomes question has one per outcome."""
        return [(question, [self[name] for name in names]) for question, names in self.items]

    def clean_version_id(self):
        value = self.cleaned_data["version_id"]
        if value != self.version.pk:
            raise ValidationError("This questionnaire has changed since the page was opened. "
                                  "Check your answers and send them again.")
        return value


# Officers: editing a questionnaire ----------------------------------------------------------

SCALE_CHOICES = [("", "Not a rating scale"), ("5", "1 to 5"), ("10", "1 to 10")]


class VersionForm(FieldMessagesMixin, forms.Form):
    title = forms.CharField(max_length=200, validators=[one_line_validator],
                            error_messages={"required": "Enter the questionnaire's title."})
    introduction = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown above the questions.")


class QuestionForm(FieldMessagesMixin, forms.Form):
    """One question of the editing formset. Its reference (key) is fixed once it exists:
    reports find the question by it in every version."""

    key = forms.SlugField(
        max_length=60, required=False, label="Reference",
        help_text="Used by the reports to find this question in every version. Leave empty "
                  "for a new question to make one from its words; it cannot change later.",
        error_messages={"invalid": "Use lower-case letters, numbers, hyphens and "
                                   "underscores only."})
    text = forms.CharField(max_length=500, required=False, label="Question",
                           validators=[one_line_validator])
    text.shown_required = True  # a row's question is needed (an empty extra row is left out)
    help_text = forms.CharField(max_length=500, required=False, label="Hint",
                                validators=[one_line_validator])
    type = forms.ChoiceField(choices=QuestionType.choices, label="Type of answer")
    required = forms.BooleanField(required=False, label="An answer is required")
    scale_max = forms.TypedChoiceField(choices=SCALE_CHOICES, coerce=int, empty_value=None,
                                       required=False, label="Scale")
    scale_min_label = forms.CharField(max_length=60, required=False, label="Label of 1",
                                      validators=[one_line_validator])
    scale_max_label = forms.CharField(max_length=60, required=False,
                                      label="Label of the top",
                                      validators=[one_line_validator])
    choices = forms.CharField(
        required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3}),
        label="Choices", help_text="For a single or multiple choice question: one a line.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.initial.get("key"):
            self.fields["key"].disabled = True
        self.fields["type"].initial = QuestionType.RATING
        self.fields["required"].initial = True
        self.fields["scale_max"].initial = 5

    def has_changed(self):
        """A new question's row counts once something is written in it (its type, scale and
        "required" have defaults that alone add nothing)."""
        if self.initial:
            return super().has_changed()
        return any(str(self.data.get(self.add_prefix(name)) or "").strip() for name in (
            "key", "text", "help_text", "choices", "scale_min_label", "scale_max_label"))

    def clean_choices(self):
        lines = [line.strip() for line in (self.cleaned_data.get("choices") or "").splitlines()]
        choices = [line for line in lines if line]
        for choice in choices:
            one_line_validator(choice)
            if len(choice) > 200:
                raise ValidationError("Keep each choice to 200 characters or fewer.")
        if len(set(choices)) != len(choices):
            raise ValidationError("Give each choice only once.")
        return choices

    def clean(self):
        data = super().clean()
        if self.cleaned_data.get("DELETE") or not self.has_changed() and not self.initial:
            return data
        kind = data.get("type")
        if not (data.get("text") or "").strip():
            self.add_error("text", "Enter the question.")
        if kind in (QuestionType.RATING, QuestionType.OUTCOMES):
            if data.get("scale_max") not in (5, 10):
                self.add_error("scale_max", "Choose a scale of 1 to 5 or 1 to 10.")
            if not data.get("scale_min_label"):
                self.add_error("scale_min_label", "Label the bottom of the scale.")
            if not data.get("scale_max_label"):
                self.add_error("scale_max_label", "Label the top of the scale.")
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE) and "choices" not in self.errors:
            if len(data.get("choices") or []) < 2:
                self.add_error("choices", "Give at least two choices, one a line.")
        if not data.get("key") and (data.get("text") or "").strip():
            data["key"] = slugify(data["text"])[:60].strip("-") or "question"
        return data

    def as_question(self):
        data = self.cleaned_data
        rating = data["type"] in (QuestionType.RATING, QuestionType.OUTCOMES)
        choice = data["type"] in (QuestionType.SINGLE, QuestionType.MULTIPLE)
        return {
            "key": data["key"].replace("-", "_"), "text": data["text"].strip(),
            "help_text": data.get("help_text", "").strip(), "type": data["type"],
            "required": bool(data.get("required")),
            "scale_max": data.get("scale_max") if rating else None,
            "scale_min_label": data.get("scale_min_label", "") if rating else "",
            "scale_max_label": data.get("scale_max_label", "") if rating else "",
            "choices": data.get("choices", []) if choice else [],
        }


class BaseQuestionFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = "Position"
        form.fields["ORDER"].error_messages["invalid"] = "Enter the position as a number."
        form.fields["ORDER"].min_value = 1
        form.fields["ORDER"].max_value = 999
        from django.core.validators import MaxValueValidator, MinValueValidator
        form.fields["ORDER"].validators += [MinValueValidator(1), MaxValueValidator(999)]
        form.fields["ORDER"].error_messages.update(
            min_value="Enter a position of 1 or more.", max_value="Enter a position up to 999.")
        form.fields["DELETE"].label = "Remove this question"

    def questions(self):
        """The questions to save, in the order chosen (blank new rows and removed ones left
        out). Call after is_valid()."""
        kept = [f for f in self.ordered_forms if not self._should_delete_form(f)
                and (f.initial or f.has_changed())]
        return [f.as_question() for f in kept]

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if self._should_delete_form(form) or not (form.initial or form.has_changed()):
                continue
            key = form.cleaned_data["key"].replace("-", "_")
            if key in seen:
                raise ValidationError("Two questions have the same reference: give each "
                                      "its own.")
            seen.add(key)
        if not seen:
            raise ValidationError("Add at least one question.")


QuestionFormSet = forms.formset_factory(QuestionForm, formset=BaseQuestionFormSet, extra=1,
                                        can_order=True, can_delete=True, max_num=60,
                                        validate_max=True, absolute_max=60)


class OverrideCreateForm(FieldMessagesMixin, forms.Form):
    """A course's own questionnaire of a kind (a copy of the default to edit)."""

    # A training needs analysis is answered for an organisation, not after a course.
    kind = forms.ChoiceField(choices=[c for c in QuestionnaireKind.choices
                                      if c[0] != QuestionnaireKind.TNA], label="Questionnaire",
                             widget=forms.RadioSelect,
                             error_messages={"required": "Choose which questionnaire."})
    course = forms.ModelChoiceField(
        queryset=None, label="Course", empty_label="Choose a course",
        error_messages={"required": "Choose the course.",
                        "invalid_choice": "Choose one of the courses in the list."})

    def __init__(self, *args, **kwargs):
        from courses.models import Course

        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.order_by("title")

    def clean_course(self):
        course = self.cleaned_data["course"]
        kind = self.cleaned_data.get("kind")
        if kind and Questionnaire.objects.filter(kind=kind, course=course).exists():
            raise ValidationError(f"{course.title} already has its own "
                                  f"{QuestionnaireKind(kind).label.lower()}: edit that one.")
        return course


class PreviewCourseForm(FieldMessagesMixin, forms.Form):
    course = forms.ModelChoiceField(queryset=None, required=False,
                                    label="Show the learning outcomes of",
                                    empty_label="An example course",
                                    widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, **kwargs):
        from courses.models import Course

        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.order_by("title")
