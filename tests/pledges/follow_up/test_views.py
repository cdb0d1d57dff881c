"""The follow-up's pages through the client: « Mon espace », « Proposer une mise à jour »,
the public page and its documents, and the links from the list and signatory pages."""

import pytest
from django.core.files.storage import FileSystemStorage
from django.test import Client
from django.urls import reverse

from candidates.models import ListOutcome
from pledges.follow_up.services import approve_update
from pledges.models import FollowUpStatus, FollowUpUpdate
from tests.factories import make_moderator, make_user
from tests.pledges.follow_up.data import (
    EXPLANATION,
    PDF,
    elected_individual,
    elected_list,
    member_of,
    member_structure,
    png_bytes,
    post,
    signed,
    upload,
)
from tests.pledges.outcomes.factories import make_elected_list

pytestmark = pytest.mark.django_db
MINE = reverse("pledges:follow_up_mine")
State = FollowUpUpdate.State


def public_url(signature) -> str:
    return reverse("pledges:follow_up_signature", kwargs={"pk": signature.pk})


def propose_url(signature) -> str:
    return reverse("pledges:follow_up_propose", kwargs={"pk": signature.pk})


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    """The page's text with French typography's narrow spaces made plain."""
    return response.content.decode().replace("\u202f", " ").replace("\u00a0", " ")


def form_data(signed_commitment, **fields) -> dict:
    prefix = f"e{signed_commitment.pk}"
    values = {
        "status": FollowUpStatus.IN_PROGRESS,
        "text": EXPLANATION,
        "link": "",
        "source": "",
        **fields,
    }
    data = {f"{prefix}-{name}": value for name, value in values.items() if name != "document"}
    data["engagement"] = str(signed_commitment.pk)
    if "document" in values:
        data[f"{prefix}-document"] = values["document"]
    return data


# ------------------------------------------------------------------ « Mon espace »


def test_mon_espace_links_the_follow_up_once_the_list_is_elected():
    signature = elected_list()
    page = text(logged_in(signature.candidate.user).get(reverse("pledges:space")))
    assert MINE in page
    assert "Mettre à jour le suivi des engagements" in page
    not_elected = make_elected_list(outcome=ListOutcome.NOT_ELECTED)
    page = text(logged_in(not_elected.candidate.user).get(reverse("pledges:space")))
    assert MINE not in page


