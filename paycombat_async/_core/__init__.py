"""The request core: one pipeline every operation goes through."""
