from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from .models import Category, Choice, Course, Format, Question, TrainingPoolMembership


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "position")
    prepopulated_fields = {"slug": ("name",)}


# Stacked, not tabular: a tabular inline's fields have no label (axe "label", critical) and its
# first column header is empty (axe "empty-table-header").
class TrainingPoolInline(admin.StackedInline):
    model = TrainingPoolMembership
    extra = 0
    autocomplete_fields = ("facilitator",)


# E-learning knowledge checks: questions on the course, choices on each question ---------------

def _question_state(question):
    """Whether a question is in the knowledge check yet, in words an officer acts on."""
    n, correct = question.choices_total, question.choices_correct
    if n >= 2 and correct == 1:
        return f"In the check ({n} choices)"
    if n < 2:
        return f"Not in the check yet: add at least 2 choices ({n} so far)"
    return f"Not in the check yet: tick exactly one correct choice ({correct} ticked)"


def _with_choice_counts(queryset):
    from django.db.models import Count, Q

    return queryset.annotate(
        choices_total=Count("choices"),
        choices_correct=Count("choices", filter=Q(choices__correct=True)),
    )


class QuestionInline(admin.StackedInline):
    """The course's knowledge check questions; each question's choices are written on the
    question's own page ("Change")."""

    model = Question
    extra = 0
    fields = ("text", "position", "state")
    readonly_fields = ("state",)
    show_change_link = True
    verbose_name = "knowledge check question"
    verbose_name_plural = ("knowledge check questions (save the course, then choose “Change” "
                           "on a question to write its choices)")

    def get_queryset(self, request):
        return _with_choice_counts(super().get_queryset(request))

    @admin.display(description="choices")
    def state(self, obj):
        return _question_state(obj) if obj.pk else "Save, then add its choices"


class ChoiceInlineFormSet(BaseInlineFormSet):
    """A question has at least two choices and exactly one correct one."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if len(kept) < 2:
            raise ValidationError("A question needs at least 2 choices: write another one.")
        correct = sum(1 for form in kept if form.cleaned_data.get("correct"))
        if correct != 1:
            raise ValidationError(
                f"Tick exactly one choice as the correct answer ({correct} ticked)."
            )


class ChoiceInline(admin.StackedInline):
    model = Choice
    formset = ChoiceInlineFormSet
    # One line per choice on a wide screen, each field with its label.
    fields = (("text", "correct", "position"),)

    def get_extra(self, request, obj=None, **kwargs):
        return 4 if obj is None else 1


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "course", "position", "state")
    list_filter = (("course", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("course",)
    search_fields = ("text", "course__title")
    inlines = [ChoiceInline]

    def get_queryset(self, request):
        return _with_choice_counts(super().get_queryset(request))

    @admin.display(description="choices")
    def state(self, obj):
        return _question_state(obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "course":
            kwargs["queryset"] = Course.objects.filter(format=Format.E_LEARNING)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "level", "audience", "format", "status", "expected", "active")
    list_filter = ("status", "format", "level", "audience", "category", "active")
    search_fields = ("title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [TrainingPoolInline]

    def get_inlines(self, request, obj):
        # Only an e-learning module has a knowledge check.
        inlines = list(super().get_inlines(request, obj))
        if obj is not None and obj.is_e_learning:
            inlines.append(QuestionInline)
        return inlines
