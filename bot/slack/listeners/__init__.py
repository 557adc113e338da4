"""Slack listeners, one module per feature: parse the payload, call one workflow, render, reply."""
