"""The invitation letter: its HTML (the list, the campaign, the QR code of the short link),
its PDF read back with pdftotext, one page per list, and its printing from the admin."""

import pytest
from django.urls import reverse

from communes.models import Commune, Secteur
from pledges.certificates.pdf import qr_code_svg
from pledges.models import Campaign
from pledges.roster.letters import render_letters_html, render_letters_pdf, short_link
from tests.factories import make_moderator, make_official_list
from tests.pledges.certificates.test_services import pdf_info, pdf_text

pytestmark = pytest.mark.django_db

SITE = "https://engagements.coorace.example"
CHANGELIST = reverse("admin:candidates_officiallist_changelist")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def saint_etienne_list(**fields):
    fields.setdefault("name", "Saint-Étienne, ville solidaire")
    fields.setdefault("head", ("Léa", "Dupré-Lefèvre"))
    return make_official_list(Commune.objects.get(insee_code="42218"), **fields)


def test_the_short_link_is_the_sites_address_and_the_lists_code():
    official_list = saint_etienne_list()
    assert short_link(official_list) == f"{SITE}/l/{official_list.invitation_code}/"


def test_the_letter_names_the_list_its_head_the_campaign_and_carries_the_qr_code():
    official_list = saint_etienne_list(panel_number=4)
    html = plain(render_letters_html([official_list], campaign=Campaign.objects.current()))
    assert "Votre liste est invitée à signer" in html
    assert "« S’engager pour les territoires inclusifs de demain ! »" in html
    assert "« Saint-Étienne, ville solidaire »" in html
    assert "À l’attention de <strong>Léa Dupré-Lefèvre</strong>, tête de liste" in html
    assert "Saint-Étienne (42)" in html
    assert "panneau n° 4, premier tour des élections municipales 2020" in html
    assert "La charte compte 20 engagements, en 10 propositions" in html
    assert "Développer des clauses d’insertion dans les marchés publics" in html
    link = short_link(official_list)
    assert link in html
    # The QR code is the short link's (the one function that draws the certificates' too).
    assert qr_code_svg(link) in html


def test_a_hostile_list_name_prints_as_text():
    official_list = saint_etienne_list(name="</style><script>alert(1)</script>")
    html = render_letters_html([official_list], campaign=Campaign.objects.current())
    assert "<script>alert(1)" not in html
    assert "&lt;/style&gt;&lt;script&gt;" in html


def test_the_pdf_reads_back_with_the_lists_name_and_the_short_link(tmp_path):
    official_list = saint_etienne_list()
    data = render_letters_pdf([official_list], campaign=Campaign.objects.current())
    assert data.startswith(b"%PDF")
    text = plain(pdf_text(data, tmp_path))
    assert "Votre liste est invitée à signer" in text
    assert "« Saint-Étienne, ville solidaire »" in text
    assert "Léa Dupré-Lefèvre" in text
    assert f"{SITE}/l/{official_list.invitation_code}/" in text.replace(" ", "")
    assert pdf_info(data, tmp_path)["Pages"].strip() == "1"


def test_several_lists_make_one_pdf_with_a_page_each(tmp_path):
    marseille = Secteur.objects.get(commune__insee_code="13055", number=1)
    lists = [
        saint_etienne_list(),
        make_official_list(marseille.commune, secteur=marseille, name="Marseille en commun"),
        saint_etienne_list(name="Agir pour Saint-Étienne"),
    ]
    data = render_letters_pdf(lists, campaign=Campaign.objects.current())
    assert pdf_info(data, tmp_path)["Pages"].strip() == "3"
    text = plain(pdf_text(data, tmp_path))
    assert "« Marseille en commun »" in text and "Marseille, Marseille 1er secteur" in text
    for official_list in lists:
        assert f"/l/{official_list.invitation_code}/" in text.replace(" ", "")


def test_staff_print_the_letters_of_the_lists_they_chose(client, tmp_path):
    first, second, third = (saint_etienne_list(name=f"Liste {n}") for n in "ABC")
    client.force_login(make_moderator())
    response = client.post(
        CHANGELIST,
        {"action": "print_letters_action", "_selected_action": [first.pk, third.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="lettres-invitation-')
    data = response.content
    assert pdf_info(data, tmp_path)["Pages"].strip() == "2"
    text = pdf_text(data, tmp_path)
    assert "Liste A" in text and "Liste C" in text and "Liste B" not in text
    # One list's letter, from its page.
    response = client.get(reverse("admin:candidates_officiallist_letter", args=[second.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "Liste B" in pdf_text(response.content, tmp_path)


def test_too_many_letters_at_once_are_refused_with_a_french_message(client, monkeypatch):
    monkeypatch.setattr("pledges.roster.admin.MAX_LETTERS_PER_PDF", 1)
    lists = [saint_etienne_list(name=f"Liste {n}") for n in "AB"]
    client.force_login(make_moderator())
    response = client.post(
        CHANGELIST,
        {"action": "print_letters_action", "_selected_action": [ol.pk for ol in lists]},
        follow=True,
    )
    assert response["Content-Type"].startswith("text/html")
    assert any(
        "2 lettres, c’est trop pour un seul PDF" in str(message)
        for message in response.context["messages"]
    )
