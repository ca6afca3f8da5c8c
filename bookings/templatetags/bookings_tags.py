"""The booking panel of the event page and how a booking's state is shown.

The event page belongs to the courses app, which never imports bookings (dependencies run
one way): its template loads this library instead –
`{% load bookings_tags %}{% event_booking_panel event %}`."""

import html
from urllib.parse import urlencode

from django import template
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from bookings import policies

register = template.Library()


def _prerequisites(*, course, user):
    """Each course `course` requires first, with where to take it (the e-learning module, or
    the course's page) and the day the delegate last completed it (None if not yet)."""
    from courses.models import Completion, Format

    required = list(course.prerequisites.all())  # by title (Course.Meta), prefetched
    if not required:
        return []
    done = {}
    for course_id, day in (Completion.objects.filter(user=user, course__in=required)
                           .order_by("completed_on").values_list("course_id", "completed_on")):
        done[course_id] = day  # the latest wins
    return [{
        "course": each,
        "url": reverse("courses:elearning-module" if each.format == Format.E_LEARNING
                       else "courses:course-detail", kwargs={"slug": each.slug}),
        "completed_on": done.get(each.pk),
    } for each in required]

STATUS_TAGS = {
    "booked": "tag-green",
    "attended": "tag-green",
    "pending_approval": "tag-yellow",
    "offered": "tag-blue",
    "waitlisted": "tag-blue",
    "late_cancelled": "tag-red",
    "not_admitted": "tag-red",
    "no_show": "tag-red",
}


@register.filter
def booking_status_tag(status):
    """The colour class of a booking state's tag (the words always say the state too)."""
    return STATUS_TAGS.get(str(status), "tag-grey")


@register.filter
def notice_words(days):
    """1 working day’s notice, 2 working days’ notice (the apostrophe follows the plural)."""
    if days is None or days == "":
        return ""
    days = int(days)
    return f"{days} working day’s notice" if days == 1 else f"{days} working days’ notice"


@register.filter
def full_stop(text):
    """Free text a person typed, ending a sentence: a full stop unless it ends with one (or
    with ? or !), so "Off sick." never becomes "Off sick.."."""
    text = str(text or "").rstrip()
    if not text or text[-1] in ".?!…":
        return text
    return text + "."


def _esc(value):
    """Django's conditional_escape (the same characters, &#x27; for '), without its lazy-string
    wrapper: called some thousand times a register."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


@register.filter
def input_tag(radio):
    """`{{ radio|input_tag }}`: the same HTML as `{{ radio.tag }}` (Django's
    forms/widgets/input.html and attrs.html, label not wrapped) for one option of a radio or
    checkbox group, written here instead of through the template engine: the register draws
    four per delegate, and the form renderer's templates were most of its time."""
    widget = radio.data
    parts = [f'<input type="{_esc(widget["type"])}" '
             f'name="{_esc(widget["name"])}"']
    if widget["value"] is not None:
        parts.append(f' value="{_esc(str(widget["value"]))}"')
    for name, value in widget["attrs"].items():
        if value is False:
            continue
        parts.append(f" {_esc(name)}" if value is True
                     else f' {_esc(name)}="{_esc(str(value))}"')
    parts.append(">")
    return mark_safe("".join(parts))  # every piece escaped above


def _errors_html(errors, error_id=""):
    id_attr = f' id="{error_id}_error"' if error_id else ""
    return "".join(f'<p class="invalid-feedback d-block"{id_attr}>{_esc(error)}</p>'
                   for error in errors)


