"""The batch engine: create_many, reconciliation and the journals that own each item's fate."""
