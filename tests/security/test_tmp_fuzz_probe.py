# TEMPORARY (helper 7): does the fuzz catch a 500 and a refused form that saved? Deleted after.
import pytest
from django.utils import timezone

from courses import forms as course_forms
from demo.services import demo_load

from . import test_form_fuzz as fz

pytestmark = pytest.mark.django_db


def test_probe(client, monkeypatch):
    demo_load(now=timezone.now())
    from accounts.models import User
    from courses.models import Venue
    officer = User.objects.get(email="officer@demo.example")
    client.force_login(officer)
    claimed, problems = {}, []
    fz.forms_of_role(client, claimed, "officer", problems, ["/courses/manage/venues/new/"])
    form = next(f for (name, m, _), (r, p, f) in claimed.items()
                if name == "courses:manage-venue-create")
    original = course_forms.VenueForm.clean

    def buggy(self):
        data = original(self)
        pass
        if "\x00" in str(self.data.get("access_information")):
            raise ValueError("NUL")
        self.add_error("name", "always refused")
        return data

    monkeypatch.setattr(course_forms.VenueForm, "clean", buggy)
    counts = {"examples": 0}
    with pytest.raises(BaseException) as info:
        fz.fuzz(client, form, "officer", counts)
    print("CAUGHT", type(info.value), str(info.value)[:600], getattr(info.value, "__notes__", ""))