def test_the_head_sees_a_form_per_commitment_and_posts_an_update(mailoutbox):
    signature = elected_list(codes=("3.1", "1.1"))
    client = logged_in(signature.candidate.user)
    page = client.get(MINE)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    body = text(page)
    assert "Proposer une mise à jour de l’engagement 3.1" in body
    assert "Proposer une mise à jour de l’engagement 1.1" in body
    commitment = signed(signature, "3.1")
    response = client.post(
        MINE,
        form_data(
            commitment,
            status=FollowUpStatus.DONE,
            link="https://exemple.test/deliberation-12-octobre",
            source="Conseil municipal du 12 octobre 2020",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"{MINE}#engagement-{commitment.pk}"
    update = FollowUpUpdate.objects.get()
    assert update.state == State.PENDING
    assert update.status == FollowUpStatus.DONE
    assert update.link == "https://exemple.test/deliberation-12-octobre"
    assert update.author_role == FollowUpUpdate.AuthorRole.LIST
    commitment.refresh_from_db()
    assert commitment.follow_up_status == FollowUpStatus.NOT_STARTED
    after = text(client.get(MINE))
    assert "est envoyée : l’équipe Coorace la relit" in after
    assert "en attente de modération" in after


def test_a_confirmed_colistier_posts_from_mon_espace_but_not_one_still_waiting():
    signature = elected_list()
    member = member_of(signature)
    waiting = member_of(signature, confirm=None)
    commitment = signed(signature, "3.1")
    response = logged_in(member.candidate.user).post(MINE, form_data(commitment))
    assert response.status_code == 302
    assert FollowUpUpdate.objects.get().author == member.candidate.user
    client = logged_in(waiting.candidate.user)
    assert "n’est pas (ou pas encore) celle d’une liste" in text(client.get(MINE))
    assert client.post(MINE, form_data(commitment)).status_code == 404
    assert FollowUpUpdate.objects.count() == 1


def test_an_elected_individual_candidate_reports_from_mon_espace():
    signature = elected_individual()
    client = logged_in(signature.candidate.user)
    assert "Proposer une mise à jour de l’engagement 3.1" in text(client.get(MINE))
    assert client.post(MINE, form_data(signed(signature, "3.1"))).status_code == 302


def test_a_list_not_elected_has_no_form():
    signature = make_elected_list(outcome=ListOutcome.NOT_ELECTED, codes=("3.1",))
    client = logged_in(signature.candidate.user)
    page = text(client.get(MINE))
    assert "Proposer une mise à jour" not in page
    assert client.post(MINE, form_data(signed(signature, "3.1"))).status_code == 404
    assert not FollowUpUpdate.objects.exists()


def test_mon_espace_suivi_asks_to_sign_in():
    response = Client().get(MINE)
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": ""}, "le statut ne change jamais sans explication"),
        ({"link": "javascript:alert(1)"}, "Ce lien n’est pas une adresse web"),
        ({"link": "ftp://exemple.test/cr.pdf"}, "Seuls les liens web sont acceptés"),
        ({"status": "termine"}, "Sélectionnez un choix valide"),
        ({"source": "ligne 1\nligne 2"}, ""),
    ],
)
def test_a_bad_input_is_said_in_french_and_keeps_what_was_typed(fields, message):
    signature = elected_list()
    commitment = signed(signature, "3.1")
    typed = {"source": "Le Progrès, 14 octobre 2020", "text": "Une première ligne de bus gratuite."}
    response = logged_in(signature.candidate.user).post(
        MINE, form_data(commitment, **{**typed, **fields})
    )
    assert response.status_code == 200
    page = text(response)
    assert "Votre saisie est gardée, mais il reste à corriger" in page
    assert message in page
    for name, value in typed.items():
        if name not in fields:
            assert value in page
    assert not FollowUpUpdate.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("faux.pdf", b"<html><script>alert(1)</script></html>", "ni un PDF ni une image"),
        ("gros.pdf", PDF + b"0" * (5 * 1024 * 1024), "plus de 5 Mo"),
        ("image.gif", png_bytes(), "gif"),
    ],
)
def test_a_bad_document_is_said_and_the_text_is_kept(name, content, message):
    signature = elected_list()
    commitment = signed(signature, "3.1")
    response = logged_in(signature.candidate.user).post(
        MINE, form_data(commitment, document=upload(name, content))
    )
    page = text(response)
    assert message in page
    assert EXPLANATION in page
    assert not FollowUpUpdate.objects.exists()


def test_a_storage_failure_is_said_and_the_text_is_kept(monkeypatch):
    signature = elected_list()
    commitment = signed(signature, "3.1")

    def fail(*args, **kwargs):
        raise OSError("stockage indisponible")

    monkeypatch.setattr(FileSystemStorage, "save", fail)
    response = logged_in(signature.candidate.user).post(
        MINE, form_data(commitment, document=upload("deliberation.pdf", PDF))
    )
    page = text(response)
    assert "Le document n’a pas pu être enregistré" in page
    assert EXPLANATION in page
    assert not FollowUpUpdate.objects.exists()


def test_a_document_sent_is_stored_with_the_update():
    signature = elected_list()
    commitment = signed(signature, "3.1")
    response = logged_in(signature.candidate.user).post(
        MINE, form_data(commitment, document=upload("photo.png", png_bytes()))
    )
    assert response.status_code == 302
    assert FollowUpUpdate.objects.get().document.name.endswith(".png")


# ------------------------------------------------------------------ « Proposer une mise à jour »


def test_staff_and_member_structures_propose_from_the_public_page():
    signature = elected_list()
    commitment = signed(signature, "3.1")
    for user, role in (
        (make_moderator(), FollowUpUpdate.AuthorRole.STAFF),
        (member_structure(), FollowUpUpdate.AuthorRole.MEMBER),
    ):
        client = logged_in(user)
        assert propose_url(signature) in text(client.get(public_url(signature)))
        assert "Proposer une mise à jour de l’engagement 3.1" in text(
            client.get(propose_url(signature))
        )
        assert client.post(propose_url(signature), form_data(commitment)).status_code == 302
        assert FollowUpUpdate.objects.latest("pk").author_role == role


def test_anyone_else_is_refused_and_a_signature_not_elected_is_not_found():
    signature = elected_list()
    stranger = logged_in(make_user())
    assert stranger.get(propose_url(signature)).status_code == 403
    assert (
        stranger.post(propose_url(signature), form_data(signed(signature, "3.1"))).status_code
        == 403
    )
    assert propose_url(signature) not in text(stranger.get(public_url(signature)))
    not_elected = make_elected_list(outcome=ListOutcome.NOT_ELECTED)
    assert logged_in(make_moderator()).get(propose_url(not_elected)).status_code == 404
    assert not FollowUpUpdate.objects.exists()


