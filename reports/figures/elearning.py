"""E-learning: modules completed in the period, and how delegates did in their knowledge
checks.

Where a row belongs (London dates, both ends of the period included):
- a completion on its completed_on date (courses.Completion with source e-learning: a
  knowledge check passed that added the module to the delegate's training record; a second
  pass before the training falls due again adds none);
- a knowledge check attempt on the day it was made (KnowledgeCheckAttempt.at). Every attempt
  is kept, so the pass rate is passed attempts over attempts; beside it, how many delegates
  tried and how many of them passed at least once.

Three queries whatever the data: the e-learning modules, the completions per course, the
attempts per course."""


from django.db.models import Count, Q

from courses.models import Completion, Course, Format, KnowledgeCheckAttempt
from reports.tables import COUNT, RATE, column, rate, row, table


def tables(period, *, audience=None, partnership):
    since, until = period.bounds()
    modules = Course.objects.filter(format=Format.E_LEARNING)
    completions = Completion.objects.filter(source=Completion.Source.E_LEARNING,
                                            completed_on__gte=period.start,
                                            completed_on__lte=period.end)
    attempts = KnowledgeCheckAttempt.objects.filter(at__gte=since, at__lt=until)
    if audience:
        modules = modules.filter(audience=audience)
        completions = completions.filter(course__audience=audience)
        attempts = attempts.filter(course__audience=audience)

    titles = dict(modules.values_list("pk", "title"))
    done = {}
    for r in completions.order_by().values("course_id", "course__title").annotate(
            n=Count("pk"), people=Count("user", distinct=True)):
        titles[r["course_id"]] = r["course__title"]
        done[r["course_id"]] = r
    tried = {}
    for r in attempts.order_by().values("course_id", "course__title").annotate(
            n=Count("pk"), n_passed=Count("pk", filter=Q(passed=True)),
            people=Count("user", distinct=True),
            passers=Count("user", distinct=True, filter=Q(passed=True))):
        titles[r["course_id"]] = r["course__title"]
        tried[r["course_id"]] = r

    empty = {"n": 0, "people": 0, "n_passed": 0, "passers": 0}
    order = sorted(titles, key=lambda pk: (titles[pk].casefold(), pk))
    completion_rows = [row(titles[pk], completions=done.get(pk, empty)["n"]) for pk in order]
    check_rows = []
    for pk in order:
        t = tried.get(pk, empty)
        check_rows.append(row(titles[pk], attempts=t["n"], passed=t["n_passed"],
                              pass_rate=rate(t["n_passed"], t["n"]), delegates=t["people"],
                              delegates_passed=t["passers"]))
    total_completions = sum(r["n"] for r in done.values())
    total_attempts = sum(r["n"] for r in tried.values())
    total_passed = sum(r["n_passed"] for r in tried.values())
    return [
        table(
            "elearning-completions", "E-learning completions", row_header="Module",
            description="E-learning modules added to delegates' training records in the "
                        "period.",
            columns=[column("completions", "Completions", COUNT, compare=True)],
            rows=completion_rows, total=row("All modules", completions=total_completions),
            chart={"column": "completions"},
            notes=["A completion is a knowledge check passed, on the day it was passed. A "
                   "second pass before the training falls due again is not a new completion."],
        ),
        table(
            "elearning-knowledge-checks", "E-learning knowledge checks", row_header="Module",
            columns=[
                column("attempts", "Attempts", COUNT, compare=True),
                column("passed", "Passed", COUNT, compare=True),
                column("pass_rate", "Pass rate", RATE, of=["passed", "attempts"],
                       compare=True),
                column("delegates", "Delegates who tried", COUNT),
                column("delegates_passed", "Delegates who passed", COUNT),
            ],
            rows=check_rows,
            total=row("All modules", attempts=total_attempts, passed=total_passed,
                      pass_rate=rate(total_passed, total_attempts), delegates=None,
                      delegates_passed=None),
            chart={"column": "pass_rate"},
            notes=["Every attempt counts: the pass rate is passed attempts over all attempts "
                   "made in the period. A delegate may try more than once, so delegates are "
                   "counted per module only (no total: one person can try several modules)."],
        ),
    ]
