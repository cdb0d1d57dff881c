"""allauth's e-mails (templates/account/email/), sent through config.site's adapter: in the
site's voice, naming the campaign from settings, never the request's host, linking to
SITE_URL, with a Reply-To that someone reads."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

SITE_URL = "https://engagements.coorace.test"
# allauth's defaults, English or its French catalogue's, that must not reach a candidate.
DEFAULTS = [
    "Hello from",
    "Thank you for using",
    "You're receiving",
    "You are receiving",
    "Bonjour, c",
    "Merci d’utiliser",
    "Merci d'utiliser",
    "Vous recevez ce courriel",
    "de la part de",
]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE_URL
    settings.SITE_NAME = "Coorace #Municipales2020"
    settings.REPLY_TO_EMAIL = "equipe-campagne@coorace.test"


def html_of(message) -> str:
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html


def assert_in_the_sites_voice(message) -> None:
    html = html_of(message)
    assert message.subject.startswith("[Coorace #Municipales2020] ")
    assert message.reply_to == ["equipe-campagne@coorace.test"]
    assert "Reply-To: equipe-campagne@coorace.test" in message.message().as_string()
    for text in (message.body, html):
        assert text.startswith("Bonjour,") or "<p>Bonjour,</p>" in text
        assert "Coorace #Municipales2020" in text
        assert "testserver" not in text  # the request's host
        for default in DEFAULTS:
            assert default not in text
    links = re.findall(r"https?://[^\s<>\"]+", message.body)
    assert links and all(link == SITE_URL or link.startswith(SITE_URL + "/") for link in links)


def only(mailoutbox, email: str):
    (message,) = [m for m in mailoutbox if m.to == [email]]
    return message


def sign_up(client, email):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("account_signup"), data)


def test_the_sign_up_confirmation_names_the_campaign_and_links_to_the_site(client, mailoutbox):
    sign_up(client, "lea@exemple.test")
    message = only(mailoutbox, "lea@exemple.test")
    assert message.subject == (
        "[Coorace #Municipales2020] Confirmez votre adresse pour signer les engagements"
    )
    assert_in_the_sites_voice(message)
    assert f"{SITE_URL}/compte/confirmer-email/" in message.body
    assert f'href="{SITE_URL}/compte/confirmer-email/' in html_of(message)
    assert "«\u202fS’engager pour les territoires inclusifs de demain\u202f!\u202f»" in message.body
    assert "répondre à ce courriel pour nous le signaler" in message.body


def test_the_link_of_the_confirmation_confirms_the_address(client, mailoutbox):
    sign_up(client, "lea@exemple.test")
    link = re.search(rf"{SITE_URL}(/compte/confirmer-email/\S+/)", message_body(mailoutbox))
    page = client.get(link.group(1)).content.decode()
    assert "Confirmez que l’adresse <strong>lea@exemple.test</strong> est bien la vôtre" in page
    response = client.post(link.group(1))
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="lea@exemple.test").verified


def message_body(mailoutbox) -> str:
    (message,) = mailoutbox
    return message.body


def test_a_sign_up_with_a_known_address_says_so_by_e_mail(client, mailoutbox):
    make_user("lea@exemple.test")
    sign_up(client, "lea@exemple.test")
    message = only(mailoutbox, "lea@exemple.test")
    assert message.subject == "[Coorace #Municipales2020] Vous avez déjà un compte"
    assert_in_the_sites_voice(message)
    assert f"{SITE_URL}/compte/connexion/" in message.body
    assert f"{SITE_URL}/compte/mot-de-passe/oubli/" in message.body


def test_a_password_reset_sends_a_link_on_the_site(client, mailoutbox):
    make_user("lea@exemple.test")
    client.post(reverse("account_reset_password"), {"email": "lea@exemple.test"})
    message = only(mailoutbox, "lea@exemple.test")
    assert message.subject == "[Coorace #Municipales2020] Choisir un nouveau mot de passe"
    assert_in_the_sites_voice(message)
    link = re.search(rf"{SITE_URL}(/compte/mot-de-passe/oubli/cle/\S+/)", message.body)
    # The link opens the form to choose the password (allauth moves the key to the session).
    response = client.get(link.group(1), follow=True)
    assert "Nouveau mot de passe" in response.content.decode()


def test_a_password_reset_for_an_unknown_address_says_there_is_no_account(client, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": "inconnu@exemple.test"})
    message = only(mailoutbox, "inconnu@exemple.test")
    assert message.subject == "[Coorace #Municipales2020] Aucun compte à cette adresse"
    assert_in_the_sites_voice(message)
    assert f"{SITE_URL}/compte/inscription/" in message.body


def test_a_new_address_is_confirmed_by_e_mail(client, mailoutbox):
    client.force_login(make_user("lea@exemple.test"))
    client.post(reverse("account_email"), {"action_add": "", "email": "lea.martin@exemple.test"})
    message = only(mailoutbox, "lea.martin@exemple.test")
    assert message.subject == "[Coorace #Municipales2020] Confirmez votre adresse électronique"
    assert_in_the_sites_voice(message)
    page = client.get(reverse("account_email")).content.decode()
    assert "Nouvelle adresse, pas encore confirmée" in page
    assert "lea.martin@exemple.test" in page


def test_a_notification_of_a_changed_password_names_the_campaign(client, mailoutbox, settings):
    # The site sends none (ACCOUNT_EMAIL_NOTIFICATIONS is off); they are ready if it does.
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    client.force_login(make_user("lea@exemple.test"))
    new = "Un tout nouveau mot de passe 2020"
    data = {"oldpassword": PASSWORD, "password1": new, "password2": new}
    client.post(reverse("account_change_password"), data)
    message = only(mailoutbox, "lea@exemple.test")
    assert message.subject == "[Coorace #Municipales2020] Votre mot de passe a changé"
    assert_in_the_sites_voice(message)
    assert "Votre mot de passe a été changé." in message.body
    assert re.search(r"- le \d{1,2}(?:er)?\xa0\w+ 20\d\d à \d\dh\d\d\n", message.body)
    assert "répondez à ce courriel pour nous prévenir" in message.body


def test_the_site_name_comes_from_settings(client, mailoutbox, settings):
    settings.SITE_NAME = "Coorace #Municipales2026"
    sign_up(client, "lea@exemple.test")
    assert "Coorace #Municipales2026" in only(mailoutbox, "lea@exemple.test").body
