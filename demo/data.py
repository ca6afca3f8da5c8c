"""The demo partnership, as data: Dudley (DSPP) with the DDSCP's categories and its child
exploitation pathway. Everything here is fictional except the names of the public bodies and
the course titles, which come from the seeds. Names are keys: load_demo finds rows by them."""

from accounts.models import Sector, StaffGroup
from accounts.roles import Role
from courses.models import Audience, CourseStatus, Format, Length, Level

DEMO_PASSWORD = "Demo-training-2026"
# Published on purpose (README, `manage.py demo_logins`): every staff demo login uses it, so
# anyone trying the site can add it to an authenticator app once. Never use it for real users.
DEMO_TOTP_SECRET = "DDSCPDEMOTOTPSECRETKEY234567ABCD"

PARTNERSHIP = {
    "name": "Dudley Safeguarding People Partnership",
    "short_name": "DSPP",
    "contact_email": "training@dspp.example",
    # Fictional: 01384 is Dudley's area code, the rest is deliberately not a real line.
    "contact_phone": "01384 000 000",
}

# name: (sector, kind, email domain, extra fields). Each organisation has the email domain
# "<email domain>.example" (its delegates' addresses), so choosing it joins at once.
ORGANISATIONS = {
    "Dudley Metropolitan Borough Council": (Sector.STATUTORY, "Council", "dudley-mbc", {}),
    "West Midlands Police": (Sector.STATUTORY, "Police", "wmpolice", {}),
    "Dudley Group NHS Foundation Trust": (Sector.STATUTORY, "NHS trust", "dudleygroup-nhs", {}),
    "Black Country Healthcare NHS Foundation Trust": (
        Sector.STATUTORY, "NHS trust", "blackcountry-nhs", {}),
    "Castle High School": (Sector.STATUTORY, "School", "castlehigh", {}),
    "Priory Primary School": (Sector.STATUTORY, "School", "prioryprimary", {}),
    "Dudley Women's Aid": (Sector.VOLUNTARY, "Domestic abuse charity", "dudleywomensaid", {}),
    "Dudley CVS": (Sector.VOLUNTARY, "Council for voluntary service", "dudleycvs", {}),
    "Young Carers Dudley": (Sector.VOLUNTARY, "Young carers' charity", "youngcarersdudley", {}),
    "Jane Smith Childminding": (
        Sector.CHILDMINDER, "Registered childminder", "janesmithchildminding", {}),
    "Little Acorns Childminding": (
        Sector.CHILDMINDER, "Registered childminder", "littleacorns", {}),
    "Bright Futures Nurseries Ltd": (
        Sector.PRIVATE, "Nursery chain", "brightfutures-nurseries", {
            "invoice_email": "accounts@brightfutures-nurseries.example",
            "billing_address": "Accounts Payable\nBright Futures Nurseries Ltd\n"
                               "14 Wolverhampton Street\nDudley\nDY1 1XX",
        }),
    "Oakfield Care Homes Ltd": (
        Sector.PRIVATE, "Care home group", "oakfield-care", {
            "invoice_email": "invoices@oakfield-care.example",
            "billing_address": "Finance Office\nOakfield Care Homes Ltd\n"
                               "3 Hagley Road\nStourbridge\nDY8 1XX",
        }),
}

