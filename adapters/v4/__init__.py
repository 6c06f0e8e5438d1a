"""Concur Expense v4 JSON: wire models, routes and mappings to canonical models."""
