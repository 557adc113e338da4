"""The SLA register (issue 12): service levels from the contracts, their measurements and the credits owed.

`money` holds the exact arithmetic (Decimal only, currencies and their minor units, rounding);
`credits` the service levels, their versions, the credit rules and caps, and the computation of a
period's credits with the working shown line by line. Both are pure: no database, Slack or knowledge base.
"""
