"""Accounts' use cases, one module per concern; this package's names are what other code imports.

- `users`: users, roles, disabling, and the two-person rule on roles that read contents.
- `credentials`: password and TOTP logins, one-time passwords, API tokens.
- `records`: what both share.
"""

from shokei.accounts.services.credentials import (
    TOKEN_LIFETIME_DAYS,
    actor_for_token,
    authenticate,
    change_password,
    enroll_mfa,
    issue_token,
    list_tokens,
    log_in,
    reset_password,
    revoke_token,
)
from shokei.accounts.services.records import MIN_PASSWORD_LENGTH, generate_password
from shokei.accounts.services.users import (
    actor_for_session,
    actor_for_username,
    add_user,
    approve_first_program_manager,
    approve_user,
    change_role,
    list_users,
    mail_recipients,
    recipients,
    set_disabled,
    update_email,
    user_by_username,
    user_exists,
    usernames,
)

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "TOKEN_LIFETIME_DAYS",
    "actor_for_session",
    "actor_for_token",
    "actor_for_username",
    "add_user",
    "approve_first_program_manager",
    "approve_user",
    "authenticate",
    "change_password",
    "change_role",
    "enroll_mfa",
    "generate_password",
    "issue_token",
    "list_tokens",
    "list_users",
    "log_in",
    "mail_recipients",
    "recipients",
    "reset_password",
    "revoke_token",
    "set_disabled",
    "update_email",
    "user_by_username",
    "user_exists",
    "usernames",
]
