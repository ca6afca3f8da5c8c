"""The default questionnaires the partnership starts with, and the stable keys of their
questions.

Written from the seeds: DDSCP asks every delegate "a pre and post evaluation to measure
learning gain", "a Stage 1 Evaluation ... on course satisfaction, relevance and ... how the
course has improved their knowledge", facilitators' feedback "to assess their analysis of how
the session went including delegate's engagement and course content", and "a Stage 2
Evaluation ... to measure the impact of learning on practice and outcomes for children and
families" (DSPP: "the impact of the training on their practice", children and adults).

A question's key never changes between versions: summaries, learning gain and the reports
find a question by its key (the constants below), whatever its words say in a version."""

from .models import QuestionnaireKind, QuestionType

# Keys of the default questions (import these rather than spelling the strings).
OUTCOMES = "outcomes"  # pre and post: confidence on each learning outcome (one per outcome)
SATISFACTION = "satisfaction"  # Stage 1, rating
RELEVANCE = "relevance"  # Stage 1, rating
KNOWLEDGE_IMPROVED = "knowledge_improved"  # Stage 1, rating
DO_DIFFERENTLY = "do_differently"  # Stage 1, text
COMMENTS = "comments"  # Stage 1, text, optional
IMPACT_PRACTICE = "impact_practice"  # Stage 2, rating
IMPACT_OUTCOMES = "impact_outcomes"  # Stage 2, rating
EXAMPLES = "examples"  # Stage 2, text (tagged with themes)
SESSION_WENT = "session_went"  # facilitator, rating
ENGAGEMENT = "engagement"  # facilitator, rating
CONTENT = "content"  # facilitator, rating
WHAT_TO_CHANGE = "what_to_change"  # facilitator, text, optional
# Training needs analysis (answered by an organisation's safeguarding lead for it).
TNA_STAFF_GROUP_1 = "staff_group_1_need"  # single choice: how many staff need training
TNA_STAFF_GROUP_2 = "staff_group_2_need"
TNA_STAFF_GROUP_3 = "staff_group_3_need"
TNA_CATEGORIES = "categories_needed"  # multiple choice
TNA_LEVELS = "levels_needed"  # multiple choice
TNA_PRIORITY_KEYS = ("priority_recognising_abuse", "priority_information_sharing",
                     "priority_exploitation", "priority_adults_at_risk")  # ratings
TNA_COURSES_ASKED_FOR = "courses_asked_for"  # text: the courses the organisation asks for
TNA_BARRIERS = "barriers"  # multiple choice
TNA_ANYTHING_ELSE = "anything_else"  # text, optional

# Groups the summaries and reports read.
STAGE_1_RATING_KEYS = (SATISFACTION, RELEVANCE, KNOWLEDGE_IMPROVED)
STAGE_1_TEXT_KEYS = (DO_DIFFERENTLY, COMMENTS)
STAGE_2_RATING_KEYS = (IMPACT_PRACTICE, IMPACT_OUTCOMES)
STAGE_2_TEXT_KEYS = (EXAMPLES,)
FACILITATOR_RATING_KEYS = (SESSION_WENT, ENGAGEMENT, CONTENT)
FACILITATOR_TEXT_KEYS = (WHAT_TO_CHANGE,)


def _rating(key, text, low, high, *, help_text="", required=True, scale_max=5):
    return {"key": key, "text": text, "help_text": help_text, "type": QuestionType.RATING,
            "required": required, "scale_max": scale_max, "scale_min_label": low,
            "scale_max_label": high, "choices": []}


def _text(key, text, *, help_text="", required=True):
    return {"key": key, "text": text, "help_text": help_text, "type": QuestionType.TEXT,
            "required": required, "scale_max": None, "scale_min_label": "",
            "scale_max_label": "", "choices": []}


def _choice(key, text, choices, *, help_text="", required=True, multiple=False):
    return {"key": key, "text": text, "help_text": help_text,
            "type": QuestionType.MULTIPLE if multiple else QuestionType.SINGLE,
            "required": required, "scale_max": None, "scale_min_label": "",
            "scale_max_label": "", "choices": list(choices)}


# How many staff of a staff group need training: bands, so that organisations of any size
# answer the same question and the answers add up across organisations.
STAFF_BANDS = ["None", "1 to 10", "11 to 50", "51 to 200", "More than 200"]


def _staff_group(key, group):
    return _choice(key, f"How many of your staff in {group} need safeguarding training "
                   "this year?", STAFF_BANDS,
                   help_text="New starters and those due a refresher. An estimate is fine.")


def _priority(key, subject):
    return _rating(key, f"How much of a priority is training on {subject} for your "
                   "organisation this year?", "Not a priority", "A top priority")


def _outcomes(text, help_text):
    # The same scale before and after the course: learning gain compares like with like.
    return {"key": OUTCOMES, "text": text, "help_text": help_text,
            "type": QuestionType.OUTCOMES, "required": True, "scale_max": 5,
            "scale_min_label": "Not at all confident", "scale_max_label": "Very confident",
            "choices": []}


