from oms.core.permissions import role_of


def navigation(request):
    """The role of the person logged in, for the menu."""
    user = getattr(request, "user", None)
    return {"role": role_of(user) if user is not None else None}
