"""A safeguarding lead's open training needs analysis rounds on the home page (core.home)."""

from django.urls import reverse

from accounts.home import holds
from accounts.roles import Role
from core.calendar import london_date
from core.home import SAFEGUARDING_LEAD, HomeItem, home_section

from .selectors import rounds_to_answer_count


@home_section(SAFEGUARDING_LEAD)
def lead_tna_rounds(user, now):
    if not holds(user, Role.SAFEGUARDING_LEAD) or not user.has_perm("reports.answer_tna"):
        return None
    if not user.organisation_id:
        return []
    count = rounds_to_answer_count(user=user, today=london_date(now))
    return [HomeItem(url=reverse("reports:tna-mine"), count=count,
                     singular="training needs analysis to answer for your organisation",
                     plural="training needs analyses to answer for your organisation",
                     order=30)]
