"""The weekly digest: its week, what it says, its chart and counts, its schedule and plain text."""
