"""Pages a regulator would accept: « Données personnelles », « Mentions légales » from
settings (and the system check that warns when production leaves them empty), « Règles de
publication » that the rejection reason « Contenu inapproprié » names, and the sign-up
page's link to the privacy notice."""

import re

import pytest
from django.core import mail
from django.core.checks import run_checks
from django.urls import reverse

from config.checks import LEGAL_IDENTITY
from pledges.models import RejectionReason
from pledges.moderation.services import reject_pledge
from tests.factories import a_moderator, make_pledge

pytestmark = pytest.mark.django_db

IDENTITY = {
    "SITE_PUBLISHER": "Coorace Exemple",
    "SITE_PUBLISHER_LEGAL_FORM": "association loi 1901",
    "SITE_PUBLISHER_ADDRESS": "7 rue de l’Exemple, 75011 Paris",
    "SITE_PUBLISHER_PHONE": "01 23 45 67 89",
    "SITE_CONTACT_EMAIL": "ecrire@coorace.test",
    "SITE_PRIVACY_EMAIL": "donnees@coorace.test",
    "SITE_PUBLICATION_DIRECTOR": "Dominique Directrice",
    "SITE_HOSTING_PROVIDER": "Hébergeur Exemple SAS",
    "SITE_HOSTING_ADDRESS": "2 quai de l’Hébergeur, 59000 Lille",
    "SITE_HOSTING_PHONE": "03 20 00 00 00",
    "SITE_EMAIL_PROVIDER": "Courrier Exemple SAS",
}


def visible(response) -> str:
    """The page's text, tags dropped and every kind of space read as one plain space."""
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"[\s\u00a0\u202f]+", " ", page)


@pytest.fixture
def identity(settings):
    for name, value in IDENTITY.items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
def no_identity(settings):
    for name in IDENTITY:
        if name not in ("SITE_PUBLISHER", "SITE_CONTACT_EMAIL", "SITE_PRIVACY_EMAIL"):
            setattr(settings, name, "")
    return settings


def test_the_legal_notice_names_publisher_director_and_host_from_settings(client, identity):
    page = visible(client.get("/mentions-legales/"))
    for expected in (
        "Ce site est édité par Coorace Exemple",
        "Forme juridique : association loi 1901",
        "Siège : 7 rue de l’Exemple, 75011 Paris",
        "Téléphone : 01 23 45 67 89",
        "Courriel : ecrire@coorace.test",
        "Directeur ou directrice de la publication : Dominique Directrice",
        "Hébergeur : Hébergeur Exemple SAS",
        "Adresse : 2 quai de l’Hébergeur, 59000 Lille",
        "Téléphone : 03 20 00 00 00",
    ):
        assert expected in page
    assert "non renseigné" not in page


def test_an_empty_setting_shows_non_renseigne_never_a_variable_name(client, no_identity):
    page = visible(client.get("/mentions-legales/"))
    assert "Hébergeur : non renseigné" in page
    assert "Directeur ou directrice de la publication : non renseigné" in page
    assert "SITE_" not in client.get("/mentions-legales/").content.decode()
    assert "SITE_" not in client.get("/donnees-personnelles/").content.decode()


def test_the_privacy_notice_has_every_section_a_regulator_asks_for(client, identity):
    page = visible(client.get("/donnees-personnelles/"))
    # The controller, its address and a contact for data protection.
    assert "Responsable du traitement : Coorace Exemple." in page
    assert "Adresse : 7 rue de l’Exemple, 75011 Paris" in page
    assert "Contact pour les données personnelles : donnees@coorace.test" in page
    # Every purpose with its legal basis.
    for basis in ("6.1.a et 9.2.a", "6.1.b", "6.1.f", "9.2.e"):
        assert basis in page
    # Recipients and processors.
    assert "L’hébergeur du site, sous-traitant : Hébergeur Exemple SAS" in page
    assert "Le prestataire d’envoi des courriels, sous-traitant : Courrier Exemple SAS" in page
    # The retention table.
    assert "Durées de conservation" in page
    # Every right by name.
    for right in (
        "Droit d’accès",
        "Droit de rectification",
        "Droit à l’effacement",
        "Droit à la limitation",
        "Droit d’opposition",
        "Droit à la portabilité",
        "Retrait du consentement",
        "Directives post-mortem",
    ):
        assert right in page
    # The CNIL complaint, with its address and website.
    assert "3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07" in page
    assert (
        'href="https://www.cnil.fr/fr/plaintes"'
        in client.get("/donnees-personnelles/").content.decode()
    )


