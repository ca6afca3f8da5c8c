from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Sector(models.TextChoices):
    """An organisation's sector decides charging (DSPP): the first three train free."""

    STATUTORY = "statutory", "Statutory agency"
    VOLUNTARY = "voluntary", "Voluntary or community organisation"
    CHILDMINDER = "childminder", "Registered childminder"
    PRIVATE = "private", "Private or profit-making organisation"


class StaffGroup(models.TextChoices):
    """Training groups (DSPP "Training levels"; the DDSCP Training Checklist's staff groups)."""

    GROUP_1 = "group_1", "Group 1: some contact with children, young people or adults at risk"
    GROUP_2 = "group_2", "Group 2: work regularly with children, young people or adults at risk"
    GROUP_3 = "group_3", "Group 3: particular or specialised safeguarding responsibility"


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    kind = models.CharField(
        "type of organisation", max_length=100, blank=True,
        help_text="For example: council, police, NHS trust, school, nursery chain.",
    )
    invoice_email = models.EmailField("email for invoices", blank=True)
    billing_address = models.TextField(blank=True)
    purchase_order_reference = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organisation_name_unique_ci"),
        ]
        permissions = [
            ("approve_organisation", "Can approve requests to add an organisation"),
        ]

    def __str__(self):
        return self.name

    @property
    def pays_fees(self):
        return self.sector == Sector.PRIVATE


class OrganisationRequest(models.Model):
    """A delegate's request to add an organisation that is not on the list yet; an officer
    approves it (creating or matching the organisation) or declines it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an officer"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    name = models.CharField("organisation name", max_length=200)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="organisation_requests"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by"],
                condition=models.Q(status="pending"),
                name="one_pending_organisation_request_per_user",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()})"


class OrganisationDomain(models.Model):
    """An email domain of an organisation (DOMAIN.md, Organisation membership): a delegate
    whose verified primary address is at this domain joins the organisation at once. Kept by
    L&D officers; one domain belongs to one organisation. Stored lower-case (policies)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="domains"
    )
    domain = models.CharField(max_length=253, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(condition=models.Q(domain=Lower("domain")),
                                   name="organisation_domain_lower_case"),
        ]

    def __str__(self):
        return self.domain


class MembershipRequest(models.Model):
    """A delegate asks to join an organisation whose domains do not include their verified
    email address: its safeguarding lead or an L&D officer approves or refuses. Until then the
    delegate stays in their current organisation (or none)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="membership_requests"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="membership_requests"
    )
    # Where the delegate was when they asked (shown to whoever decides).
    from_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"),
                name="one_pending_membership_request_per_user",
            )
        ]
        indexes = [models.Index(fields=["organisation", "status"])]
        permissions = [
            ("decide_membership", "Can approve any request to join an organisation"),
            ("decide_own_organisation_membership",
             "Can approve requests to join their own organisation"),
        ]

    def __str__(self):
        return f"{self.user} to join {self.organisation} ({self.get_status_display()})"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person with an account: every account can book training as a delegate; roles
    (groups) add to that."""

    username = None
    email = models.EmailField("email address", unique=True)
    job_title = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    staff_group = models.CharField(
        "staff group / training level", max_length=10, choices=StaffGroup.choices, blank=True
    )
    line_manager_name = models.CharField(max_length=150, blank=True)
    line_manager_email = models.EmailField(blank=True)
    access_needs = models.TextField(
        "access needs to share with facilitators", blank=True,
        help_text="For example a neurodiverse condition or a disability, and what helps you "
        "take part. Only the facilitators and training team of events you book see this.",
    )
    newsletter_opt_in = models.BooleanField(
        "send me the training newsletter about new events", default=False
    )
    # Set when the person's details were removed (their request, or years without activity):
    # the row stays so that their bookings, answers and charges remain true, anonymously.
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        # An email's recipient is found by its address in lower case (core.outbox): without
        # this index every booking's line manager email read the whole table (issue 14).
        indexes = [models.Index(Lower("email"), name="accounts_user_email_lower")]
        permissions = [
            ("view_own_organisation_staff", "Can see the delegates of their own organisation"),
            ("manage_own_organisation_account", "Can see and update their organisation's billing details"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def profile_missing(self):
        """Names of the profile answers still needed before booking."""
        missing = []
        if not (self.first_name and self.last_name):
            missing.append("your name")
        if not self.job_title:
            missing.append("your job title")
        if not self.organisation_id and not self.organisation_requests.filter(
            status=OrganisationRequest.Status.PENDING
        ).exists() and not self.membership_requests.filter(
            status=MembershipRequest.Status.PENDING
        ).exists():
            missing.append("your organisation")
        if not self.staff_group:
            missing.append("your staff group")
        if not (self.line_manager_name and self.line_manager_email):
            missing.append("your line manager")
        return missing

    @property
    def profile_complete(self):
        return not self.profile_missing


class UserSession(models.Model):
    """A signed-in session of a person (accounts.sessions): recorded when they sign in,
    removed when they sign out, so that changing a password or removing an authenticator can
    end their other sessions at once (the database session table cannot be searched by user).
    A row whose session has expired is pruned the next time the person signs in."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Session of user {self.user_id} from {self.created_at:%Y-%m-%d %H:%M}"