# Line managers named on profiles, one per organisation (a login may name its own).
# Childminders work for themselves: they name the council's early years adviser.
LINE_MANAGERS = {
    "Dudley Metropolitan Borough Council": ("Helen Brooks", "helen.brooks@dudley-mbc.example"),
    "West Midlands Police": ("Inspector David Clarke", "david.clarke@wmpolice.example"),
    "Dudley Group NHS Foundation Trust": ("Fiona Grant", "fiona.grant@dudleygroup-nhs.example"),
    "Black Country Healthcare NHS Foundation Trust": (
        "Martin Lowe", "martin.lowe@blackcountry-nhs.example"),
    "Castle High School": ("Paul Turner", "paul.turner@castlehigh.example"),
    "Priory Primary School": ("Susan Hale", "susan.hale@prioryprimary.example"),
    "Dudley Women's Aid": ("Angela Moss", "angela.moss@dudleywomensaid.example"),
    "Dudley CVS": ("Neil Foster", "neil.foster@dudleycvs.example"),
    "Young Carers Dudley": ("Karen Bell", "karen.bell@youngcarersdudley.example"),
    "Jane Smith Childminding": ("Beverley Shaw", "beverley.shaw@dudley-mbc.example"),
    "Little Acorns Childminding": ("Beverley Shaw", "beverley.shaw@dudley-mbc.example"),
    "Bright Futures Nurseries Ltd": (
        "Claire Walker", "claire.walker@brightfutures-nurseries.example"),
    "Oakfield Care Homes Ltd": ("Julie Kendrick", "julie.kendrick@oakfield-care.example"),
}

DUDLEY = "Dudley Metropolitan Borough Council"
POLICE = "West Midlands Police"
DGFT = "Dudley Group NHS Foundation Trust"
BRIGHT = "Bright Futures Nurseries Ltd"

# The logins `demo_logins` prints. email: (first, last, job title, organisation, staff group,
# roles, extra fields). admin@ has no role: it is a superuser.
LOGINS = {
    "delegate@demo.example": (
        "Priya", "Sharma", "Social worker", DUDLEY, StaffGroup.GROUP_2, [Role.DELEGATE],
        {"access_needs": "I am dyslexic: slides in advance help."}),
    "facilitator@demo.example": (
        "Mark", "Evans", "Detective Sergeant, Public Protection Unit", POLICE,
        StaffGroup.GROUP_3, [Role.FACILITATOR, Role.DELEGATE], {}),
    "officer@demo.example": (
        "Rachel", "Green", "Learning and Development Co-ordinator", DUDLEY,
        StaffGroup.GROUP_3, [Role.OFFICER, Role.DELEGATE],
        {"line_manager_name": "Sarah Whitfield",
         "line_manager_email": "sarah.whitfield@dudley-mbc.example"}),
    "business@demo.example": (
        "Tom", "Hughes", "Business Support Officer", DUDLEY, StaffGroup.GROUP_1,
        [Role.BUSINESS_SUPPORT], {}),
    "lod@demo.example": (
        "Aisha", "Rahman", "Named Nurse for Safeguarding Children", DGFT, StaffGroup.GROUP_3,
        [Role.LOD_MEMBER], {}),
    "lead@demo.example": (
        "Claire", "Walker", "Designated Safeguarding Lead", BRIGHT, StaffGroup.GROUP_3,
        [Role.SAFEGUARDING_LEAD, Role.DELEGATE],
        {"line_manager_name": "Andrew Knight",
         "line_manager_email": "andrew.knight@brightfutures-nurseries.example"}),
    "finance@demo.example": (
        "Gary", "Price", "Finance Manager", BRIGHT, StaffGroup.GROUP_1,
        [Role.FINANCE_CONTACT], {}),
    "admin@demo.example": (
        "Alex", "Morgan", "Systems Administrator", DUDLEY, StaffGroup.GROUP_1, [],
        {"is_superuser": True}),
}
ADMIN_EMAIL = "admin@demo.example"

