from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from oms.models import Profile

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ["stores"]


admin.site.unregister(User)


# What only a superuser may grant: with any of them an account reaches further
# than its role (head office's group holds `auth.change_user`, not these).
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Head office manages staff accounts (names, e-mail, role, stores, active,
    password); only a superuser grants privileges or touches a superuser's account.
    For anyone else the privilege fields are shown read-only, left out of the form,
    and kept as stored on save whatever the request carries."""

    inlines = [ProfileInline]
    list_display = ["username", "email", "first_name", "last_name", "role", "is_active"]
    list_select_related = ["profile"]

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        return fields + tuple(name for name in PRIVILEGE_FIELDS if name not in fields)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        if not request.user.is_superuser:
            stored = (
                User.objects.filter(pk=obj.pk).values("is_staff", "is_superuser").first() if change else None
            )
            obj.is_staff = stored["is_staff"] if stored else False
            obj.is_superuser = stored["is_superuser"] if stored else False
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        if not request.user.is_superuser:
            # A form that carried them anyway (it should not): groups and
            # permissions are saved from cleaned_data, so drop them there.
            for name in ("groups", "user_permissions"):
                form.cleaned_data.pop(name, None)
        super().save_related(request, form, formsets, change)

    @admin.display(description=_("role"))
    def role(self, user) -> str:
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else "—"


from oms import admin_events, admin_orders  # noqa: E402,F401
