"""The demo partnership's e-learning and resources: three live modules with their content and
knowledge checks, the child exploitation module as the prerequisite of the level 3 course
(DDSCP's pathway), content review dates (some overdue, so the review page has work to show)
and six additional training resources (DSPP), public and for signed-in users.

Idempotent: questions are found by their course and text, choices by their question and text,
resources by their title. What an officer may have changed is kept: a module's content is
written only while it is empty, a review date only while there is none."""

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from courses.models import Category, Choice, Course, Question
from resources.models import Resource

CHILD_EXPLOITATION = "Child Exploitation"
LEVEL_3 = "Child Exploitation: Multi-Agency Response"

# title: (module content, [(question, [choices], index of the correct choice)])
MODULES = {
    CHILD_EXPLOITATION: (
        "Child exploitation is a form of child abuse. It happens when a person or a group takes "
        "advantage of an imbalance of power to coerce, control, manipulate or deceive a child "
        "into sexual or criminal activity, in exchange for something the child needs or wants, "
        "or for the financial advantage of the person exploiting them.\n\n"
        "Child sexual exploitation (CSE) and child criminal exploitation (CCE) often happen "
        "together. County lines is one form of criminal exploitation: gangs use children to "
        "carry drugs and money from cities into towns such as Dudley, often using a dedicated "
        "phone line.\n\n"
        "A child cannot consent to their own exploitation, even if the activity appears "
        "consensual or they are 16 or 17. They are victims, not offenders, and the words we "
        "use about them should say so.\n\n"
        "Signs to look out for include going missing from home or school, unexplained gifts, "
        "money or phones, new older friends, being picked up in cars by unknown adults, "
        "injuries the child will not explain, and a sudden change in behaviour.\n\n"
        "If you are worried about a child, talk to your organisation's designated safeguarding "
        "lead straight away and record what you saw and heard. If a child is in immediate "
        "danger, call 999.\n\n"
        "The level 3 course \"Child Exploitation: Multi-Agency Response\" builds on this "
        "module: complete its knowledge check before you book.",
        [
            ("Can a child consent to their own sexual or criminal exploitation?",
             ["Yes, once they are 16", "No: it is always abuse, whatever the child says",
              "Only if they are paid for it"], 1),
            ("What is county lines?",
             ["A bus route between two counties",
              "Gangs using children to move drugs and money, often to other towns",
              "The boundary between two local authorities"], 1),
            ("Which of these could be a sign that a child is being exploited?",
             ["Unexplained money, gifts or a second phone", "Joining a school sports team",
              "Asking for help with homework"], 0),
            ("How should you describe a child who has been exploited into carrying drugs?",
             ["As a drug dealer", "As a victim of exploitation", "As a gang member"], 1),
            ("You are worried a child is being exploited but they are not in immediate danger. "
             "What do you do first?",
             ["Wait to see if it happens again", "Ask the child's friends what they know",
              "Tell your designated safeguarding lead and record what you saw"], 2),
        ],
    ),
    "Introduction to Domestic Abuse": (
        "Domestic abuse is any incident or pattern of controlling, coercive, threatening, "
        "degrading or violent behaviour between people aged 16 or over who are, or have been, "
        "intimate partners or family members (Domestic Abuse Act 2021).\n\n"
        "It includes physical, sexual, emotional and economic abuse, and coercive control: a "
        "pattern of acts that isolate a person, take away their independence and regulate "
        "their everyday life.\n\n"
        "Children who see, hear or experience the effects of domestic abuse are victims of it "
        "in their own right.\n\n"
        "If you are worried, ask about it safely, on your own with the person. Use the DASH "
        "risk checklist, share your concern with your safeguarding lead, and refer high-risk "
        "cases to the Multi-Agency Risk Assessment Conference (MARAC).",
        [
            ("Under the Domestic Abuse Act 2021, who is a victim of domestic abuse?",
             ["Only adults who are physically hurt",
              "Adults, and children who see, hear or experience its effects",
              "Only people who are married"], 1),
            ("What is coercive control?",
             ["A single argument between partners",
              "A pattern of acts that isolate a person and regulate their everyday life",
              "A court order"], 1),
            ("Which tool helps you assess the level of risk to a victim?",
             ["The DASH risk checklist", "A body map", "The Graded Care Profile 2"], 0),
            ("Where are high-risk domestic abuse cases discussed by agencies together?",
             ["At a MARAC", "At a school governors' meeting", "Nowhere: agencies work alone"], 0),
        ],
    ),
    "Introduction to Modern Slavery": (
        "Modern slavery is the recruitment, movement, harbouring or receiving of people through "
        "force, threats, coercion or deception, in order to exploit them. It includes human "
        "trafficking, forced labour, domestic servitude and sexual exploitation.\n\n"
        "Victims may not see themselves as victims. Look for people who seem controlled by "
        "someone else, do not hold their own passport or documents, live at their workplace, "
        "have no money of their own or seem afraid of authorities.\n\n"
        "First responder organisations refer potential victims to the National Referral "
        "Mechanism (NRM); a child must always be referred, and does not need to consent. Public "
        "authorities have a duty to notify the Home Office when they meet a potential adult "
        "victim who does not consent to a referral.",
        [
            ("Which of these can be modern slavery?",
             ["Forced labour and domestic servitude", "A zero-hours contract you chose",
              "Working overtime for extra pay"], 0),
            ("Does a child need to consent to be referred to the National Referral Mechanism?",
             ["Yes, always", "No: a child is always referred", "Only if they are under 13"], 1),
            ("Which could indicate that someone is a victim of modern slavery?",
             ["They carry their own passport", "Someone else holds their documents and money",
              "They have a bank account"], 1),
            ("What is the National Referral Mechanism?",
             ["The way potential victims are identified and supported",
              "A list of employers", "A police database of offenders"], 0),
        ],
    ),
}

