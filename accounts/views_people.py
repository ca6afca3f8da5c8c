"""People: L&D officers find a person and see everything about them on one page (profile,
organisation, roles, bookings, waiting lists, training record), give roles there, and act for
them (the bookings app's actions). Officers see every account (accounts.view_user)."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.views.generic import FormView, ListView, TemplateView

from core.exceptions import DomainError
from core.permissions import PermissionMixin

from . import selectors, services
from .forms_people import PeopleSearchForm, PersonRolesForm
from .people import person_sections, section_page
from .roles import Role, group_name, user_roles

PEOPLE_PAGE_SIZE = 25
SECTION_PAGE_SIZE = 10
# The bookings app's actions for an officer acting for the person (book, waiting list, cancel,
# late cancellation by phone, move, substitute). The page stands without them.
ACTIONS_TEMPLATE = "bookings/acting/person_actions.html"


class PersonListView(PermissionMixin, ListView):
    permission_required = "accounts.view_user"
    template_name = "accounts/people/person_list.html"
    paginate_by = PEOPLE_PAGE_SIZE

    def get_queryset(self):
        self.form = PeopleSearchForm(self.request.GET or None)
        self.search = self.form.cleaned_data["q"] if self.form.is_valid() else ""
        return selectors.people_search(search=self.search)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(form=self.form, search=self.search, **kwargs)
        delegate = group_name(Role.DELEGATE)
        for person in ctx["object_list"]:
            person.role_names = sorted(g.name for g in person.groups.all() if g.name != delegate)
        return ctx


class _PersonMixin(PermissionMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.has_permission():
            self.person = selectors.person_for_officer(pk=kwargs["pk"])
            if self.person is None:
                raise Http404("No person here")
        return super().dispatch(request, *args, **kwargs)


@dataclass(frozen=True)
class RenderedSection:
    key: str
    title: str
    html: str


def _actions_template():
    try:
        get_template(ACTIONS_TEMPLATE)
    except TemplateDoesNotExist:
        return ""
    return ACTIONS_TEMPLATE


class PersonDetailView(_PersonMixin, TemplateView):
    permission_required = "accounts.view_user"
    template_name = "accounts/people/person_detail.html"

    def paginate(self, key, rows):
        return section_page(self.request, key, rows, SECTION_PAGE_SIZE)

    def get_context_data(self, **kwargs):
        person, now = self.person, timezone.now()
        roles = sorted((r for r in user_roles(person) if r != Role.DELEGATE),
                       key=lambda r: r.label)
        sections = [
            # Each app's section rendered by its own template (autoescaped there), without the
            # context processors: they would run (and query) once per section.
            RenderedSection(key=s.key, title=s.title, html=render_to_string(
                s.template, {**s.context, "person": person, "now": now}))
            for s in person_sections(person=person, viewer=self.request.user, now=now,
                                     paginate=self.paginate)]
        missing = [m.removeprefix("your ") for m in person.profile_missing]
        if len(missing) > 1:
            missing = [", ".join(missing[:-1]) + " and " + missing[-1]]
        return super().get_context_data(
            person=person, roles=roles, now=now, sections=sections,
            profile_missing=missing[0] if missing else "",
            actions_template=_actions_template(),
            may_change_roles=(self.request.user.has_perm("accounts.change_user")
                              and (self.request.user.is_superuser or not person.is_superuser)),
            **kwargs)


class PersonRolesView(_PersonMixin, FormView):
    permission_required = ("accounts.view_user", "accounts.change_user")
    form_class = PersonRolesForm
    template_name = "accounts/people/person_roles.html"

    def get(self, request, *args, **kwargs):
        self._refuse_superuser()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._refuse_superuser()
        return super().post(request, *args, **kwargs)

    def _refuse_superuser(self):
        # As in the admin: an officer never touches a site administrator's account.
        if self.person.is_superuser and not self.request.user.is_superuser:
            raise PermissionDenied("Only a site administrator changes a site administrator's "
                                   "roles.")

    def get_initial(self):
        return {"roles": [r.value for r in user_roles(self.person) if r != Role.DELEGATE]}

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)

    def form_valid(self, form):
        try:
            services.person_roles_set(person=self.person, roles=form.cleaned_data["roles"],
                                      by=self.request.user)
        except DomainError as exc:
            form.add_error("roles" if exc.field == "roles" else None, exc.message)
            return self.form_invalid(form)
        held = sorted(r.label for r in user_roles(self.person) if r != Role.DELEGATE)
        if held:
            messages.success(self.request, f"{self.person}'s roles are saved: "
                                           f"{', '.join(held)}.")
        else:
            messages.success(self.request, f"{self.person}'s roles are saved: delegate only.")
        return redirect("accounts:person-detail", pk=self.person.pk)
