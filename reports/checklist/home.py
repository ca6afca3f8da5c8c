"""The organisation view's tasks on a safeguarding lead's home page (core.home): how many of
their staff have Training Checklist training falling due soon or overdue, or have not
completed the training their staff group needs, each linking to the organisation view
filtered to them. (The courses app's own item counts staff due a refresher of any course:
these words differ so the page never gives two counts under the same words.) A fixed number of
queries (the organisation view's own four)."""

from django.urls import reverse

from accounts.home import holds
from accounts.roles import Role
from core.calendar import london_date
from core.home import SAFEGUARDING_LEAD, HomeItem, home_section

from .policies import DelegateStatus
from .selectors import LEAD_PERMISSION, organisation_training


@home_section(SAFEGUARDING_LEAD)
def lead_training_checklist(user, now):
    if not holds(user, Role.SAFEGUARDING_LEAD) or not user.has_perm(LEAD_PERMISSION):
        return None
    if not user.organisation_id:
        return []
    counts = organisation_training(organisation=user.organisation,
                                   today=london_date(now)).counts
    url = reverse("reports:organisation-training")
    return [
        HomeItem(url=f"{url}?status={DelegateStatus.DUE_SOON}",
                 count=counts[DelegateStatus.DUE_SOON],
                 singular="of your staff has Training Checklist training falling due soon",
                 plural="of your staff have Training Checklist training falling due soon",
                 order=11),
        HomeItem(url=f"{url}?status={DelegateStatus.OVERDUE}",
                 count=counts[DelegateStatus.OVERDUE],
                 singular="of your staff has overdue Training Checklist training",
                 plural="of your staff have overdue Training Checklist training", order=12),
        HomeItem(url=f"{url}?status={DelegateStatus.NOT_COMPLETED}",
                 count=counts[DelegateStatus.NOT_COMPLETED],
                 singular="of your staff has not completed required training",
                 plural="of your staff have not completed required training", order=13),
        HomeItem(url=f"{url}?status={DelegateStatus.NO_STAFF_GROUP}",
                 count=counts[DelegateStatus.NO_STAFF_GROUP],
                 singular="of your staff has no staff group: set it to check their training",
                 plural="of your staff have no staff group: set it to check their training",
                 order=14),
    ]
