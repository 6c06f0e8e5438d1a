"""Helpers test modules import: harnesses, clients, constants. Fixtures stay in conftest.py."""
