"""What an unbounded run of the crawl (tests/e2e/test_crawl.py without its page limits, every
role, at 320, 1024 and 1280 px) found, kept fixed here page by page: the bounded crawl in the
suite may not reach these pages again.

The Django administration ("Users and roles", for officers and site administrators): a
tabular inline's fields have no label and its first column header is empty, and the
two-box role picker's search icons carry an aria-label on a plain span. Each is checked with
axe-core at 320 px and at 1280 px.

Set SCREENSHOT_DIR to keep a full-page screenshot of each page at 320 px."""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from courses.models import Course, Format, Question
from demo.services import demo_load

from .conftest import TIMEOUT_MS
from .test_crawl import axe, overflow, sign_in_as
from .test_narrow_screens import look

pytestmark = pytest.mark.e2e


def violations(page):
    return [f"{v['id']} ({v['impact']}) at "
            + ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:3])
            for v in axe.run(page).response["violations"]]


def admin_pages(email):
    """A change form and an add form of each admin page with inlines or a role picker."""
    course = (Course.objects.filter(format=Format.E_LEARNING, questions__isnull=False,
                                    training_pool__isnull=False).first()
              or Course.objects.filter(format=Format.E_LEARNING,
                                       questions__isnull=False).first())
    classroom = Course.objects.filter(training_pool__isnull=False).exclude(
        format=Format.E_LEARNING).first()
    question = Question.objects.filter(choices__isnull=False).first()
    delegate = User.objects.get(email="delegate@demo.example")
    return [
        f"/admin/courses/course/{course.pk}/change/",
        f"/admin/courses/course/{classroom.pk}/change/",
        "/admin/courses/course/add/",
        f"/admin/courses/question/{question.pk}/change/",
        "/admin/courses/question/add/",
        f"/admin/accounts/user/{delegate.pk}/change/",
        "/admin/accounts/organisation/add/",
    ] + ([f"/admin/auth/group/{Group.objects.order_by('pk').first().pk}/change/",
          "/admin/auth/group/add/"] if email == "admin@demo.example" else [])


@pytest.mark.parametrize("email", ["officer@demo.example", "admin@demo.example"])
def test_admin_forms_with_inlines_and_role_pickers_pass_axe(browser, live_server, email):
    demo_load(now=timezone.now(), history=False)
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  viewport={"width": 320, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = []
    try:
        sign_in_as(page, email)
        for path in admin_pages(email):
            response = page.goto(path)
            assert response.status == 200, f"{path} answered {response.status}"
            look(page, re.sub(r"[^a-z0-9]+", "-", f"{email} {path}".lower()).strip("-"))
            for width in (320, 1280):
                page.set_viewport_size({"width": width, "height": 800})
                problems += [f"{path} at {width} px: axe {v}" for v in violations(page)]
                problems += [f"{path}: {p}" for p in overflow(page, width)]
            page.set_viewport_size({"width": 320, "height": 800})
    finally:
        context.close()
    assert not problems, "\n".join(problems)