def test_the_list_is_sent_to_mon_espace_to_report():
    signature = elected_list()
    client = logged_in(signature.candidate.user)
    assert MINE in text(client.get(public_url(signature)))
    response = client.get(propose_url(signature))
    assert response.status_code == 302 and response["Location"] == MINE


# ------------------------------------------------------------------ the public page


def test_the_public_page_shows_only_approved_updates_with_their_dates_and_sources():
    signature = elected_list(codes=("3.1", "1.1"))
    approved = post(
        signature,
        status=FollowUpStatus.DONE,
        text="Gratuité votée au conseil du 12 octobre.",
        link="https://exemple.test/deliberation",
        source="Délibération n° 2020-114",
        document=upload("deliberation.pdf", PDF),
    )
    approve_update(approved, make_moderator())
    post(signature, text="Un texte encore en attente de modération.")
    response = Client().get(public_url(signature))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    page = text(response)
    assert f"Le suivi des engagements de la liste « {signature.electoral_list.name} »" in page
    assert "Gratuité votée au conseil du 12 octobre." in page
    assert "https://exemple.test/deliberation" in page
    assert "Délibération n° 2020-114" in page
    assert reverse("pledges:follow_up_document", args=[approved.pk]) in page
    assert "la liste élue" in page
    assert "réalisé" in page
    assert "Un texte encore en attente de modération." not in page
    assert "Aucune mise à jour publiée pour l’instant." in page  # 1.1


@pytest.mark.parametrize(
    "make",
    [
        lambda: make_elected_list(outcome=ListOutcome.NOT_ELECTED),
        lambda: make_elected_list(status="pending"),
    ],
)
def test_the_public_page_of_a_signature_not_elected_is_not_found(make):
    assert Client().get(public_url(make())).status_code == 404


def test_the_public_page_runs_the_same_queries_whatever_the_updates(django_assert_num_queries):
    moderator = make_moderator()
    small = elected_list(codes=("3.1",))
    approve_update(post(small), moderator)
    large = elected_list(codes=("1.1", "2.1", "3.1", "4.1", "5.1"))
    for code in ("1.1", "2.1", "3.1", "4.1", "5.1"):
        for _ in range(3):
            approve_update(post(large, code), moderator)
    client = Client()
    for signature in (small, large):
        with django_assert_num_queries(3):
            assert client.get(public_url(signature)).status_code == 200


# ------------------------------------------------------------------ documents


def test_an_approved_document_is_a_download_that_cannot_run_a_script():
    signature = elected_list()
    update = post(signature, document=upload("deliberation.pdf", PDF))
    url = reverse("pledges:follow_up_document", args=[update.pk])
    assert Client().get(url).status_code == 404  # pending: not public
    approve_update(update, make_moderator())
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF
    image = post(signature, document=upload("photo.png", png_bytes()))
    approve_update(image, make_moderator())
    response = Client().get(reverse("pledges:follow_up_document", args=[image.pk]))
    assert response["Content-Type"] == "image/png"


def test_a_document_leaves_with_the_list_s_election():
    signature = elected_list()
    update = post(signature, document=upload("deliberation.pdf", PDF))
    approve_update(update, make_moderator())
    signature.electoral_list.outcome = ListOutcome.NOT_ELECTED
    signature.electoral_list.save(update_fields=["outcome"])
    url = reverse("pledges:follow_up_document", args=[update.pk])
    assert Client().get(url).status_code == 404


# ------------------------------------------------------------------ list and signatory pages


def test_the_list_and_signatory_pages_link_the_follow_up_with_a_badge_per_commitment():
    signature = elected_list(codes=("3.1", "1.1"))
    approve_update(post(signature, status=FollowUpStatus.DONE), make_moderator())
    for url in (signature.electoral_list.get_absolute_url(), signature.get_absolute_url()):
        page = text(Client().get(url))
        assert "Après le vote : le suivi public de chaque engagement" in page
        assert f"{public_url(signature)}#engagement-3.1" in page
        assert "suivi : réalisé" in page
        assert "suivi : pas encore commencé" in page  # 1.1


def test_no_follow_up_on_the_pages_of_a_list_not_elected():
    signature = make_elected_list(outcome=ListOutcome.NOT_ELECTED)
    for url in (signature.electoral_list.get_absolute_url(), signature.get_absolute_url()):
        page = text(Client().get(url))
        assert "suivi public" not in page
        assert "follow-up-badge" not in page
