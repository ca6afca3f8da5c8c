from .models import Course, TrainingPoolMembership


def courses_in_catalogue():
    return (
        Course.objects.filter(active=True)
        .select_related("category")
        .order_by("status", "title")
    )


def training_pool_of(*, facilitator):
    return (
        TrainingPoolMembership.objects.filter(facilitator=facilitator)
        .select_related("course", "course__category")
        .order_by("course__title")
    )