@register.simple_tag
def register_row(form, closed_reason):
    """One delegate's line of the register (bookings/register_mark.html): written here rather
    than in the template because the register draws up to 50 lines of some 40 form values
    each, which took the template engine most of the page's time. The markup is the one the
    template had; every value is escaped."""
    from django.core.exceptions import ObjectDoesNotExist

    esc = _esc
    booking = form.booking
    errors = form.errors
    organisation = ((booking.organisation.name if booking.organisation_id else "")
                    or (booking.delegate.organisation.name
                        if booking.delegate.organisation_id else "") or "–")
    if booking.status == "booked":
        now = '<span class="tag tag-grey">Not marked</span>'
    elif booking.status == "attended":
        now = '<span class="tag tag-green">Attended</span>'
    else:
        now = f'<span class="tag tag-red">{esc(booking.get_status_display())}</span>'
    if booking.minutes_late:
        now += f'<br><span class="small">{esc(booking.minutes_late)} min late</span>'
    try:
        replaced = booking.replaced
    except ObjectDoesNotExist:
        replaced = None
    if replaced:
        was = replaced.from_delegate
        now += (f'<br><span class="small">Instead of '
                f'{esc(was.get_full_name() or was.email)}</span>')
    row = [f'      <tr{" class=\"table-danger\"" if errors else ""}>\n'
           f'        <th scope="row">{esc(form.delegate_name)}</th>\n'
           f'        <td data-label="Organisation">{esc(organisation)}</td>\n'
           f'        <td data-label="Now">{now}</td>\n']
    if closed_reason:
        row.append('          <td colspan="3" class="text-secondary">Opens on the day</td>\n')
        row.append("      </tr>\n")
        return mark_safe("".join(row))
    outcome, minutes, contacted = form["outcome"], form["minutes_late"], form["contacted_team"]
    outcome_id, minutes_id, contacted_id = outcome.auto_id, minutes.auto_id, contacted.auto_id
    described = f' aria-describedby="{outcome_id}_error"' if outcome.errors else ""
    row.append(f'        <td data-label="Attendance">\n'
               f'          <fieldset{described}>\n'
               f'            <legend class="visually-hidden">{esc(outcome.label)}</legend>\n')
    for radio in outcome:
        row.append(f'              <div class="form-check mb-1 text-nowrap">\n'
                   f'                {input_tag(radio)}\n'
                   f'                <label class="form-check-label" '
                   f'for="{esc(radio.id_for_label)}">{esc(radio.choice_label)}</label>\n'
                   f'              </div>\n')
    row.append(f'            {_errors_html(outcome.errors, outcome_id)}\n'
               f'            {_errors_html(form.non_field_errors())}\n'
               f'          </fieldset>\n'
               f'        </td>\n')
    value = minutes.value()
    invalid = (f'aria-invalid="true" aria-describedby="{minutes_id}_error"'
               if minutes.errors else "")
    row.append(f'        <td data-label="Minutes late">\n'
               f'          <label class="visually-hidden" for="{minutes_id}">'
               f'{esc(minutes.label)}</label>\n'
               f'          <input type="number" inputmode="numeric" name="{minutes.html_name}" '
               f'id="{minutes_id}"\n'
               f'                 value="{esc("" if value is None else value)}" '
               f'class="form-control form-control-sm w-6rem'
               f'{" is-invalid" if minutes.errors else ""}"\n'
               f'                 {invalid}>\n'
               f'          {_errors_html(minutes.errors, minutes_id)}\n'
               f'        </td>\n')
    chosen = contacted.value()
    options = "".join(f'<option value="{esc(value)}"{" selected" if chosen == value else ""}>'
                      f'{esc(text)}</option>' for value, text in contacted.field.choices)
    invalid = (f'aria-invalid="true" aria-describedby="{contacted_id}_error"'
               if contacted.errors else "")
    row.append(f'        <td data-label="Contacted the team?">\n'
               f'          <label class="visually-hidden" for="{contacted_id}">'
               f'{esc(contacted.label)}</label>\n'
               f'          <select name="{contacted.html_name}" id="{contacted_id}" '
               f'class="form-select form-select-sm w-8rem'
               f'{" is-invalid" if contacted.errors else ""}"\n'
               f'                  {invalid}>\n'
               f'            {options}\n'
               f'          </select>\n'
               f'          {_errors_html(contacted.errors, contacted_id)}\n'
               f'        </td>\n'
               f'      </tr>\n')
    return mark_safe("".join(row))  # every value escaped above


@register.inclusion_tag("bookings/_event_booking_panel.html", takes_context=True)
def event_booking_panel(context, event):
    """What a visitor can do about this event: sign in to book; see their booking; book in
    one step; join the waiting list; or why they cannot book (with the way to put it right)."""
    from bookings import selectors, services
    from bookings.forms import BookingForm

    request = context.get("request")
    user = getattr(request, "user", None)
    now = timezone.now()
    panel = {
        "event": event, "request": request, "csrf_token": context.get("csrf_token"),
        "partnership": context.get("partnership"), "user": user,
        "open": event.status == "scheduled" and event.start > now,
        "booking": None, "refusal": None, "form": None, "position": None,
        "booking_notices": [], "cancel_words": "", "prerequisites": [], "profile_url": "",
    }
    partnership = context.get("partnership")
    if partnership is not None and panel["open"]:
        panel["cancel_words"] = policies.cancellation_words(
            event_start=event.start, now=now, required=partnership.notice_working_days)
    if user is None or not user.is_authenticated:
        return panel
    booking = selectors.booking_active_for(event=event, user=user)
    panel["booking"] = booking
    if booking is not None:
        panel["position"] = selectors.waiting_list_position(booking=booking)
        return panel
    if not panel["open"]:
        return panel
    # The refusal's prerequisite check and the list below share one query.
    prefetch_related_objects([event.course], "prerequisites")
    refusal = services.booking_refusal_for(event=event, delegate=user, now=now, active_status="")
    panel["refusal"] = refusal
    panel["prerequisites"] = _prerequisites(course=event.course, user=user)
    if request is not None:
        panel["profile_url"] = (reverse("accounts:profile") + "?"
                                + urlencode({"next": request.get_full_path()}))
    if refusal is None:
        from bookings.notices import booking_notices

        panel["booking_notices"] = booking_notices(page="book", event=event, delegate=user,
                                                   now=now)
        panel["form"] = BookingForm(initial={"access_needs": user.access_needs},
                                    auto_id="id_booking_%s")
    return panel
