"""Access control (issue 6): users, roles and permissions, org-unit scope, logins with
short-lived access tokens and rotated refresh tokens, TOTP, and API keys for integrations.

``roles`` is the one table of what each role may do and ``routes`` says which permission every
API route needs; ``principal`` turns a request's credentials into the caller's
:class:`~assetwatch.auth.principal.Principal`, from which the service layer's
:class:`~assetwatch.model.scope.Scope` comes. See docs/security.md.
"""
