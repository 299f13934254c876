import re

from django.core.cache import cache

from digikompas.testing import PASSWORD


def test_a_forgotten_password_is_reset_through_a_mailed_link(client, staff, smtp_server):
    response = client.post("/accounts/password/reset/", {"email": "alice@odense.example"})
    assert response.status_code == 302

    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "alice@odense.example"
    body = message.get_body(preferencelist=("plain",)).get_content()
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", body).group(1)

    # allauth moves the key into the session and redirects to a keyless form.
    response = client.get(path, follow=True)
    form_path = response.redirect_chain[-1][0]
    response = client.post(
        form_path, {"password1": "a fresh password 2026", "password2": "a fresh password 2026"}
    )
    assert response.status_code == 302

    client.logout()
    assert not client.login(email="alice@odense.example", password=PASSWORD)
    assert client.login(email="alice@odense.example", password="a fresh password 2026")


def test_an_unknown_address_gets_no_reset_mail(client, reference_data, smtp_server):
    cache.clear()
    client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    # allauth tells unknown addresses that they have no account, and sends no reset link.
    assert all("password/reset/key" not in str(m) for m in smtp_server.messages)
