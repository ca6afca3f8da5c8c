from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group

from core.audit import audit_record

from . import policies
from .audit_roles import roles_audit_quiet, roles_of
from .models import MembershipRequest, Organisation, OrganisationDomain, OrganisationRequest, User
from .roles import user_roles
from .services import user_own_addresses, user_roles_set


class EmailUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        # Roles are a handful of tick boxes, each with its label (the two-box picker's search
        # icons carry an aria-label on a plain span: axe "aria-prohibited-attr").
        widgets = {"groups": forms.CheckboxSelectMultiple}

    def clean_line_manager_email(self):
        email = (self.cleaned_data.get("line_manager_email") or "").strip().lower()
        if email and self.instance.pk and email in user_own_addresses(user=self.instance):
            raise forms.ValidationError("This is one of the person's own email addresses: "
                                        "enter their line manager's address.")
        return email


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Officers assign roles here: a role is a group (accounts.roles)."""

    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    filter_horizontal = ()
    ordering = ("last_name", "first_name", "email")
    list_display = ("email", "first_name", "last_name", "organisation", "role_list", "is_active")
    list_filter = ("groups", "is_active", "organisation__sector")
    search_fields = ("email", "first_name", "last_name", "organisation__name")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("first_name", "last_name", "job_title", "organisation",
                                "staff_group", "line_manager_name", "line_manager_email",
                                "access_needs", "newsletter_opt_in")}),
        ("Roles", {"fields": ("groups", "is_active"),
                   "description": "Choose the roles this person holds. Officers work in this "
                                  "administration; every role but delegate must use "
                                  "two-factor authentication."}),
        ("Site administration", {"fields": ("is_staff", "is_superuser", "user_permissions"),
                                 "classes": ("collapse",)}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_queryset(self, request):
        qs = super().get_queryset(request).prefetch_related("groups")
        if not request.user.is_superuser:
            # An officer assigns roles but can never touch a site administrator's account.
            qs = qs.filter(is_superuser=False)
        return qs

    @admin.display(description="Roles")
    def role_list(self, obj):
        return ", ".join(g.name for g in obj.groups.all()) or "–"

    def get_readonly_fields(self, request, obj=None):
        # Only site administrators grant site administration.
        if request.user.is_superuser:
            return ("last_login", "date_joined")
        return ("is_staff", "is_superuser", "user_permissions", "last_login", "date_joined")

    def save_model(self, request, obj, form, change):
        # The roles and flags as they were, for the audit entry save_related writes (the
        # form has already put the new flags on obj; the groups are saved after this).
        obj._roles_before = (
            {"roles": roles_of([obj.pk])[obj.pk],
             **User.objects.filter(pk=obj.pk).values("is_staff", "is_superuser").get()}
            if change and obj.pk else {"roles": [], "is_staff": False, "is_superuser": False})
        was = (User.objects.filter(pk=obj.pk).values_list("organisation__name", flat=True).get()
               if change and obj.pk else None)
        super().save_model(request, obj, form, change)
        now = obj.organisation.name if obj.organisation_id else None
        if change and was != now:
            # An organisation membership changed by hand in the admin: audited like the
            # site's own joining and approving.
            audit_record(actor=request.user, action="membership.change_by_admin", target=obj,
                         details={"user": obj.pk}, changes={"member_of": [was, now]})

    def save_related(self, request, form, formsets, change):
        # One entry, by the signed-in administrator, with the roles and the staff and site
        # administrator flags before and after (user_roles_set records it).
        with roles_audit_quiet():
            super().save_related(request, form, formsets, change)
        user = form.instance
        user.__dict__.pop("_roles_cache", None)
        user_roles_set(user=user, roles=user_roles(user), by=request.user,
                       before=getattr(user, "_roles_before", None))


# A role's permissions as one list box with its label, not Django's two-box picker, whose search
# icons carry an aria-label on a plain span (axe "aria-prohibited-attr"). Importing Django's
# GroupAdmin above registered it, whichever app's admin module loads first.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    filter_horizontal = ()


class OrganisationDomainForm(forms.ModelForm):
    class Meta:
        model = OrganisationDomain
        fields = ("domain",)

    def clean_domain(self):
        domain = policies.domain_normalise(self.cleaned_data.get("domain"))
        if problem := policies.domain_problem(domain):
            raise forms.ValidationError(problem)
        return domain


class OrganisationDomainInline(admin.StackedInline):
    """Delegates whose verified email address is at one of these join without approval.
    Stacked, not tabular: a tabular inline's fields have no label (axe "label", critical)."""

    model = OrganisationDomain
    form = OrganisationDomainForm
    extra = 1
    fields = ("domain",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "sector", "kind", "invoice_email", "active")
    list_filter = ("sector", "active")
    search_fields = ("name", "kind", "domains__domain")
    inlines = [OrganisationDomainInline]


@admin.register(MembershipRequest)
class MembershipRequestAdmin(admin.ModelAdmin):
    """Decided on the site (the queue page), so that every decision is audited and emailed."""

    list_display = ("user", "organisation", "requested_at", "status", "decided_by")
    list_filter = ("status",)
    search_fields = ("user__email", "organisation__name")
    list_select_related = ("user", "organisation", "decided_by")
    readonly_fields = ("user", "organisation", "from_organisation", "requested_at", "status",
                       "decided_by", "decided_at", "decision_note")

    def has_add_permission(self, request):
        return False


@admin.register(OrganisationRequest)
class OrganisationRequestAdmin(admin.ModelAdmin):
    list_display = ("name", "sector", "requested_by", "requested_at", "status")
    list_filter = ("status",)
    readonly_fields = ("requested_by", "requested_at", "decided_by", "decided_at")
