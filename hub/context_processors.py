from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """Site-wide template values: the site's name and the signed-in user's profile (loaded once per request)."""
    profile = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from hub.selectors import profile_for_user

        profile = profile_for_user(user)
    return {"site_name": settings.HUB_SITE_NAME, "contact_email": settings.HUB_CONTACT_EMAIL, "my_profile": profile}
