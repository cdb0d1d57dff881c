import pytest
from django.urls import reverse

from pledges.models import Campaign, Signature
from tests.factories import PASSWORD, approve, commitments, make_candidate, make_pledge, make_user

pytestmark = pytest.mark.django_db

SIGN = reverse("pledges:sign")
SPACE = reverse("pledges:space")


@pytest.fixture
def candidate_client(client, settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["moderation@coorace.test"]
    candidate = make_candidate(user=make_user("lea@exemple.test"), first_name="Léa")
    client.force_login(candidate.user)
    client.candidate = candidate
    return client


def ids(*codes):
    return [str(c.pk) for c in commitments(*codes)]


def sign_data(*codes, candidacy=True, publication=True):
    data = {"commitments": ids(*codes)}
    if candidacy:
        data["consent_candidacy"] = "on"
    if publication:
        data["consent_publication"] = "on"
    return data


def page(response):
    return response.content.decode()


def checked(response, code):
    pk = commitments(code)[0].pk
    return f'value="{pk}" id="engagement-{pk}" checked' in page(response)


def test_the_signing_page_shows_the_proposals_commitments_and_consents(candidate_client):
    response = candidate_client.get(SIGN)
    assert response.status_code == 200
    content = page(response)
    assert content.count('type="checkbox" name="commitments"') == 20
    assert content.count("data-check-all") == 10
    assert "Pour favoriser le retour à l’emploi des personnes" in content  # a context paragraph
    assert (
        "Je certifie être candidat·e aux élections municipales 2020 "
        "dans la commune de Saint-Étienne (42)." in content
    )
    assert "J’accepte que mon nom, ma commune, mon rôle, ma liste" in content


def test_signing_puts_the_pledge_in_moderation_and_says_so(candidate_client, mailoutbox):
    response = candidate_client.post(SIGN, sign_data("1.1", "4.1"), follow=True)
    assert response.redirect_chain == [(SPACE, 302)]
    content = page(response)
    list_name = candidate_client.candidate.list_name
    assert (
        f"Votre signature est enregistrée pour la liste «\u202f{list_name}\u202f»\u202f: "
        "elle est en attente de validation par Coorace." in content
    )
    assert "en attente de validation" in content
    pledge = Signature.objects.get()
    assert pledge.status == Signature.Status.PENDING
    # The receipt; staff hear of it in their digest (tests/pledges/signing/test_staff_digest.py).
    assert [m.to for m in mailoutbox] == [["lea@exemple.test"]]


def test_no_commitment_ticked_is_refused_and_the_consents_are_kept(candidate_client):
    response = candidate_client.post(SIGN, sign_data())
    assert response.status_code == 200
    assert "Cochez au moins un engagement." in page(response)
    assert 'name="consent_candidacy" required id="id_consent_candidacy" checked' in page(response)
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"candidacy": False}, "Cochez cette case pour certifier votre candidature."),
        ({"publication": False}, "Cochez cette case pour accepter la publication"),
    ],
)
def test_a_missing_consent_is_refused_and_the_ticks_are_kept(candidate_client, missing, message):
    response = candidate_client.post(SIGN, sign_data("2.2", "8.3", **missing))
    assert message in page(response)
    assert checked(response, "2.2") and checked(response, "8.3") and not checked(response, "1.1")
    assert not Signature.objects.exists()


def test_a_double_click_creates_one_pledge(candidate_client, mailoutbox):
    candidate_client.post(SIGN, sign_data("1.1"))
    candidate_client.post(SIGN, sign_data("1.1"))
    assert Signature.objects.count() == 1
    assert len(mailoutbox) == 1  # one receipt (staff hear of it in their digest)


def test_a_forged_commitment_id_is_refused(candidate_client):
    response = candidate_client.post(SIGN, {**sign_data("1.1"), "commitments": ["999999", "abc"]})
    assert "Un des engagements choisis n’existe pas" in page(response)
    assert not Signature.objects.exists()


def test_without_a_profile_the_candidate_starts_there(client):
    client.force_login(make_user())
    response = client.get(SIGN)
    assert response.status_code == 302
    assert response["Location"] == reverse("pledges:profile")