# More delegates, so staff lists and figures look real: (first, last, job title, organisation,
# staff group). Emails are first.last@<organisation domain>.example.
DELEGATES = [
    ("Amira", "Khan", "Family Support Worker", DUDLEY, StaffGroup.GROUP_2),
    ("James", "Whitehouse", "Independent Reviewing Officer", DUDLEY, StaffGroup.GROUP_3),
    ("Sophie", "Bennett", "Housing Officer", DUDLEY, StaffGroup.GROUP_1),
    ("Daniel", "Okafor", "Police Constable", POLICE, StaffGroup.GROUP_2),
    ("Laura", "Fletcher", "Detective Constable, Child Abuse Investigation", POLICE,
     StaffGroup.GROUP_3),
    ("Hannah", "Price", "Health Visitor", DGFT, StaffGroup.GROUP_2),
    ("Oliver", "Hart", "Emergency Department Nurse", DGFT, StaffGroup.GROUP_2),
    ("Grace", "Adeyemi", "Community Psychiatric Nurse",
     "Black Country Healthcare NHS Foundation Trust", StaffGroup.GROUP_2),
    ("Ryan", "Cartwright", "Designated Safeguarding Lead", "Castle High School",
     StaffGroup.GROUP_3),
    ("Emily", "Parsons", "Teaching Assistant", "Castle High School", StaffGroup.GROUP_1),
    ("Zara", "Hussain", "Year 2 Teacher", "Priory Primary School", StaffGroup.GROUP_2),
    ("Michelle", "Dunn", "Independent Domestic Violence Adviser", "Dudley Women's Aid",
     StaffGroup.GROUP_3),
    ("Peter", "Lloyd", "Volunteer Co-ordinator", "Dudley CVS", StaffGroup.GROUP_1),
    ("Chloe", "Harris", "Young Carers Support Worker", "Young Carers Dudley", StaffGroup.GROUP_2),
    ("Jane", "Smith", "Registered Childminder", "Jane Smith Childminding", StaffGroup.GROUP_2),
    ("Ruth", "Ellis", "Registered Childminder", "Little Acorns Childminding", StaffGroup.GROUP_2),
    ("Natalie", "Cooper", "Nursery Room Leader", BRIGHT, StaffGroup.GROUP_2),
    ("Jade", "Robinson", "Nursery Practitioner", BRIGHT, StaffGroup.GROUP_2),
    ("Kelly", "Morris", "Deputy Nursery Manager", BRIGHT, StaffGroup.GROUP_2),
    ("Simon", "Baxter", "Registered Manager", "Oakfield Care Homes Ltd", StaffGroup.GROUP_3),
    ("Deborah", "Wright", "Senior Care Assistant", "Oakfield Care Homes Ltd", StaffGroup.GROUP_2),
]

# One delegate asking to join Bright Futures from a personal address (not at its domain): the
# request waits for its safeguarding lead (lead@demo.example) or an officer. (first, last, job
# title, staff group, email, organisation asked for)
MEMBERSHIP_REQUESTER = ("Becky", "Nash", "Apprentice Nursery Practitioner", StaffGroup.GROUP_1,
                        "becky.nash@mailbox.example", BRIGHT)

# One delegate whose organisation is not on the list yet: their request waits in the
# officer's queue.
REQUESTER = ("Leanne", "Davies", "Support Worker", StaffGroup.GROUP_2, "hollyhouse-living")
REQUESTED_ORGANISATION = ("Holly House Supported Living", Sector.PRIVATE)

WORKING_TOGETHER = "Working Together to Safeguard and Protect Children from Harm"
RISKS = "Understanding Safeguarding Risks"
CONTEXTUAL = "Contextual Safeguarding - Child on Child Abuse"
ADULTS = "Safeguarding Adults"

# name: description. The first three are the DDSCP's categories. The DDSCP is a children's
# partnership, so none of them fits the DSPP's adult-only courses (Mental Capacity Act,
# Safeguarding Adults Awareness, Liberty Protection Safeguards): "Safeguarding Adults" is the
# kind of category DOMAIN.md lets an officer add for them.
CATEGORIES = {
    WORKING_TOGETHER: "Core multi-agency safeguarding: roles, thresholds, information "
                      "sharing and the local arrangements.",
    RISKS: "Subject-specific training on the risks children and adults face: abuse, "
           "neglect, exploitation and radicalisation.",
    CONTEXTUAL: "Harm outside the family home, including abuse between children and "
                "young people.",
    ADULTS: "Safeguarding adults at risk who have care and support needs (Care Act 2014, "
            "Mental Capacity Act 2005).",
}

