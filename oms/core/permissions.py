"""Who may see what. Every screen and endpoint starts from these helpers."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from inventory.models import StockPoint
from oms.core.errors import PermissionDenied
from oms.models import ApiScope, Role, TokenAccess

NETWORK_ROLES = {Role.HEAD_OFFICE, Role.CUSTOMER_SERVICE, Role.INTEGRATION}


def role_of(user: AbstractBaseUser | AnonymousUser) -> str | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.HEAD_OFFICE
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def stores_of(user: AbstractBaseUser | AnonymousUser) -> QuerySet[StockPoint]:
    """The stock points whose stock a user may change from the store screens:
    store staff their assigned stores, head office every active store, others none."""
    role = role_of(user)
    if role == Role.STORE_STAFF:
        return StockPoint.objects.filter(staff__user=user, is_active=True).order_by("code")
    if role == Role.HEAD_OFFICE:
        return StockPoint.objects.active().stores().order_by("code")
    return StockPoint.objects.none()


def can_manage_network(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Head office and API integrations change master data and push stock."""
    return role_of(user) in {Role.HEAD_OFFICE, Role.INTEGRATION}


class IsNetworkWriterOrReadOnly(BasePermission):
    """Anyone logged in reads; head office and integrations write."""

    message = "Only head office and API integrations may change this."

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated or role_of(request.user) is None:
            return False
        return request.method in SAFE_METHODS or can_manage_network(request.user)


class IsNetworkWriter(BasePermission):
    message = "Only head office and API integrations may do this."

    def has_permission(self, request, view) -> bool:
        return request.user.is_authenticated and can_manage_network(request.user)


# --- API token scopes ----------------------------------------------------------------


class ScopeRequired(PermissionDenied):
    code = "insufficient_scope"

    def __init__(self, scope: str) -> None:
        super().__init__(_("This token does not have the scope “%(scope)s”.") % {"scope": scope})
        self.scope = scope


class ChannelNotAllowed(PermissionDenied):
    code = "channel_not_allowed"

    def __init__(self, channel: str) -> None:
        super().__init__(_("This token does not act for the channel “%(channel)s”.") % {"channel": channel})
        self.channel = channel

    def payload(self) -> dict[str, object]:
        return {"errors": [{"field": "channel", "detail": str(self)}]}


def token_access(request) -> TokenAccess | None:
    """The scopes and channels of the request's API token, read with the token by
    the authentication; None: unrestricted (a token created without scopes, or a
    signed-in session), the role alone decides."""
    return getattr(request.auth, "access", None) if request.auth is not None else None


def channels_of(request) -> list[str] | None:
    """The channel codes the request may act for; None: every channel."""
    access = token_access(request)
    return list(access.channels) if access is not None and access.channels else None


def check_channel(request, channel: str) -> None:
    """Raise ChannelNotAllowed unless the request may act for `channel` (a code)."""
    allowed = channels_of(request)
    if allowed is not None and channel not in allowed:
        raise ChannelNotAllowed(channel)


def channel_bound_users() -> dict[int, list[str]]:
    """The users whose API token acts for some channels only, with those channels:
    their webhook subscriptions get only the events of those channels' orders."""
    return {
        user_id: list(channels)
        for user_id, channels in TokenAccess.objects.values_list("token__user_id", "channels")
        if channels
    }


class TokenScopes(BasePermission):
    """After the role's permission: a token with scopes reads with `read` or with
    the view's `write_scope`, and writes only with `write_scope`. Refusals are 403
    `insufficient_scope`, naming the scope that was missing."""

    def has_permission(self, request, view) -> bool:
        access = token_access(request)
        if access is None:
            return True
        write_scope = view.write_scope
        if request.method in SAFE_METHODS:
            if access.allows(ApiScope.READ) or access.allows(write_scope):
                return True
            raise ScopeRequired(ApiScope.READ)
        if access.allows(write_scope):
            return True
        raise ScopeRequired(write_scope)