def test_an_expired_session_keeps_the_ticked_commitments(client):
    candidate = make_candidate(user=make_user("expire@exemple.test"))
    response = client.post(SIGN, sign_data("3.1", "6.1"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    login_url = response["Location"]  # /compte/connexion/?next=/signer/
    response = client.post(
        login_url, {"login": "expire@exemple.test", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == SIGN
    assert "les engagements que vous aviez cochés sont gardés" in page(response)
    assert checked(response, "3.1") and checked(response, "6.1") and not checked(response, "1.1")
    assert not Signature.objects.filter(candidate=candidate).exists()


def test_while_pending_the_signing_page_shows_what_was_signed(candidate_client):
    make_pledge(candidate_client.candidate, codes=("5.1", "7.2"))
    response = candidate_client.get(SIGN)
    assert checked(response, "5.1") and checked(response, "7.2") and not checked(response, "1.1")
    assert "Enregistrer les modifications" in page(response)


def test_when_signing_is_closed_the_candidate_is_told_and_nothing_is_lost(candidate_client):
    Campaign.objects.update(signing_override="closed")
    response = candidate_client.post(SIGN, sign_data("1.2", "9.1"))
    content = page(response)
    assert "Les signatures sont fermées" in content
    assert checked(response, "1.2") and checked(response, "9.1")
    assert not Signature.objects.exists()


def test_when_signing_is_closed_mon_espace_still_offers_withdrawal_and_download(candidate_client):
    approve(make_pledge(candidate_client.candidate, codes=("1.1", "2.1")))
    Campaign.objects.update(signing_override="closed")
    content = page(candidate_client.get(SPACE))
    assert "Les signatures sont fermées. Vous pouvez toujours consulter votre signature" in content
    assert "Retirer l’engagement 1.1" in content
    assert "Signer l’engagement 3.1" not in content
    assert "Télécharger toutes mes données (JSON)" in content
    assert "Retirer ma signature…" in content


def test_mon_espace_shows_the_status_and_what_happens_next(candidate_client):
    make_pledge(candidate_client.candidate)
    content = page(candidate_client.get(SPACE))
    assert "en attente de validation" in content
    assert "L’équipe Coorace vérifie que vous êtes bien candidat·e dans votre commune" in content
    assert "rien n’est public et vous pouvez tout modifier" in content


def test_after_approval_commitments_are_added_and_withdrawn_from_mon_espace(candidate_client):
    pledge = approve(make_pledge(candidate_client.candidate, codes=("1.1", "2.1")))
    add = reverse("pledges:add_commitment", args=[commitments("8.1")[0].pk])
    response = candidate_client.post(add, follow=True)
    assert "Engagement 8.1 ajouté." in page(response)
    withdraw = reverse("pledges:withdraw_commitment", args=[commitments("1.1")[0].pk])
    response = candidate_client.post(withdraw, follow=True)
    assert "Engagement 1.1 retiré. Il reste visible comme retiré, avec la date." in page(response)
    assert "Retiré le" in page(response)
    assert sorted(s.commitment.code for s in pledge.active_signatures()) == ["2.1", "8.1"]


def test_withdrawing_the_last_commitment_explains_what_to_do(candidate_client):
    approve(make_pledge(candidate_client.candidate, codes=("1.1",)))
    withdraw = reverse("pledges:withdraw_commitment", args=[commitments("1.1")[0].pk])
    response = candidate_client.post(withdraw, follow=True)
    assert (
        "C’est votre dernier engagement\u202f: pour tout retirer, retirez votre signature entière."
        in page(response)
    )


def test_withdrawing_the_whole_signature_asks_for_confirmation(candidate_client):
    pledge = approve(make_pledge(candidate_client.candidate))
    url = reverse("pledges:withdraw")
    assert (
        "le site l’indiquera\u202f: «\u202fsignature retirée\u202f», avec la date"
        in page(candidate_client.get(url)).lower()
    )
    response = candidate_client.post(url, follow=True)
    assert "Votre signature est retirée." in page(response)
    pledge.refresh_from_db()
    assert pledge.status == Signature.Status.WITHDRAWN


def test_nobody_reaches_another_accounts_pledge_by_changing_an_id(client):
    victim = approve(make_pledge(codes=("1.1", "2.1")))
    intruder = make_candidate()
    client.force_login(intruder.user)
    withdraw = reverse("pledges:withdraw_commitment", args=[commitments("1.1")[0].pk])
    assert client.post(withdraw).status_code == 404  # the intruder has no pledge
    make_pledge(intruder, codes=("3.1", "4.1"))
    client.post(withdraw)  # acts on the intruder's own pledge only
    assert sorted(s.commitment.code for s in victim.active_signatures()) == ["1.1", "2.1"]
    assert client.post(reverse("pledges:withdraw")).status_code == 302
    victim.refresh_from_db()
    assert victim.status == Signature.Status.APPROVED


def test_commitment_actions_are_post_only(candidate_client):
    make_pledge(candidate_client.candidate)
    url = reverse("pledges:add_commitment", args=[commitments("8.1")[0].pk])
    assert candidate_client.get(url).status_code == 405
