"""The booking panel of the event page and how a booking's state is shown.

The event page belongs to the courses app, which never imports bookings (dependencies run
one way): its template loads this library instead –
`{% load bookings_tags %}{% event_booking_panel event %}`."""

from urllib.parse import urlencode

from django import template
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

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


def _attrs_html(attrs):
    """Django's forms/widgets/attrs.html: ` name="value"`, a bare ` name` for True, nothing for
    False."""
    return format_html_join("", "{}", (
        (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
        for name, value in attrs.items() if value is not False))


@register.filter
def input_tag(radio):
    """`{{ radio|input_tag }}`: the same HTML as `{{ radio.tag }}` (Django's
    forms/widgets/input.html and attrs.html, label not wrapped) for one option of a radio or
    checkbox group, written here instead of through the template engine: the register draws
    four per delegate, and the form renderer's templates were most of its time."""
    widget = radio.data
    value = ("" if widget["value"] is None
             else format_html(' value="{}"', str(widget["value"])))
    return format_html('<input type="{}" name="{}"{}{}>', widget["type"], widget["name"],
                       value, _attrs_html(widget["attrs"]))


def _errors_html(errors, error_id=""):
    id_attr = format_html(' id="{}_error"', error_id) if error_id else ""
    return format_html_join("", '<p class="invalid-feedback d-block"{}>{}</p>',
                            ((id_attr, error) for error in errors))


def _invalid(field):
    """The classes and ARIA attributes of a field of the register line: its error is named by
    aria-describedby (the id _errors_html gives it)."""
    if not field.errors:
        return "", ""
    return " is-invalid", format_html(' aria-invalid="true" aria-describedby="{}_error"',
                                      field.auto_id)


def _register_now(booking):
    """The "Now" cell: the booking's state, minutes late, and whom a substitute replaced."""
    from django.core.exceptions import ObjectDoesNotExist

    if booking.status == "booked":
        now = format_html('<span class="tag tag-grey">{}</span>', "Not marked")
    elif booking.status == "attended":
        now = format_html('<span class="tag tag-green">{}</span>', "Attended")
    else:
        now = format_html('<span class="tag tag-red">{}</span>', booking.get_status_display())
    if booking.minutes_late:
        now += format_html('<br><span class="small">{} min late</span>', booking.minutes_late)
    try:
        replaced = booking.replaced
    except ObjectDoesNotExist:
        replaced = None
    if replaced:
        was = replaced.from_delegate
        now += format_html('<br><span class="small">Instead of {}</span>',
                           was.get_full_name() or was.email)
    return now


_ROW_START = """      <tr{}>
        <th scope="row">{}</th>
        <td data-label="Organisation">{}</td>
        <td data-label="Now">{}</td>
"""
_ROW_CLOSED = """          <td colspan="3" class="text-secondary">{}</td>
      </tr>
"""
_ROW_OUTCOME = """        <td data-label="Attendance">
          <fieldset{}>
            <legend class="visually-hidden">{}</legend>
{}            {}
            {}
          </fieldset>
        </td>
"""
_ROW_RADIO = """              <div class="form-check mb-1 text-nowrap">
                {}
                <label class="form-check-label" for="{}">{}</label>
              </div>
"""
_ROW_MINUTES = """        <td data-label="Minutes late">
          <label class="visually-hidden" for="{}">{}</label>
          <input type="number" inputmode="numeric" name="{}" id="{}"
                 value="{}" class="form-control form-control-sm w-6rem{}"
                 {}>
          {}
        </td>
"""
_ROW_CONTACTED = """        <td data-label="Contacted the team?">
          <label class="visually-hidden" for="{}">{}</label>
          <select name="{}" id="{}" class="form-select form-select-sm w-8rem{}"
                  {}>
            {}
          </select>
          {}
        </td>
      </tr>
"""


@register.simple_tag
def register_row(form, closed_reason):
    """One delegate's line of the register (bookings/register_mark.html): written here rather
    than in the template because the register draws up to 50 lines of some 40 form values
    each, which took the template engine most of the page's time. The markup is the one the
    template had; format_html escapes every value."""
    booking = form.booking
    organisation = ((booking.organisation.name if booking.organisation_id else "")
                    or (booking.delegate.organisation.name
                        if booking.delegate.organisation_id else "") or "–")
    row = format_html(_ROW_START, format_html(' class="{}"', "table-danger") if form.errors else "",
                      form.delegate_name, organisation, _register_now(booking))
    if closed_reason:
        return row + format_html(_ROW_CLOSED, "Opens on the day")
    outcome, minutes, contacted = form["outcome"], form["minutes_late"], form["contacted_team"]
    described = (format_html(' aria-describedby="{}_error"', outcome.auto_id)
                 if outcome.errors else "")
    radios = format_html_join("", _ROW_RADIO, (
        (input_tag(radio), radio.id_for_label, radio.choice_label) for radio in outcome))
    row += format_html(_ROW_OUTCOME, described, outcome.label, radios,
                       _errors_html(outcome.errors, outcome.auto_id),
                       _errors_html(form.non_field_errors()))
    value = minutes.value()
    row += format_html(_ROW_MINUTES, minutes.auto_id, minutes.label, minutes.html_name,
                       minutes.auto_id, "" if value is None else value, *_invalid(minutes),
                       _errors_html(minutes.errors, minutes.auto_id))
    chosen = contacted.value()
    options = format_html_join("", "<option value=\"{}\"{}>{}</option>", (
        (value, format_html(" {}", "selected") if chosen == value else "", text)
        for value, text in contacted.field.choices))
    return row + format_html(_ROW_CONTACTED, contacted.auto_id, contacted.label,
                             contacted.html_name, contacted.auto_id, *_invalid(contacted),
                             options, _errors_html(contacted.errors, contacted.auto_id))


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
