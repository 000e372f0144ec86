"""The blocking resources: one module per ``paycombat_async.resources`` module."""