LEVELS = {"Level 1": Level.LEVEL_1, "Level 2": Level.LEVEL_2, "Level 3": Level.LEVEL_3,
          "All": Level.ALL, "ALL": Level.ALL}
AUDIENCES = {"Joint": Audience.JOINT, "Adult": Audience.ADULTS, "Children": Audience.CHILDREN}


def _status(text):
    """The seed's Status column: "Live", "ETA <when>" or empty (live)."""
    if not text or text == "Live":
        return CourseStatus.LIVE, ""
    return CourseStatus.COMING_SOON, text.removeprefix("ETA ").strip()


# The DSPP training strategy's "E-Learning offer", row by row: (title, level, type, status,
# category, summary, learning outcomes).
E_LEARNING = [
    ("Introduction to Domestic Abuse", "Level 1", "Joint", "Live", RISKS,
     "What domestic abuse is, who it affects and what to do when you are worried.",
     ["Recognise the forms domestic abuse takes, including coercive control",
      "Describe the impact of domestic abuse on children and adults in the household",
      "Know how to respond and who to contact in Dudley when you have concerns"]),
    ("Introduction to Mental Capacity Act", "Level 1", "Adult", "Live", ADULTS,
     "The five principles of the Mental Capacity Act 2005 in everyday practice.",
     ["Explain the five statutory principles of the Mental Capacity Act",
      "Describe how a capacity assessment is carried out and recorded",
      "Understand best interests decision making and when to involve an advocate"]),
    ("Introduction to Modern Slavery", "Level 1", "Joint", "Live", RISKS,
     "Spotting the signs of modern slavery and human trafficking, and what to do next.",
     ["Identify the indicators of modern slavery and human trafficking",
      "Understand the National Referral Mechanism and the duty to notify",
      "Know how to report concerns safely in Dudley"]),
    ("Introduction to Safeguarding Adults Awareness", "Level 1", "Adult", "Live", ADULTS,
     "The basics of keeping adults at risk safe from abuse and neglect.",
     ["Describe the categories of abuse set out in the Care Act 2014",
      "Recognise the signs that an adult with care and support needs is at risk",
      "Know how to raise a safeguarding concern with Dudley Council"]),
    ("Introduction to Safeguarding Children and Adults in Dudley", "Level 1", "Joint",
     "ETA 26/06/2020", WORKING_TOGETHER,
     "Everyone's responsibility: safeguarding children and adults across Dudley.",
     ["Understand your role in safeguarding children and adults at risk",
      "Recognise the main types of abuse and neglect",
      "Know the local routes for reporting a concern and getting advice"]),
    ("Dealing with Domestic Abuse", "Level 2", "Joint", "ETA 03/07/2020", RISKS,
     "Responding to domestic abuse: risk assessment, safety planning and MARAC.",
     ["Use the DASH risk checklist to assess the level of risk",
      "Understand the role of MARAC and specialist domestic abuse services",
      "Plan a safe response that keeps the victim and any children at the centre"]),
    ("Working Together for Dudley", "Level 2", "Children", "ETA 24/07/2020",
     WORKING_TOGETHER,
     "How Working Together to Safeguard Children is put into practice in Dudley.",
     ["Describe the statutory framework and the local safeguarding arrangements",
      "Understand the child protection process from referral to conference",
      "Share information confidently and lawfully with partner agencies"]),
    ("Understanding Equality and Diversity within Safeguarding", "Level 1", "Joint",
     "ETA 24/07/2020", WORKING_TOGETHER,
     "Why culture, identity and discrimination matter when safeguarding.",
     ["Understand how the protected characteristics relate to safeguarding",
      "Recognise how unconscious bias can affect professional judgement",
      "Apply culturally competent practice without losing sight of the risk"]),
    ("Understanding Child Criminal Exploitation", "Level 1", "Children", "ETA August 2020",
     RISKS,
     "County lines, grooming and how children are exploited into crime.",
     ["Define child criminal exploitation and county lines",
      "Recognise the signs that a child is being groomed or exploited",
      "Know the local referral pathway for exploitation concerns"]),
    ("Understanding Thresholds", "Level 1", "Children", "ETA August 2020", WORKING_TOGETHER,
     "Using the Dudley threshold guidance to decide the right level of help.",
     ["Describe the levels of need in the Dudley threshold guidance",
      "Match a child's circumstances to the right level of support",
      "Know when and how to make a referral to children's social care"]),
    ("Understanding Early Help interventions in Dudley", "Level 1", "Children",
     "ETA August 2020", WORKING_TOGETHER,
     "Early help in Dudley: offering support at the right time, before problems grow.",
     ["Explain what early help is and why it matters",
      "Understand the early help assessment and the role of the lead professional",
      "Know which local services can support families early"]),
    ("Self-Neglect and Hoarding", "Level 1", "Joint", "ETA September 2020", RISKS,
     "Working with people who neglect themselves or hoard, and the risks to others.",
     ["Recognise self-neglect and hoarding, and the risks they bring",
      "Understand how capacity and consent shape the response",
      "Know when self-neglect becomes a safeguarding concern and what to do"]),
    ("Understanding Child Sexual Exploitation", "Level 2", "Children",
     "ETA September 2020", RISKS,
     "Child sexual exploitation: grooming, vulnerability and the multi-agency response.",
     ["Understand the models of grooming used to sexually exploit children",
      "Identify the vulnerabilities and indicators of child sexual exploitation",
      "Contribute to a multi-agency response and disruption plan"]),
    ("Liberty Protection Safeguards and safeguarding", "Level 1", "Joint", "ETA April 2021",
     ADULTS,
     "What the Liberty Protection Safeguards mean for people aged 16 and over.",
     ["Explain what a deprivation of liberty is",
      "Understand how the Liberty Protection Safeguards replace DoLS",
      "Know your role in the authorisation process"]),
    ("Introduction to Hate Crime", "Level 1", "Joint", "ETA December 2020", RISKS,
     "Recognising and reporting hate crime and hate incidents.",
     ["Define hate crime and hate incidents",
      "Understand the impact of hate crime on individuals and communities",
      "Know how to support victims to report it"]),
    ("Understanding Fabricated and Induced Illness", "Level 1", "Joint",
     "ETA December 2020", RISKS,
     "Perplexing presentations and fabricated or induced illness in children.",
     ["Recognise the warning signs of fabricated or induced illness",
      "Understand why professional curiosity and chronologies matter",
      "Know how to escalate a concern without alerting the carer"]),
    ("Understanding Far Right Extremism", "Level 2", "Joint", "ETA Jan 2021", RISKS,
     "Radicalisation into far right extremism and the Prevent duty.",
     ["Understand far right ideologies and how people are drawn in online",
      "Recognise the signs of radicalisation",
      "Make a proportionate Prevent referral"]),
    ("Working with Hostile Families", "Level 1", "Joint", "ETA Feb 2021", WORKING_TOGETHER,
     "Staying safe and child-focused when families are hostile or do not engage.",
     ["Recognise disguised compliance and hostility",
      "Use strategies to keep yourself and colleagues safe",
      "Keep the focus on the child or adult at risk"]),
]

