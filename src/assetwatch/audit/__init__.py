"""The audit log (issue 6): who did what, when, from where, to what, before and after."""
