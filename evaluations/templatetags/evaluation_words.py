"""Evaluation words in a sentence: `{% load evaluation_words %}`.

`{{ kind_label|in_sentence }}` lowers the first letter of a label ("Pre-course questionnaire"
-> "pre-course questionnaire") but keeps the seeds' nouns as they are written: "Stage 1
evaluation", "Stage 2 evaluation" (|lower made them "stage 2 evaluation")."""

from django import template

register = template.Library()


@register.filter
def in_sentence(label):
    label = str(label or "")
    if not label or label.startswith("Stage "):
        return label
    return label[0].lower() + label[1:]
