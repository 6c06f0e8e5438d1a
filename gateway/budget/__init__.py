"""Concur's rate limit as a budget: queries priced before they run, a bounded share per
caller, routes Concur throttled paused for every replica.

Import the submodules themselves (``gateway.budget.gate``, ``.pauses``...): this package
imports nothing, so ``gateway.settings`` can nest ``gateway.settings.budget``.
"""