# The DSPP training strategy's "Virtual Face to Face / Live Events", row by row: (title,
# level, type, status, category, format, length, summary, learning outcomes).
LIVE_EVENTS = [
    ("Safer Recruitment", "Level 2", "Joint", "ETA Imminent", WORKING_TOGETHER,
     Format.VIRTUAL, Length.FULL_DAY,
     "Recruiting safely: keeping people who pose a risk out of the workforce.",
     ["Understand the legal framework for safer recruitment",
      "Design a recruitment process that deters and identifies unsuitable applicants",
      "Use references, DBS checks and interviews effectively"]),
    ("Graded Care Profile 2", "Level 2", "Joint", "ETA September 2020", RISKS,
     Format.VIRTUAL, Length.FULL_DAY,
     "Assessing neglect with the Graded Care Profile 2 tool (NSPCC licensed).",
     ["Understand how neglect affects children's development",
      "Use the Graded Care Profile 2 to assess the quality of care",
      "Share the findings with families and plan the next steps"]),
    ("Graded Care Profile 2 - Refresher", "Level 2", "Joint", "ETA TBC", RISKS,
     Format.VIRTUAL, Length.HALF_DAY,
     "A refresher for practitioners already trained in the Graded Care Profile 2.",
     ["Refresh your use of the Graded Care Profile 2 scoring",
      "Reflect on recent assessments and the learning from them",
      "Update your practice in line with local neglect guidance"]),
    ("Adult/Child Case Review Event(s)", "All", "Joint", "", WORKING_TOGETHER,
     Format.CONFERENCE, Length.HALF_DAY,
     "Learning from Dudley's Safeguarding Adult Reviews and Child Safeguarding Practice "
     "Reviews.",
     ["Understand the key findings of recent local case reviews",
      "Reflect on what the learning means for your own practice",
      "Identify changes your team can make as a result"]),
    ("Domestic Homicide Reviews", "ALL", "Joint", "", RISKS,
     Format.CONFERENCE, Length.HALF_DAY,
     "Lessons from Domestic Homicide Reviews in Dudley and nationally.",
     ["Understand the purpose and process of a Domestic Homicide Review",
      "Recognise the recurring themes and missed opportunities",
      "Apply the learning to risk assessment in your own work"]),
]

