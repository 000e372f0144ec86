"""A web shop taking payments through PayCombat's hosted checkout: see README.md."""
