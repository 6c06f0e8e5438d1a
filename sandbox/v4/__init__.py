"""The sandbox's v4 JSON face: Expense Reports v4 and Workflows v4."""