DEFAULT_QUESTIONNAIRES = {
    QuestionnaireKind.PRE: {
        "title": "Pre-course questionnaire",
        "introduction": (
            "Before the course, tell us how confident you feel about each of its learning "
            "outcomes. You will be asked the same after the course, so that we can measure "
            "what you gained from it. There are no right or wrong answers."),
        "questions": [
            _outcomes("How confident do you feel now about each of these?", ""),
        ],
    },
    QuestionnaireKind.POST: {
        "title": "Post-course questionnaire",
        "introduction": (
            "Now that you have done the course, tell us how confident you feel about each of "
            "its learning outcomes, on the same scale as before the course."),
        "questions": [
            _outcomes("How confident do you feel now about each of these?",
                      "Think about what you can do now, after the course."),
        ],
    },
    QuestionnaireKind.STAGE_1: {
        "title": "Stage 1 evaluation",
        "introduction": (
            "Your first thoughts on the course: how satisfied you were, how relevant it was "
            "to your role and how it improved your knowledge. Your answers are not shown to "
            "the facilitators with your name."),
        "questions": [
            _rating(SATISFACTION, "Overall, how satisfied were you with the course?",
                    "Very dissatisfied", "Very satisfied"),
            _rating(RELEVANCE, "How relevant was the course to your role?",
                    "Not at all relevant", "Very relevant"),
            _rating(KNOWLEDGE_IMPROVED, "How much has the course improved your knowledge?",
                    "Not at all", "A great deal"),
            _text(DO_DIFFERENTLY, "What will you do differently in your practice after the "
                  "course?", help_text="For example, who you will share information with, or "
                  "what you will now look out for."),
            _text(COMMENTS, "Any other comments on the course", required=False,
                  help_text="What worked well, and what could be better."),
        ],
    },
    QuestionnaireKind.STAGE_2: {
        "title": "Stage 2 evaluation",
        "introduction": (
            "Some weeks have passed since the course. Tell us what difference it has made to "
            "your practice and to the children, adults and families you work with."),
        "questions": [
            _rating(IMPACT_PRACTICE, "How much has the course changed your practice?",
                    "Not at all", "A great deal"),
            _rating(IMPACT_OUTCOMES, "How much has it improved outcomes for the children, "
                    "adults and families you work with?", "Not at all", "A great deal"),
            _text(EXAMPLES, "Give an example of how you have used what you learned",
                  help_text="Do not include anyone's name or details that could identify a "
                  "child, adult or family."),
        ],
    },
    QuestionnaireKind.FACILITATOR: {
        "title": "Facilitator feedback",
        "introduction": (
            "Your analysis of the session, for the summary evaluation report sent to every "
            "facilitator of the event."),
        "questions": [
            _rating(SESSION_WENT, "How well did the session go?", "Very badly", "Very well"),
            _rating(ENGAGEMENT, "How engaged were the delegates?", "Not at all engaged",
                    "Very engaged"),
            _rating(CONTENT, "How well did the course content meet the delegates' needs?",
                    "Not at all", "Very well"),
            _text(WHAT_TO_CHANGE, "What would you change for the next session?", required=False,
                  help_text="The content, the exercises, the timing or the venue."),
        ],
    },
    # DDSCP: "Gather safeguarding training needs analysis data from all members of the
    # Stakeholders Group"; the programme "is reviewed annually to reflect ... the completion
    # of a Training Needs Analysis by partner agencies". Answered once per round by each
    # organisation's safeguarding lead, for the organisation (no course, no delegate).
    QuestionnaireKind.TNA: {
        "title": "Training needs analysis",
        "introduction": (
            "Tell us what safeguarding training your organisation's staff need this year. "
            "Answer for the whole organisation: your answers help plan next year's "
            "multi-agency training programme. Do not include anyone's name."),
        "questions": [
            _staff_group(TNA_STAFF_GROUP_1, "Group 1 (some contact with children, young "
                         "people or adults at risk)"),
            _staff_group(TNA_STAFF_GROUP_2, "Group 2 (work regularly with children, young "
                         "people or adults at risk)"),
            _staff_group(TNA_STAFF_GROUP_3, "Group 3 (particular or specialised "
                         "safeguarding responsibility)"),
            _choice(TNA_CATEGORIES, "Which kinds of training does your organisation need "
                    "most?", [
                        "Working Together to Safeguard and Protect Children from Harm",
                        "Understanding Safeguarding Risks",
                        "Contextual Safeguarding – Child on Child Abuse",
                        "Safeguarding adults at risk",
                        "E-learning introductions to safeguarding",
                    ], multiple=True),
            _choice(TNA_LEVELS, "At which levels?", ["Level 1", "Level 2", "Level 3"],
                    multiple=True),
            _priority(TNA_PRIORITY_KEYS[0], "recognising and responding to abuse and neglect"),
            _priority(TNA_PRIORITY_KEYS[1], "information sharing between agencies"),
            _priority(TNA_PRIORITY_KEYS[2], "child exploitation"),
            _priority(TNA_PRIORITY_KEYS[3], "safeguarding adults at risk"),
            _text(TNA_COURSES_ASKED_FOR, "Which courses would you ask us to run?",
                  help_text="Courses from the programme you need more places on, or subjects "
                  "you would like a new course on."),
            _choice(TNA_BARRIERS, "What makes it hard for your staff to attend training?", [
                "Releasing staff from work",
                "Travelling to venues",
                "The days or times of courses",
                "Courses are full",
                "The cost of places",
                "Staff do not know what is on offer",
                "Nothing gets in the way",
            ], multiple=True, required=False),
            _text(TNA_ANYTHING_ELSE, "Anything else we should know?", required=False,
                  help_text="For example, changes in your service that bring new training "
                  "needs."),
        ],
    },
}
