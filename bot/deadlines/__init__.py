"""The deadlines register (issue 13): dated obligations from the contracts, reviewed, dated, exported.

`dates` holds the calendar arithmetic and `due` when an obligation falls due as of a day (both pure: no
database); `register` drafts and dates the obligations, `claims` the credit-claim windows of the SLA register's
statements, `reviews` approval, edits and the engagement's settings, `ics` the calendar export, and
`workflows` the use cases Slack and the CLI call.
"""
