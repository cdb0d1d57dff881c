"""Staff write to the signatories in the admin, in a real browser: filter, count, preview,
confirm, send; a recipient unsubscribes from the link of the courriel."""

import re

import pytest
from django.contrib.auth import get_user_model

from pledges.models import EmailOptOut, Mailing
from tests.factories import PASSWORD
from tests.pledges.mailings.data import signatories

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_send_a_mailing_to_a_region_and_a_recipient_unsubscribes(
    page, mailoutbox, screenshot
):
    get_user_model().objects.create_superuser("ines", "ines@coorace.test", PASSWORD)
    signatories()
    mailoutbox.clear()

    page.goto(page.base_url + "/admin/")
    page.get_by_label("Nom d’utilisateur").fill("ines")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.get_by_role("link", name="Envois aux signataires").first.click()
    page.get_by_role("link", name="Ajouter envoi aux signataires").click()

    page.get_by_label("Destinataires").select_option("signatories")
    page.get_by_label("Auvergne-Rhône-Alpes").check()
    page.get_by_label("Objet").fill("Merci {prénom} !")
    page.get_by_role("textbox", name="Message").fill(
        "Bonjour {prénom}, de la liste {liste}.\nÀ bientôt."
    )
    page.get_by_role("button", name="Enregistrer et continuer les modifications").click()

    page.get_by_text("2 destinataires").wait_for()
    assert page.get_by_text("Merci Alice !").is_visible()
    assert page.get_by_text("Bonjour Alice, de la liste Saint-Étienne solidaire.").is_visible()
    screenshot("mailing-draft")

    page.get_by_role("link", name="Envoyer…").click()
    page.get_by_text("Les courriels partent en arrière-plan").wait_for()
    screenshot("mailing-confirm")
    page.get_by_role("button", name="Confirmer l’envoi").click()
    page.get_by_text("Envoi lancé").wait_for()
    assert page.get_by_text("envoyé : 2").is_visible()
    screenshot("mailing-sent")
    assert Mailing.objects.get().state == Mailing.State.SENT
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@exemple.test", "dalila@exemple.test"]

    alice = next(m for m in mailoutbox if m.to == ["alice@exemple.test"])
    link = re.search(r"https?://\S+/desinscription/\S+/", alice.body).group(0)
    page.goto(page.base_url + "/" + link.split("://", 1)[1].partition("/")[2])
    page.get_by_role("button", name="Me désinscrire").click()
    page.get_by_text("n’enverra plus de message de campagne").wait_for()
    screenshot("mailing-unsubscribed")
    assert EmailOptOut.objects.filter(email="alice@exemple.test").exists()
