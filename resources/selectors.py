"""Reads of the resources library: querysets scoped to what the caller may see."""

from courses.models import Category


def resources_visible_to(*, user, category=None, kind=""):
    """The resources library as this person may see it: public resources to everyone, and
    those for signed-in users only to people who are signed in. Grouped by category."""
    from django.db.models import F

    from .models import Resource

    queryset = Resource.objects.select_related("category")
    if not user.is_authenticated:
        queryset = queryset.filter(public=True)
    if category is not None:
        queryset = queryset.filter(category=category)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by(
        F("category__position").asc(nulls_last=True), F("category__name").asc(nulls_last=True),
        "-published_at", "id",
    )


def resource_categories_visible_to(*, user):
    """The categories that have at least one resource this person may see (the filter's
    choices)."""
    ids = resources_visible_to(user=user).exclude(category=None).values("category_id")
    return Category.objects.filter(pk__in=ids).order_by("position", "name")


def resources_for_management():
    from .models import Resource

    return (Resource.objects.select_related("category", "published_by")
            .order_by("-published_at", "-id"))
