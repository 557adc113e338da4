"""Mediations' use cases, for Slack and the CLI alike: plain data in, results or `bot.errors` out."""