PREREQUISITES = {LEVEL_3: [CHILD_EXPLOITATION]}

# title: months since the content was last reviewed. More than 12 is overdue with the
# default settings; courses not listed stay "not reviewed yet" (due a year after creation).
REVIEWED_MONTHS_AGO = {
    CHILD_EXPLOITATION: 2,
    LEVEL_3: 14,
    "Introduction to Domestic Abuse": 13,
    "Introduction to Modern Slavery": 6,
    "Introduction to Mental Capacity Act": 11,
    "Introduction to Safeguarding Adults Awareness": 18,
    "Domestic Homicide Reviews": 4,
}

RISKS = "Understanding Safeguarding Risks"
WORKING_TOGETHER = "Working Together to Safeguard and Protect Children from Harm"
ADULTS = "Safeguarding Adults"

# title: (kind, category, link, anyone can see it, description)
RESOURCES = {
    "Spotting the signs of child exploitation: a leaflet for professionals": (
        Resource.Kind.LEAFLET, RISKS, "https://example.org/resources/child-exploitation-leaflet",
        True, "Two pages on the signs of criminal and sexual exploitation and who to call."),
    "Neglect: a seven-minute briefing": (
        Resource.Kind.BRIEFING, WORKING_TOGETHER, "https://example.org/resources/neglect-briefing",
        True, "What neglect looks like, why it matters and what to do, in seven minutes."),
    "Professional curiosity: a briefing for practitioners": (
        Resource.Kind.BRIEFING, WORKING_TOGETHER,
        "https://example.org/resources/professional-curiosity", False,
        "Learning from local reviews about asking the next question."),
    "Safeguarding Adult Review 'Adult A': executive summary": (
        Resource.Kind.REVIEW_SUMMARY, ADULTS, "https://example.org/resources/sar-adult-a",
        False, "Self-neglect and hoarding: the review's findings and recommendations."),
    "Child Safeguarding Practice Review 'Child B': executive summary": (
        Resource.Kind.REVIEW_SUMMARY, WORKING_TOGETHER,
        "https://example.org/resources/cspr-child-b", False,
        "An infant's injury, multi-agency information sharing and the learning for practice."),
    "Domestic abuse support services in Dudley": (
        Resource.Kind.LEAFLET, RISKS, "https://example.org/resources/domestic-abuse-services",
        True, "Local and national helplines and services for victims and their children."),
}


def demo_elearning_load(*, now, result):
    """Add the e-learning, review dates and resources to the demo partnership (counts go to
    `result`, a demo.services.DemoLoadResult)."""
    from .services import _upsert

    today = timezone.localdate(now)
    courses = {c.title: c for c in Course.objects.filter(
        title__in=[*MODULES, *PREREQUISITES, *REVIEWED_MONTHS_AGO])}

    for title, (content, questions) in MODULES.items():
        course = courses[title]
        if not course.module_content and not course.module_url:
            course.module_content = content
            course.save(update_fields=["module_content"])
            result.updated["e-learning modules"] += 1
        for position, (text, choices, correct) in enumerate(questions, start=1):
            question = _upsert(Question, {"course": course, "text": text},
                               {"position": position}, result, "knowledge check questions")
            for index, choice in enumerate(choices):
                _upsert(Choice, {"question": question, "text": choice},
                        {"correct": index == correct, "position": index}, result,
                        "knowledge check choices")

    for title, required in PREREQUISITES.items():
        course = courses[title]
        have = set(course.prerequisites.values_list("title", flat=True))
        for name in required:
            if name not in have:
                course.prerequisites.add(courses[name])
                result.created["prerequisites"] += 1

    for title, months in REVIEWED_MONTHS_AGO.items():
        course = courses.get(title)
        if course is not None and course.last_reviewed is None:
            course.last_reviewed = today - relativedelta(months=months)
            course.save(update_fields=["last_reviewed"])
            result.updated["course review dates"] += 1

    categories = {c.name: c for c in Category.objects.all()}
    for title, (kind, category, url, public, description) in RESOURCES.items():
        _upsert(Resource, {"title": title},
                {"kind": kind, "category": categories.get(category), "url": url,
                 "public": public, "description": description},
                result, "training resources", create_extra={"published_at": now})
