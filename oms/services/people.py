"""People: staff accounts with their role and stores, and API integrations."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from inventory.models import StockPoint
from oms.core.errors import Conflict, InvalidInput
from oms.models import ApiScope, Channel, Profile, Role, TokenAccess


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


class TokenExists(Conflict):
    code = "token_exists"

    def __init__(self, name: str) -> None:
        super().__init__(
            _("The integration %(name)s already has a token: rotate it to replace it.") % {"name": name}
        )
        self.name = name

    def payload(self) -> dict[str, object]:
        return {"integration": self.name}


@transaction.atomic
def create_api_token(
    name: str,
    *,
    scopes: list[str] | None = None,
    channels: list[str] | None = None,
    rotate: bool = False,
) -> str:
    """A new token for the integration named `name`, returned once (only its owner
    should keep it). Refused (TokenExists, nothing changed) if it has one, unless
    `rotate`: the previous token is then revoked, and the new one keeps its scopes
    and channels unless others are given.

    Without scopes nor channels the token may do all its integration role allows.
    `scopes` (ApiScope values) narrow what it does; `channels` (channel codes) the
    orders it sees, places and cancels; channels alone keep every scope."""
    unknown_scopes = sorted(set(scopes or []) - set(ApiScope.values))
    if unknown_scopes:
        raise InvalidInput(
            _("Unknown scope(s): %(scopes)s. Scopes are: %(known)s.")
            % {"scopes": ", ".join(unknown_scopes), "known": ", ".join(ApiScope.values)}
        )
    known_channels = set(Channel.objects.filter(code__in=channels or []).values_list("code", flat=True))
    unknown_channels = sorted(set(channels or []) - known_channels)
    if unknown_channels:
        raise InvalidInput(_("Unknown channel(s): %(channels)s.") % {"channels": ", ".join(unknown_channels)})
    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(username=f"api-{name}")
    previous = Token.objects.select_related("access").filter(user=user).first()
    if previous is not None and not rotate:
        raise TokenExists(name)
    kept = getattr(previous, "access", None)
    if scopes is None and channels is None and kept is not None:
        scopes, channels = list(kept.scopes), list(kept.channels)
    user.set_unusable_password()
    user.save()
    Profile.objects.update_or_create(user=user, defaults={"role": Role.INTEGRATION})
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    if scopes or channels:
        TokenAccess.objects.create(
            token=token,
            scopes=sorted(set(scopes or ApiScope.values)),
            channels=sorted(set(channels or [])),
        )
    return token.key
