"""Who may do what with API tokens (the "My account" page and ``flask tokens``).

Every signed-in account keeps its own tokens: creates them and revokes them.
Nobody else sees or revokes another account's token (its page answers 404);
a command run at the shell acts as the system. The JSON API's own parts ask
each area's permissions (``grants.api.auth.require_permission``).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.core.permissions import SIGN_IN_FIRST, Role, permission, signed_in

HOLDER_ONLY = _l("Only the account holder keeps its API tokens.")

# The menu (``add_nav`` takes a role set): every account has a "My account" page.
ACCOUNT_HOLDERS = Role.EVERYONE


@permission("api.keep_tokens")
def can_keep_tokens(user, account=None):
    """Creating a token for ``account`` (default: one's own): the account holder."""
    if not signed_in(user):
        return SIGN_IN_FIRST
    return None if account is None or account.id == user.id else HOLDER_ONLY


@permission("api.revoke_token")
def can_revoke_token(user, token):
    if not signed_in(user):
        return SIGN_IN_FIRST
    return None if token.user_id == user.id else HOLDER_ONLY