def test_the_privacy_notice_says_what_ends_publication_and_what_staff_see(client):
    page = visible(client.get("/donnees-personnelles/"))
    assert "Retirer votre signature (ou un engagement) ne retire pas votre consentement" in page
    assert "Supprimer votre compte, depuis « Mon espace », retire votre consentement" in page
    assert "Ce que voit l’équipe avant votre consentement" in page
    for where in ("attestation PDF", "Licence Ouverte", "en garder des copies", "plan du site"):
        assert where in page


def test_the_privacy_notice_covers_the_voters_alerts_and_the_share_buttons(client):
    # Voters give an address for alerts (pledges.alerts): its purpose, basis and retention
    # are on the page, as the retention job applies them (7 days unconfirmed).
    from pledges.alerts.services import PENDING_DAYS

    page = visible(client.get("/donnees-personnelles/"))
    assert "Alertes par courriel" in page and "au plus une fois par jour" in page
    assert f"Alerte par courriel jamais confirmée {PENDING_DAYS} jours après la demande" in page
    assert "aucun réseau social n’est contacté tant que vous n’avez pas cliqué" in page


def test_the_check_warns_in_production_for_each_missing_setting(settings, no_identity):
    settings.DEBUG = False
    warnings = [w for w in run_checks(include_deployment_checks=True) if w.id == "coorace.W001"]
    missing = {name for name in LEGAL_IDENTITY if not getattr(settings, name)}
    assert missing >= {"SITE_HOSTING_PROVIDER", "SITE_PUBLICATION_DIRECTOR"}
    assert {w.msg.split(" ")[0] for w in warnings} == missing
    assert all(w.hint.startswith("Set the SITE_") for w in warnings)


def test_the_check_is_quiet_when_everything_is_set_or_in_debug(settings, identity):
    settings.DEBUG = False
    assert not [w for w in run_checks(include_deployment_checks=True) if w.id == "coorace.W001"]
    settings.SITE_HOSTING_PHONE = ""
    settings.DEBUG = True
    assert not [w for w in run_checks(include_deployment_checks=True) if w.id == "coorace.W001"]


def test_the_check_runs_only_with_deploy(settings, no_identity):
    settings.DEBUG = False
    assert not [w for w in run_checks() if w.id == "coorace.W001"]


def test_the_rules_page_exists_and_every_page_links_to_it(client, identity):
    response = client.get("/regles-de-publication/")
    assert response.status_code == 200
    page = visible(response)
    assert "Règles de publication" in page
    assert "« Contenu inapproprié »" in page
    assert "ecrire@coorace.test" in page
    home = client.get("/").content.decode()
    assert f'href="{reverse("pledges:publication_rules")}"' in home


def test_the_inappropriate_content_reason_names_the_rules_page(client):
    reason = RejectionReason.objects.get(code="inapproprie")
    assert "« Règles de publication »" in reason.candidate_text
    pledge = make_pledge()
    reject_pledge(pledge=pledge, moderator=a_moderator(), reason=reason)
    message = mail.outbox[-1]
    assert pledge.candidate.user.email in message.to
    body = re.sub(r"[\s\u00a0\u202f]+", " ", message.body)
    assert reason.candidate_text.split(" « ")[0] in body
    assert (
        "« Règles de publication » du site : http://127.0.0.1:8000/regles-de-publication/" in body
    )
    html = message.alternatives[0][0]
    assert 'href="http://127.0.0.1:8000/regles-de-publication/"' in html


def test_the_sign_up_page_links_to_the_privacy_notice(client):
    content = client.get(reverse("account_signup")).content.decode()
    assert f'href="{reverse("pledges:privacy")}"' in content
