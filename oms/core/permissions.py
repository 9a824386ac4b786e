"""Who may see what. Every screen and endpoint starts from these helpers."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from rest_framework.permissions import SAFE_METHODS, BasePermission

from inventory.models import StockPoint
from oms.models import Role

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
