"""People and their roles. Store staff are assigned to one or more stores."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STORE_STAFF = "store_staff", _("Store staff")
    HEAD_OFFICE = "head_office", _("Head office")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    INTEGRATION = "integration", _("Integration (API)")


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    stores = models.ManyToManyField(
        "inventory.StockPoint",
        blank=True,
        related_name="staff",
        verbose_name=_("stores"),
        help_text=_("The stores a member of store staff works for."),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class ApiScope(models.TextChoices):
    """What an API token may do. A token without scopes (no `TokenAccess` row)
    may do everything its integration role allows."""

    READ = "read", _("Read everything the role may read (GET)")
    ORDERS_WRITE = "orders:write", _("Place and cancel orders (and read them)")
    STOCK_WRITE = "stock:write", _("Push stock feeds (and read availability)")
    CATALOGUE_WRITE = "catalogue:write", _("Create and change stock points and products (and read them)")
    WEBHOOKS_WRITE = "webhooks:write", _("Manage its own webhook subscriptions (and read them)")


class TokenAccess(models.Model):
    """The scopes and channels of one API token, read with the token in the same
    query. `channels` empty: every channel; else the token sees, places and cancels
    only the orders of those channels (codes)."""

    token = models.OneToOneField(
        "authtoken.Token", primary_key=True, on_delete=models.CASCADE, related_name="access"
    )
    scopes = models.JSONField(_("scopes"), default=list)
    channels = models.JSONField(_("channels"), default=list, blank=True)

    class Meta:
        verbose_name = _("API token access")
        verbose_name_plural = _("API token access")

    def __str__(self) -> str:
        where = ", ".join(self.channels) or "*"
        return f"{' '.join(self.scopes)} @ {where}"

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def allows_channel(self, code: str) -> bool:
        return not self.channels or code in self.channels
