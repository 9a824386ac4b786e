"""People: staff accounts with their role and stores, and API integrations."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction
from rest_framework.authtoken.models import Token

from inventory.models import StockPoint
from oms.models import Profile, Role


@transaction.atomic
def upsert_staff_user(
    username: str,
    *,
    password: str,
    role: str,
    stores: list[StockPoint] | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_superuser: bool = False,
) -> AbstractBaseUser:
    """Create or update a staff account with its role and stores (idempotent).
    `is_superuser` (head office only) opens the whole Django admin."""
    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(username=username)
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    user.is_staff = role == Role.HEAD_OFFICE
    user.is_superuser = is_superuser and user.is_staff
    user.set_password(password)
    user.save()
    profile, _created = Profile.objects.update_or_create(user=user, defaults={"role": role})
    profile.stores.set(stores or [])
    if role == Role.HEAD_OFFICE:
        user.groups.add(head_office_group())
    else:
        user.groups.remove(*Group.objects.filter(name=HEAD_OFFICE_GROUP))
    return user


HEAD_OFFICE_GROUP = "Head office"
# axes: the failed sign-in records, to unlock a locked-out colleague early.
HEAD_OFFICE_APPS = ["inventory", "oms", "fulfilment", "returns", "axes"]


def head_office_group() -> Group:
    """The admin permissions of head office: every model of the OMS's own apps, and
    the staff accounts."""
    group, _created = Group.objects.get_or_create(name=HEAD_OFFICE_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=HEAD_OFFICE_APPS) | (
        Permission.objects.filter(content_type__app_label="auth", content_type__model="user")
    )
    group.permissions.set(permissions)
    return group


@transaction.atomic
def create_api_token(name: str) -> str:
    """A new token for an integration named `name` (its previous token, if any, is
    revoked). The token is returned once; only its owner should keep it."""
    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(username=f"api-{name}")
    user.set_unusable_password()
    user.save()
    Profile.objects.update_or_create(user=user, defaults={"role": Role.INTEGRATION})
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user).key
