"""The weekly digest: its week, what it says (the SLA register's part in `sla`), its chart and counts, its schedule
and plain text."""
