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


def completed_course_ids(*, user):
    """Ids of the courses in the user's training record."""
    from .models import Completion

    if not user.is_authenticated:
        return set()
    return set(Completion.objects.filter(user=user).values_list("course_id", flat=True))


def prerequisites_check_for(*, user, course):
    """Has the user completed what this course requires first (e.g. the child exploitation
    e-learning before a level 3 course)? Returns policies.PrerequisiteCheck."""
    from .policies import prerequisites_check

    required = list(course.prerequisites.values_list("id", "title"))
    if not required:
        return prerequisites_check(required=[], completed_course_ids=set())
    return prerequisites_check(required=required, completed_course_ids=completed_course_ids(user=user))
