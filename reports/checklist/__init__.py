"""The DDSCP Training Checklist (kept by officers: which staff group needs which course, or
any course at a level) and the organisation view (a safeguarding lead sees their own
organisation's delegates' training records against it).

policies: pure rules (which completion meets a requirement, when it falls due again, due a
refresher, overdue); selectors: reads scoped to the user; services: the officers' writes,
audited; views, forms, exports (CSV and XLSX through core.exports); home: the lead's task on
the home page; demo: a few requirements for the demo partnership."""
