"""The main journeys by keyboard alone (issue 15), in Chromium: a delegate signs in, finds a
course in the catalogue, books a place, sees it in My training and cancels it; then completes
a Stage 1 evaluation due for a course she attended.

After the first page.goto, every interaction is a key press (Tab, Shift+Tab, Enter, Space) or
text typed into the field that has the focus: no click, fill, check or goto. `tab_to` walks
the Tab order to the element a person is looking for, so the test also proves that it can be
reached and in what order (it fails with the elements visited). At every element the focus
lands on, the focus must be visible: not lost to the body, inside the viewport, matching
:focus-visible, and drawn (an outline of at least 2px in a colour that is not transparent, or
a box-shadow that the element does not have when it is not focused)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from bookings.models import Booking, BookingStatus
from bookings.services import attendance_mark
from core.calendar import LONDON
from courses.models import Event, Format
from evaluations.models import EvaluationRequest, RequestKind
from evaluations.selectors.requests import requests_open_count
from evaluations.services.requests import evaluation_requests_send
from tests.factories import PASSWORD, BookingFactory, CourseFactory, EventFactory, UserFactory

pytestmark = pytest.mark.e2e

# What the focused element is, and whether its focus can be seen (see the module docstring):
# an indicator in some colour that contrasts 3:1 with what is around the element.
# The "unfocused" box-shadow is read from a shallow copy of the element put beside it (same
# classes and attributes, so the same rules apply, without the focus).
#
# Bootstrap scrolls smoothly (scroll-behavior: smooth), so an element focused below the fold
# takes a few frames to come into view: up to two seconds are waited for.
FOCUS_STATE = r"""async () => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return {tag: el ? el.tagName.toLowerCase() : "none", type: "", name: "(nothing)",
            problem: "the focus is on the page itself, not on an element"};
  }
  const text = (s) => (s || "").replace(/\s+/g, " ").trim();
  let name = el.getAttribute("aria-label") || "";
  if (!name && el.getAttribute("aria-labelledby")) {
    name = el.getAttribute("aria-labelledby").split(/\s+/)
      .map((id) => document.getElementById(id)).filter(Boolean)
      .map((node) => node.textContent).join(" ");
  }
  if (!name && el.labels && el.labels.length) name = el.labels[0].textContent;
  if (!name && !["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName)) name = el.textContent;
  if (!name) name = el.getAttribute("placeholder") || el.getAttribute("title") || el.value || "";
  const info = {tag: el.tagName.toLowerCase(), type: el.getAttribute("type") || "",
                role: el.getAttribute("role") || "", name: text(name),
                checked: !!el.checked, problem: ""};
  // The skip link's target: <main tabindex="-1"> takes the focus but is no control.
  if (el.tagName === "MAIN") return info;
  const outside = (box) => box.bottom <= 0 || box.right <= 0
    || box.top >= window.innerHeight || box.left >= window.innerWidth;
  const since = performance.now();
  while (outside(el.getBoundingClientRect()) && performance.now() - since < 2000) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  const box = el.getBoundingClientRect();
  if (box.width <= 0 || box.height <= 0 || outside(box)) {
    info.problem = `outside the viewport (${Math.round(box.left)},${Math.round(box.top)} `
      + `${Math.round(box.width)}x${Math.round(box.height)})`;
    return info;
  }
  if (!el.matches(":focus-visible")) {
    info.problem = "does not match :focus-visible";
    return info;
  }
  // Bootstrap's controls ease their focus ring in (transition .15s): measure it once drawn.
  await Promise.race([
    Promise.all(el.getAnimations().map((animation) => animation.finished.catch(() => null))),
    new Promise((resolve) => setTimeout(resolve, 2000)),
  ]);
  const style = getComputedStyle(el);
  const rgba = (colour) => {
    const parts = (colour.match(/[0-9.]+/g) || []).map(Number);
    return parts.length >= 3 ? [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1]
      : [0, 0, 0, 0];
  };
  const copy = el.cloneNode(false);
  copy.removeAttribute("id");
  copy.removeAttribute("name");
  copy.removeAttribute("autofocus");
  copy.setAttribute("tabindex", "-1");
  el.insertAdjacentElement("afterend", copy);
  const resting = getComputedStyle(copy);
  const restingShadow = resting.boxShadow;
  const restingBackground = resting.backgroundColor;
  copy.remove();
  // The indicator's colours: the outline's, the box-shadow's (when focus changed it) and the
  // background's (when focus changed it), each to be told apart from what surrounds it.
  const colours = [];
  if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) {
    colours.push(style.outlineColor);
  }
  if (style.boxShadow !== "none" && style.boxShadow !== restingShadow) {
    colours.push(...(style.boxShadow.match(/rgba?\([^)]*\)/g) || []));
  }
  if (style.backgroundColor !== restingBackground) colours.push(style.backgroundColor);
  const opaque = colours.filter((colour) => rgba(colour)[3] > 0);
  if (!opaque.length) {
    info.problem = `no focus indicator (outline ${style.outlineStyle} ${style.outlineWidth} `
      + `${style.outlineColor}, box-shadow ${style.boxShadow})`;
    return info;
  }
  // WCAG 1.4.11: a control's focus indicator has 3:1 against the colour around it (the first
  // ancestor with a background). Not asked of what only scripts focus (tabindex -1).
  if (el.tabIndex < 0) return info;
  let around = [255, 255, 255, 1];
  for (let node = el.parentElement; node; node = node.parentElement) {
    const colour = rgba(getComputedStyle(node).backgroundColor);
    if (colour[3] > 0) { around = colour; break; }
  }
  const luminance = ([r, g, b]) => [r, g, b].map((c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }).reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const contrast = (colour) => {
    const [l1, l2] = [luminance(rgba(colour)), luminance(around)].sort((x, y) => y - x);
    return (l1 + 0.05) / (l2 + 0.05);
  };
  const best = Math.max(...opaque.map(contrast));
  if (best < 3) {
    info.problem = `the focus indicator (${opaque.join(", ")}) has ${best.toFixed(2)}:1 `
      + `against rgb(${around.slice(0, 3).join(", ")}) around it, under 3:1`;
  }
  return info;
}"""


def describe(info):
    kind = info["tag"] + (f"[{info['type']}]" if info["type"] else "")
    return f"{kind} {info['name']!r}"


def focused(page: Page, visited=()):
    """The focused element, having checked that its focus is visible."""
    info = page.evaluate(FOCUS_STATE)
    assert not info["problem"], (
        f"On {page.url} the focus on {describe(info)} is not visible: {info['problem']}"
        + ("\nVisited before, in order:\n  " + "\n  ".join(visited) if visited else ""))
    return info


def named(pattern, tag=None, type=None):
    """A predicate: the focused element's accessible name matches `pattern` (a regex, from
    the start), and its tag and type where given."""
    regex = re.compile(pattern, re.I)

    def matches(info):
        return (bool(regex.match(info["name"]))
                and (tag is None or info["tag"] == tag)
                and (type is None or info["type"] == type))
    matches.__doc__ = f"{tag or 'element'} named {pattern!r}"
    return matches


def tab_to(page: Page, predicate, max_presses=40, key="Tab"):
    """Press Tab (or Shift+Tab) until the focused element matches `predicate`, checking at each
    stop that the focus is visible; fail with the elements visited if it is not reached."""
    visited = []
    for _ in range(max_presses):
        page.keyboard.press(key)
        info = focused(page, visited)
        visited.append(describe(info))
        if predicate(info):
            return info
    raise AssertionError(
        f"On {page.url}, {max_presses} presses of {key} did not reach the "
        f"{predicate.__doc__}. Visited, in order:\n  " + "\n  ".join(visited))


def press_enter_and_load(page: Page):
    """Enter on the focused link or button, and wait for the page it opens."""
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def tab_to_skip_link(page: Page):
    """On a page just opened, the first Tab stop is the skip link, shown when focused."""
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["tag"] == "a" and skip["name"] == "Skip to main content", (
        f"The first Tab stop on {page.url} is {describe(skip)}, not the skip link")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_in_viewport()


def skip_to_main(page: Page):
    """The skip link, and Enter on it takes the focus past the header to <main>, where the
    next Tab starts."""
    tab_to_skip_link(page)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def sign_in_by_keyboard(page: Page, email: str):
    """From the home page: the skip link comes first, then the header's Sign in link; type the
    email and password (the focus moves from one to the other with Tab), Enter."""
    page.goto("/")
    tab_to_skip_link(page)
    tab_to(page, named(r"^sign in$", tag="a"), max_presses=5)
    press_enter_and_load(page)
    expect(page.locator("h1")).to_have_text("Sign in")

    tab_to(page, named(r"^email", tag="input"))
    page.keyboard.type(email)
    tab_to(page, named(r"^password", tag="input", type="password"), max_presses=3)
    page.keyboard.type(PASSWORD)
    press_enter_and_load(page)
    assert "/accounts/login" not in page.url, f"not signed in: still on {page.url}"
    expect(page.locator("header")).to_contain_text("Signed in as")


def test_find_book_and_cancel_a_course_by_keyboard(page, live_server):
    start = (timezone.now() + timedelta(days=21)).astimezone(LONDON).replace(
        hour=9, minute=30, second=0, microsecond=0)
    course = CourseFactory(title="Working Together to Safeguard Children",
                           format=Format.CLASSROOM)
    CourseFactory(title="Domestic Abuse Awareness", format=Format.CLASSROOM)
    event = EventFactory(course=course, start=start)
    ann = UserFactory(first_name="Ann", last_name="Archer", email="ann@example.org")

    sign_in_by_keyboard(page, ann.email)

    # Find the course: header link to the catalogue, the search box, Enter (htmx swaps the
    # results in and the focus stays in the box), then on to the course's link.
    tab_to(page, named(r"^courses$", tag="a"))
    press_enter_and_load(page)
    skip_to_main(page)
    tab_to(page, named(r"^search", tag="input"), max_presses=3)
    page.keyboard.type("working together")
    page.keyboard.press("Enter")
    results = page.locator("#catalogue-results")
    expect(results).not_to_contain_text("Domestic Abuse Awareness")
    expect(results).to_contain_text("Working Together to Safeguard Children")
    assert focused(page)["tag"] == "input", "the search lost the focus"
    tab_to(page, named(r"^working together to safeguard children$", tag="a"))
    press_enter_and_load(page)
    expect(page.locator("h1")).to_contain_text("Working Together to Safeguard Children")

    # The course page lists the date; its Book link opens the event, whose panel books.
    tab_to(page, named(rf"^book a place on {start:%A %-d %B %Y}", tag="a"))
    press_enter_and_load(page)
    panel = page.locator("main section[aria-labelledby=booking-panel-title]")
    expect(panel.get_by_role("heading", name="Book a place")).to_be_visible()
    tab_to(page, named(r"^book a place$", tag="button"))
    press_enter_and_load(page)
    expect(page.locator("main")).to_contain_text("Your place is booked")
    booking = Booking.objects.get(event=event, delegate=ann)
    assert booking.status == BookingStatus.BOOKED

    # My training shows it; Shift+Tab walks back up from the page's end to the header link.
    tab_to(page, named(r"^my training$", tag="a"), key="Shift+Tab", max_presses=60)
    press_enter_and_load(page)
    upcoming = page.locator("main section[aria-labelledby=upcoming]")
    expect(upcoming).to_contain_text("Working Together to Safeguard Children")
    expect(upcoming).to_contain_text("Booked")

    # Cancel, through the confirmation page: three weeks ahead, so free.
    tab_to(page, named(r"^cancel your place on working together", tag="a"))
    press_enter_and_load(page)
    expect(page.locator("h1")).to_have_text("Cancel your place?")
    tab_to(page, named(r"^cancel the place$", tag="button"))
    press_enter_and_load(page)
    expect(page.locator("main")).to_contain_text(re.compile("cancelled", re.I))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    tab_to(page, named(r"^my training$", tag="a"), key="Shift+Tab", max_presses=60)
    press_enter_and_load(page)
    expect(page.locator("main section[aria-labelledby=cancelled]")).to_contain_text(
        "Working Together to Safeguard Children")


def test_complete_an_evaluation_by_keyboard(page, live_server):
    facilitator = UserFactory(roles=[Role.FACILITATOR])
    course = CourseFactory(title="Child Exploitation", format=Format.CLASSROOM,
                           learning_outcomes=["Recognise the signs of exploitation",
                                              "Share information with the right partners"])
    day_start = timezone.now() - timedelta(hours=8)
    event = EventFactory(course=course, start=day_start, end=day_start + timedelta(hours=7),
                         facilitators=[facilitator])
    bea = UserFactory(first_name="Bea", last_name="Baker", email="bea@example.org")
    booking = BookingFactory(event=event, delegate=bea)
    Event.objects.filter(pk=event.pk).update(places_taken=1)
    attendance_mark(booking=booking, by=facilitator, outcome="attended", now=timezone.now())
    evaluation_requests_send(now=timezone.now())
    assert requests_open_count(user=bea, now=timezone.now()) == 1

    sign_in_by_keyboard(page, bea.email)
    tab_to(page, named(r"^my training$", tag="a"))
    press_enter_and_load(page)
    tab_to(page, named(r"^1 evaluation to complete$", tag="a"))
    press_enter_and_load(page)
    tab_to(page, named(r"^start the post-course questionnaire and stage 1 evaluation "
                       r"for child exploitation", tag="a"))
    press_enter_and_load(page)
    expect(page.locator("h1")).to_have_text(re.compile(r"Stage 1 evaluation$"))

    # Sending nothing first: the error summary takes the focus, and its first link takes the
    # focus to the first question's first choice, which Space chooses.
    tab_to(page, named(r"^send your answers$", tag="button"), max_presses=80)
    press_enter_and_load(page)
    expect(page.locator("#error-summary")).to_be_focused()
    assert focused(page)["name"].startswith("There is a problem")
    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "a", "the error summary's first link is not next"
    page.keyboard.press("Enter")
    first = focused(page)
    assert first["tag"] == "input" and first["type"] == "radio", (
        f"the error's link left the focus on {describe(first)}")
    page.keyboard.press("Space")
    assert focused(page)["checked"]

    # Then on through the form in Tab order: Space on each rating scale's first choice (Tab
    # enters a radio group once), words typed into each text box, until the send button.
    answered = {"radio": 1, "textarea": 0}
    for _ in range(60):
        page.keyboard.press("Tab")
        info = focused(page)
        if info["tag"] == "input" and info["type"] == "radio":
            page.keyboard.press("Space")
            assert focused(page)["checked"], f"Space did not choose {describe(info)}"
            answered["radio"] += 1
        elif info["tag"] == "textarea":
            page.keyboard.type("Share concerns with the police sooner.")
            answered["textarea"] += 1
        elif named(r"^send your answers$", tag="button")(info):
            break
    else:
        raise AssertionError("Tab never reached the Send your answers button")
    main = page.locator("main")
    groups = len(set(main.locator("input[type=radio]").evaluate_all(
        "inputs => inputs.map(i => i.name)")))
    assert answered["radio"] == groups > 0, (answered, groups)
    assert answered["textarea"] == main.locator("textarea").count() > 0, answered
    press_enter_and_load(page)

    expect(page.locator("h1")).to_have_text(re.compile(r"Stage 1 evaluation complete$"))
    assert EvaluationRequest.objects.get(booking=booking,
                                         kind=RequestKind.STAGE_1).completed_at is not None
    # And back to My training from the thank-you page, where nothing is left to do.
    tab_to(page, named(r"^back to my training$", tag="a"))
    press_enter_and_load(page)
    expect(page.locator("main")).not_to_contain_text("evaluation to complete")


def test_find_a_course_on_a_phone_by_keyboard(page, live_server):
    """At 320px the menu folds behind a button: Enter opens it, and the catalogue is reached
    and searched as on a desktop, the focus visible at each stop (WCAG 1.4.10 with 2.1.1)."""
    CourseFactory(title="Working Together to Safeguard Children", format=Format.CLASSROOM)
    CourseFactory(title="Domestic Abuse Awareness", format=Format.CLASSROOM)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/")
    tab_to(page, named(r"^show or hide the menu$", tag="button"), max_presses=3)
    menu = page.locator("#main-nav")
    expect(menu).not_to_be_visible()
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    tab_to(page, named(r"^courses$", tag="a"), max_presses=5)
    press_enter_and_load(page)
    skip_to_main(page)
    tab_to(page, named(r"^search", tag="input"), max_presses=3)
    page.keyboard.type("domestic abuse")
    page.keyboard.press("Enter")
    results = page.locator("#catalogue-results")
    expect(results).not_to_contain_text("Working Together")
    tab_to(page, named(r"^domestic abuse awareness$", tag="a"))
    press_enter_and_load(page)
    expect(page.locator("h1")).to_contain_text("Domestic Abuse Awareness")
