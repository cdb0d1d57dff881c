"""A moderator works through the queue in the admin, in a real browser."""

import re

import pytest

from communes.models import Commune
from pledges.models import Signature
from tests.factories import PASSWORD, make_candidate, make_moderator, make_pledge, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_moderator_filters_a_departement_approves_one_and_rejects_one(
    page, mailoutbox, screenshot
):
    make_moderator("nadia", first_name="Nadia", last_name="Benali")
    loire = Commune.objects.get(insee_code="42218")
    lea = make_pledge(
        make_candidate(
            user=make_user("lea@exemple.test"), first_name="Léa", last_name="Dupré", commune=loire
        )
    )
    paul = make_pledge(
        make_candidate(
            user=make_user("paul@exemple.test"), first_name="Paul", last_name="Morel", commune=loire
        )
    )
    make_pledge(
        make_candidate(commune=Commune.objects.get(insee_code="69123"), last_name="Lyonnais")
    )
    mailoutbox.clear()

    page.goto(page.base_url + "/admin/")
    page.get_by_label("Nom d’utilisateur").fill("nadia")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.get_by_role("link", name="Signatures").first.click()

    page.goto(page.url + "?status__exact=pending")
    # The département filter is a list: choosing applies it at once (static/js, under the CSP).
    page.get_by_label("Département", exact=True).select_option("42")
    page.wait_for_url(re.compile(r"departement=42"))
    assert "status__exact=pending" in page.url
    assert page.get_by_role("link", name="Léa Dupré").is_visible()
    assert page.get_by_role("link", name="Paul Morel").is_visible()
    assert page.get_by_text("Lyonnais").count() == 0
    screenshot("moderation-queue")

    # « Valider et passer à la suivante » opens the next one of this filtered list.
    page.get_by_role("link", name="Léa Dupré").click()
    page.get_by_role("button", name="Valider et passer à la suivante").click()
    page.get_by_text(
        "Signature validée : la personne candidate est prévenue par courriel."
    ).wait_for()
    assert page.get_by_text("Paul Morel").first.is_visible()
    assert "departement%3D42" in page.url

    page.get_by_label("Candidature introuvable sur les listes officielles").check()
    page.get_by_label(re.compile("Précision envoyée à la personne candidate")).fill(
        "Aucune liste à ce nom."
    )
    page.get_by_role("button", name="Refuser").click()
    page.get_by_text(
        "Signature refusée : la personne candidate est prévenue par courriel."
    ).wait_for()
    screenshot("moderation-decided")

    lea.refresh_from_db()
    paul.refresh_from_db()
    assert (lea.status, paul.status) == (Signature.Status.APPROVED, Signature.Status.REJECTED)
    by_recipient = {email.to[0]: email for email in mailoutbox}
    assert by_recipient["lea@exemple.test"].subject == "Votre signature est validée et publiée"
    rejection = by_recipient["paul@exemple.test"]
    assert rejection.subject == "Votre signature n’a pas été validée"
    assert "Nous n’avons pas trouvé votre candidature sur les listes officielles" in rejection.body
    assert "Aucune liste à ce nom." in rejection.body
