"""Consent that matches what is published.

The publication consent names everything public and where (the site's pages, the PDF,
the open data under the Licence Ouverte with its copies, search engines through the
sitemap) and how publication ends; withdrawing a signature is not called a withdrawal of
consent, since a withdrawn signature stays public. The political label and the statement,
which may reveal opinions, are stored only with the consent ticked beside them in « Ma
candidature », whose text and date are kept.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from candidates.models import Candidate
from candidates.services import OPINIONS_CONSENT, save_candidate
from communes.models import Commune
from pledges.lists.services import JOIN_CONSENT
from pledges.models import Signature
from pledges.signing.services import PUBLICATION_CONSENT, submit_pledge, withdraw_pledge
from tests.factories import commitments, make_candidate, make_pledge, make_user

pytestmark = pytest.mark.django_db

PROFILE = reverse("pledges:profile")


def visible(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"[\s\u00a0\u202f]+", " ", page)


def profile_data(**overrides) -> dict:
    data = {
        "first_name": "Camille",
        "last_name": "Durand",
        "commune_query": "Saint-Étienne (42)",
        "commune": "42218",
        "role": "head_of_list",
        "list_name": "Saint-Étienne solidaire",
        "political_label": "Divers gauche",
        "website": "",
        "statement": "Pour une ville inclusive.",
        "phone": "",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- what the consent says


@pytest.mark.parametrize(
    "published",
    [
        "mon nom",
        "ma commune",
        "mon rôle",
        "ma liste",
        "mon étiquette politique",
        "mon site web",
        "ma déclaration",
        "les engagements que je signe",
        "l’historique de ma signature",
        "sur les pages de ce site",
        "mon attestation PDF téléchargeable",
        "données ouvertes du site sous Licence Ouverte",
        "en garder des copies",
        "moteurs de recherche, par le plan du site",
    ],
)
def test_the_publication_consent_lists_what_is_public_and_where(published):
    assert published in PUBLICATION_CONSENT


def test_the_publication_consent_says_how_it_ends_and_that_withdrawing_does_not():
    assert "Retirer ma signature ne met pas fin à la publication" in PUBLICATION_CONSENT
    assert "« signature retirée »" in PUBLICATION_CONSENT
    assert "quand je supprime mon compte, ce qui retire ce consentement" in PUBLICATION_CONSENT
    assert "en retirant ma signature" not in PUBLICATION_CONSENT


def test_what_the_consent_says_of_a_withdrawal_is_what_the_site_does(client):
    pledge = make_pledge(status=Signature.Status.APPROVED)
    withdraw_pledge(pledge=pledge)
    # Withdrawn, still public (« signature retirée »): on its page, in the open data and
    # the sitemap, as the consent, the withdrawal page and « Données personnelles » say;
    # the PDF is no longer served.
    assert Signature.objects.public().filter(pk=pledge.pk).exists()
    page = visible(client.get(pledge.get_absolute_url()))
    assert "signature retirée" in page.lower()
    csv = b"".join(client.get("/donnees/signataires.csv").streaming_content).decode("utf-8-sig")
    assert pledge.candidate.last_name in csv
    assert pledge.get_absolute_url() in client.get("/sitemap-signataires.xml").content.decode()
    download = reverse("pledges:certificate_download", kwargs={"pk": pledge.pk})
    assert client.get(download).status_code == 404
    client.force_login(pledge.candidate.user)
    withdrawal = visible(client.get(reverse("pledges:withdraw")))
    assert "ne retire pas votre consentement à la publication" in withdrawal


def test_the_join_consent_lists_the_list_page_open_data_and_sitemap():
    text = JOIN_CONSENT.format(name="Marseille en commun")
    for published in (
        "sur la liste « Marseille en commun »",
        "sur la page de la liste",
        "sous Licence Ouverte",
        "en garder des copies",
        "par le plan du site",
        "en quittant la liste ou en supprimant mon compte",
    ):
        assert published in text


def test_the_signing_page_shows_the_publication_consent_and_stores_it(client):
    candidate = make_candidate()
    client.force_login(candidate.user)
    page = visible(client.get(reverse("pledges:sign")))
    assert "Vos deux consentements" in page
    assert re.sub(r"\s+", " ", PUBLICATION_CONSENT.split(" : ")[0]) in page
    pledge = submit_pledge(candidate=candidate, commitments=commitments("1.1"))
    assert pledge.consent_publication_text == PUBLICATION_CONSENT


# ---------------------------------------------------------------- the label and the statement


def test_a_label_typed_without_its_consent_is_not_stored(client):
    user = make_user()
    client.force_login(user)
    response = client.post(PROFILE, profile_data())
    assert response.status_code == 200
    assert "Cochez le consentement à l’enregistrement de votre étiquette politique" in visible(
        response
    )
    assert not Candidate.objects.filter(user=user).exists()


def test_a_statement_alone_also_needs_the_consent(client):
    user = make_user()
    client.force_login(user)
    client.post(PROFILE, profile_data(political_label=""))
    assert not Candidate.objects.filter(user=user).exists()


def test_the_consent_is_asked_beside_the_label_on_ma_candidature(client):
    client.force_login(make_user())
    content = client.get(PROFILE).content.decode()
    label = content.index('name="political_label"')
    statement = content.index('name="statement"')
    consent = content.index('name="opinions_consent"')
    assert label < statement < consent < content.index('name="phone"')
    assert re.sub(r"\s+", " ", OPINIONS_CONSENT.split(",")[0]) in visible(client.get(PROFILE))


def test_a_label_typed_with_its_consent_is_stored_with_its_text_and_date(client):
    user = make_user()
    client.force_login(user)
    response = client.post(PROFILE, profile_data(opinions_consent="on"))
    assert response.status_code == 302
    candidate = Candidate.objects.get(user=user)
    assert candidate.political_label == "Divers gauche"
    assert candidate.statement == "Pour une ville inclusive."
    assert candidate.opinions_consent_text == OPINIONS_CONSENT
    assert candidate.opinions_consent_at is not None
    # Saved again: the same consent, its first date kept; the box shows ticked.
    first = candidate.opinions_consent_at
    client.post(PROFILE, profile_data(opinions_consent="on", website="https://exemple.org"))
    candidate.refresh_from_db()
    assert candidate.opinions_consent_at == first
    assert 'name="opinions_consent" id="id_opinions_consent" checked' in (
        client.get(PROFILE).content.decode()
    )


def test_without_label_nor_statement_no_consent_is_needed_nor_kept(client):
    user = make_user()
    client.force_login(user)
    response = client.post(PROFILE, profile_data(political_label="", statement=""))
    assert response.status_code == 302
    candidate = Candidate.objects.get(user=user)
    assert (candidate.opinions_consent_text, candidate.opinions_consent_at) == ("", None)


def test_emptying_both_fields_withdraws_the_consent_and_erases_them(client):
    user = make_user()
    client.force_login(user)
    client.post(PROFILE, profile_data(opinions_consent="on"))
    # Unticking alone is refused: the fields would stay without consent.
    response = client.post(PROFILE, profile_data())
    assert "Cochez le consentement" in visible(response)
    assert Candidate.objects.get(user=user).opinions_consent_at is not None
    client.post(PROFILE, profile_data(political_label="", statement=""))
    candidate = Candidate.objects.get(user=user)
    assert (candidate.political_label, candidate.statement) == ("", "")
    assert (candidate.opinions_consent_text, candidate.opinions_consent_at) == ("", None)


def test_the_service_itself_refuses_a_label_without_consent():
    fields = {
        "first_name": "Camille",
        "last_name": "Durand",
        "commune": Commune.objects.get(insee_code="42218"),
        "role": Candidate.Role.HEAD_OF_LIST,
        "list_name": "Saint-Étienne solidaire",
        "political_label": "Divers gauche",
    }
    user = make_user()
    with pytest.raises(ValidationError) as error:
        save_candidate(user=user, **fields)
    assert "opinions_consent" in error.value.message_dict
    assert not Candidate.objects.filter(user=user).exists()
    candidate = save_candidate(user=user, opinions_consent=True, **fields)
    assert candidate.opinions_consent_text == OPINIONS_CONSENT


def test_the_data_export_holds_the_consent(client):
    user = make_user()
    client.force_login(user)
    client.post(PROFILE, profile_data(opinions_consent="on"))
    data = client.get(reverse("pledges:export_data")).json()
    consent = data["candidature"]["consentement_etiquette_et_declaration"]
    assert consent["texte"] == OPINIONS_CONSENT
    assert consent["date"]


def test_the_privacy_notice_documents_what_staff_see_before_consent(client):
    page = visible(client.get(reverse("pledges:privacy")))
    assert "Ce que voit l’équipe avant votre consentement" in page
    assert "l’étiquette politique et la déclaration seulement si vous avez consenti" in page
