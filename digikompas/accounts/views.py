from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from digikompas.accounts import services
from digikompas.orgs.access import actor_for, get_person_to_manage


@require_POST
@login_required
def invite_person(request, pk):
    person = get_person_to_manage(actor_for(request.user), pk)
    try:
        services.invite_person(person=person, invited_by=request.user)
    except services.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("An invitation has been sent to %(email)s.") % {"email": person.email}
        )
    return redirect("orgs:person_detail", pk=person.pk)


def accept_invitation(request, token):
    """Choose a password from an invitation link, then continue logged in."""
    try:
        user = services.user_for_invitation(token)
    except services.InvitationError as error:
        return render(request, "accounts/invitation_invalid.html", {"error": error}, status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(user=user, password=form.cleaned_data["new_password1"])
        except services.InvitationError as error:
            return render(request, "accounts/invitation_invalid.html", {"error": error}, status=400)
        user.refresh_from_db()
        get_adapter(request).login(request, user)
        messages.success(request, _("Welcome! Your login is ready."))
        return redirect("home")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invited": user})


@login_required
def account_settings(request):
    return render(request, "accounts/settings.html")


@login_required
def api_key(request):
    """Create, replace or revoke the personal API key. A new key is shown once."""
    new_key = None
    if request.method == "POST":
        Token.objects.filter(user=request.user).delete()
        if request.POST.get("action") == "create":
            new_key = Token.objects.create(user=request.user).key
            messages.success(
                request, _("Your new API key is shown below. Copy it now: it is not shown again.")
            )
        else:
            messages.success(request, _("Your API key has been revoked."))
    has_key = Token.objects.filter(user=request.user).exists()
    return render(request, "accounts/api_key.html", {"new_key": new_key, "has_key": has_key})
