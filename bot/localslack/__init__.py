"""Slack without a workspace: the Web API stand-in, Slack's request bodies, and `liaison chat`."""
