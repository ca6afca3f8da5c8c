"""Training needs analysis rounds (DDSCP: "Gather safeguarding training needs analysis data
from all members of the Stakeholders Group"): an officer opens a round with the newest version
of the TNA questionnaire (the evaluations engine); each organisation's safeguarding lead
answers it once for their organisation; the LOD Group sees the answers summarised across
organisations, beside the demand seen on waiting lists."""
