from digikompas.orgs.access import actor_for


def roles(request):
    """The current user's Actor, for role-aware navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"actor": actor_for(user)}
