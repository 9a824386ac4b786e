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