# The DDSCP's pathway: an e-learning module before the level 3 course (DDSCP training
# strategy, "Training Programme"). Same shape as LIVE_EVENTS.
DDSCP_COURSES = [
    ("Child Exploitation", "Level 1", "Children", "Live", RISKS,
     Format.E_LEARNING, Length.HALF_DAY,
     "An introduction to child exploitation, to complete before the level 3 course.",
     ["Define child sexual and criminal exploitation",
      "Recognise the signs that a child is being exploited",
      "Know how to share a concern about exploitation"]),
    ("Child Exploitation: Multi-Agency Response", "Level 3", "Children", "Live", RISKS,
     Format.CLASSROOM, Length.FULL_DAY,
     "In-depth group work on identifying, disrupting and responding to child exploitation.",
     ["Analyse exploitation risk using the local screening tool",
      "Plan a multi-agency response, including disruption and safety planning",
      "Record and speak about exploited children as victims, not offenders"]),
]


def courses():
    """Every demo course as a dict of Course fields, the seed's tables in order."""
    rows = [
        (t, lv, ty, st, cat, Format.E_LEARNING, Length.HALF_DAY, summ, lo)
        for t, lv, ty, st, cat, summ, lo in E_LEARNING
    ] + LIVE_EVENTS + DDSCP_COURSES
    result = []
    for title, level, kind, status_text, category, fmt, length, summary, outcomes in rows:
        status, expected = _status(status_text)
        result.append({
            "title": title, "level": LEVELS[level], "audience": AUDIENCES[kind],
            "category": category, "format": fmt, "length": length, "status": status,
            "expected": expected, "summary": summary, "learning_outcomes": outcomes,
        })
    return result


# The facilitator (a police officer) delivers these. Only three non-e-learning courses are
# live, so Safer Recruitment ("ETA Imminent") is included too: Training Pool members help
# develop a course's content before it runs (DDSCP, "The Training Pool").
TRAINING_POOL = [
    "Child Exploitation: Multi-Agency Response",
    "Adult/Child Case Review Event(s)",
    "Domestic Homicide Reviews",
    "Safer Recruitment",
]
