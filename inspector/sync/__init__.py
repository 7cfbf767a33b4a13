"""Sync with the office: push the outbox, pull what the office sends."""
