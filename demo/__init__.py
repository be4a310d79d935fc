"""Fictitious demo data for `make run` (the `seed_demo` command), one module per domain.

Installed only with DEBUG on (talentnet.settings): a production deployment has neither this
app nor Faker. It may import every app; no app imports it (tests/test_architecture.py).
"""
