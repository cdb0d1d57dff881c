"""Moderation knows lists: the queue says what each signature is and needs, staff verify a
list once by approving its signature, settle claims and decide joins from the list's page,
and see each candidate's ballot choice."""

import pytest
from django.urls import reverse

from candidates.models import Candidate
from communes.models import Commune, Secteur
from pledges.lists.services import ListAlreadyHeaded, decide_join, request_join
from pledges.models import AuditEntry, ElectoralList, ListClaim, ListMembership, Signature
from pledges.signing.services import submit_pledge
from tests.factories import (
    approve,
    commitments,
    make_candidate,
    make_commune,
    make_moderator,
    make_pledge,
)
from tests.pledges.moderation.conftest import CHANGELIST, decide_url, page, pledge_in, rows

pytestmark = pytest.mark.django_db

Status = Signature.Status
Membership = ListMembership.Status
LISTS = reverse("admin:pledges_electorallist_changelist")


def list_page(electoral_list):
    return reverse("admin:pledges_electorallist_change", args=[electoral_list.pk])


def join(pledge, *, confirmed=True, **fields):
    candidate = make_candidate(role=Candidate.Role.CANDIDATE, list_name="", **fields)
    membership = request_join(
        candidate=candidate, electoral_list=pledge.electoral_list, consent=True
    )
    if confirmed:
        decide_join(membership=membership, user=pledge.candidate.user, accept=True)
    return membership


def claim(name, **fields):
    rival = make_candidate(list_name=name, **fields)
    with pytest.raises(ListAlreadyHeaded):
        make_pledge(rival)
    return ListClaim.objects.get(candidate=rival)


def row_of(response, pledge):
    """The queue's row of `pledge`, as HTML."""
    content = page(response)
    marker = f'value="{pledge.pk}"'
    start = content.index(marker)
    return content[start : content.index("</tr>", start)]


# ---------------------------------------------------------------- the queue


def test_the_queue_says_what_each_signature_is_and_what_it_needs(moderator_client):
    head = pledge_in("42218", list_name="Unis pour Saint-Étienne")
    member = join(head, first_name="Paul", last_name="Morel")
    personal = submit_pledge(candidate=member.candidate, commitments=commitments("3.1"))
    individual = make_pledge(
        make_candidate(
            role=Candidate.Role.INDIVIDUAL,
            list_name="Vivre à Lucciana",
            commune=make_commune(name="Lucciana", population=900),
        )
    )
    against = make_pledge(
        make_candidate(
            role=Candidate.Role.INDIVIDUAL,
            list_name="",
            ballot_note="Les listes ne sont pas encore déposées ici.",
            commune=Commune.objects.get(insee_code="69123"),
        )
    )
    response = moderator_client.get(CHANGELIST)
    row = row_of(response, head)
    assert "Liste «\u202fUnis pour Saint-Étienne\u202f» — Saint-Étienne — 1 colistier·e" in row
    assert "liste à vérifier\u202f: existence et tête de liste" in row
    row = row_of(response, personal)
    assert "À titre personnel — colistier·e de «\u202fUnis pour Saint-Étienne\u202f»" in row
    assert (
        "engagements à titre personnel d’un·e colistier·e\u202f: sa liste n’est pas encore validée"
        in row
    )
    row = row_of(response, individual)
    assert "Candidature individuelle — groupe «\u202fVivre à Lucciana\u202f»" in row
    assert "candidature individuelle\u202f: la personne et sa commune" in row
    assert "mode de scrutin contraire" not in row
    row = row_of(response, against)
    assert (
        "mode de scrutin contraire à l’indication\u202f: "
        "«\u202fLes listes ne sont pas encore déposées ici.\u202f»" in row
    )
    # The list approved: its colistier's personal commitments need only their own check.
    approve(head)
    response = moderator_client.get(CHANGELIST)
    row = row_of(response, personal)
    assert "engagements à titre personnel d’un·e colistier·e de liste validée" in row
    assert "liste à vérifier" not in row_of(response, head)  # decided: nothing to check


def test_the_detail_page_shows_the_ballot_choice_and_the_list(moderator_client):
    secteur = Secteur.objects.get(commune__insee_code="13055", number=1)
    pledge = pledge_in(
        "13055", secteur=secteur, list_name="Marseille d’abord", ballot_note="", phone=""
    )
    content = page(
        moderator_client.get(reverse("admin:pledges_signature_change", args=[pledge.pk]))
    )
    assert (
        f"Liste «\u202fMarseille d’abord\u202f» — Marseille, {secteur.name} — 0 colistier·e"
        in content
    )
    assert "Scrutin de liste (conforme à l’indication)" in content
    assert "liste à vérifier\u202f: existence et tête de liste" in content


# ---------------------------------------------------------------- approving verifies the list


def test_a_claimed_list_is_approved_once_the_claim_is_settled(moderator_client, mailoutbox):
    head = pledge_in("42218", list_name="Unis")
    open_claim = claim("UNIS", first_name="Zoé", last_name="Roux")
    response = moderator_client.post(decide_url(head, "valider"), follow=True)
    assert (
        "Une autre personne revendique la tête de la liste «\u202fUnis\u202f»\u202f: "
        "tranchez d’abord la revendication sur la fiche de la liste, puis validez."
        in page(response)
    )
    head.refresh_from_db()
    assert head.status == Status.PENDING
    url = reverse(
        "admin:pledges_electorallist_claim", args=[head.electoral_list_id, open_claim.pk, "clore"]
    )
    response = moderator_client.post(
        url, {"note": "Tête confirmée par la préfecture."}, follow=True
    )
    closed = "Revendication de Zoé Roux close\u202f: la tête de liste ne change pas."
    assert closed in page(response)
    open_claim.refresh_from_db()
    assert open_claim.settled_by == moderator_client.user
    assert open_claim.note == "Tête confirmée par la préfecture."
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CLAIM_SETTLED)
    assert entry.pledge == head and entry.changes == {"claim": [open_claim.pk, "closed"]}
    response = moderator_client.post(decide_url(head, "valider"), follow=True)
    head.refresh_from_db()
    assert head.status == Status.APPROVED


def test_approving_a_flagged_list_clears_its_review_note(moderator_client):
    head = pledge_in("42218", list_name="Reprise")
    note = "Liste sans tête reprise par Léa Dupré le 01/12/2026 : à vérifier."
    ElectoralList.objects.filter(pk=head.electoral_list_id).update(review_note=note)
    assert rows(moderator_client.get(CHANGELIST, {"doublon": "liste"})) == [head]
    moderator_client.post(decide_url(head, "valider"))
    electoral_list = ElectoralList.objects.get(pk=head.electoral_list_id)
    assert electoral_list.review_note == ""
    entry = AuditEntry.objects.get(action=AuditEntry.Action.APPROVED)
    assert entry.changes == {"status": ["pending", "approved"], "review_note": [note, ""]}
    assert rows(moderator_client.get(CHANGELIST, {"doublon": "liste"})) == []


# ---------------------------------------------------------------- the list's page


def test_the_list_page_shows_head_secteur_signature_members_and_claims(moderator_client):
    secteur = Secteur.objects.get(commune__insee_code="13055", number=1)
    head = pledge_in(
        "13055", secteur=secteur, first_name="Léa", last_name="Dupré", list_name="Marseille unie"
    )
    marseille = {"commune": secteur.commune, "secteur": secteur}
    join(head, first_name="Paul", last_name="Morel", **marseille)
    join(head, confirmed=False, first_name="Ana", last_name="Vidal", **marseille)
    claim("Marseille unie", first_name="Zoé", last_name="Roux", **marseille)
    content = page(moderator_client.get(list_page(head.electoral_list)))
    assert "Léa Dupré" in content
    assert f"Marseille, {secteur.name} ({secteur.code})" in content
    assert "en attente de validation" in content
    assert "la valider vérifie la liste\u202f: son existence et sa tête de liste" in content
    assert "Paul Morel" in content and "membre" in content
    assert "Ana Vidal" in content and "demande en attente" in content
    assert content.count(">Confirmer</button>") == 1  # only the request still to decide
    assert "Même liste revendiquée deux fois" in content
    assert "Zoé Roux (Marseille) revendique la tête de cette liste depuis le" in content
    assert "Confier la liste à Zoé Roux" in content
    assert "confirmées par la tête de liste (l’équipe peut aussi décider)" in content


def test_staff_confirm_or_refuse_a_join_from_the_list_page(moderator_client, mailoutbox):
    head = pledge_in("42218", list_name="Unis")
    paul = join(head, confirmed=False, first_name="Paul", last_name="Morel")
    ana = join(head, confirmed=False, first_name="Ana", last_name="Vidal")
    mailoutbox.clear()

    def decide(membership, decision):
        url = reverse(
            "admin:pledges_electorallist_join",
            args=[head.electoral_list_id, membership.pk, decision],
        )
        return page(moderator_client.post(url, follow=True, REMOTE_ADDR="192.0.2.7"))

    assert "Adhésion de Paul Morel confirmée\u202f: la personne est prévenue." in decide(
        paul, "confirmer"
    )
    refused = "Adhésion d’Ana Vidal refusée\u202f: la personne est prévenue."
    assert refused in decide(ana, "refuser")
    paul.refresh_from_db()
    ana.refresh_from_db()
    assert (paul.status, paul.decided_by) == (Membership.CONFIRMED, moderator_client.user)
    assert ana.status == Membership.REFUSED
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [paul.candidate.user.email, ana.candidate.user.email]
    )
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.JOIN_DECIDED).order_by("pk")
    assert [e.changes["membership"] for e in entries] == [
        [paul.pk, "requested", "confirmed"],
        [ana.pk, "requested", "refused"],
    ]
    assert {e.ip_address for e in entries} == {"192.0.2.7"}
    # Deciding twice: a message, nothing changes.
    assert "Cette demande est déjà traitée\u202f: «\u202fmembre\u202f»." in decide(
        paul, "confirmer"
    )
    assert AuditEntry.objects.filter(action=AuditEntry.Action.JOIN_DECIDED).count() == 2


def test_staff_give_a_claimed_list_to_the_claimant(moderator_client):
    head = pledge_in("42218", list_name="Unis", status=Status.APPROVED)
    open_claim = claim("Unis", first_name="Zoé", last_name="Roux")
    url = reverse(
        "admin:pledges_electorallist_claim", args=[head.electoral_list_id, open_claim.pk, "donner"]
    )
    response = moderator_client.post(url, {"note": "Déposée en préfecture par elle."}, follow=True)
    assert "La liste est confiée à Zoé Roux\u202f: nouvelle tête de liste." in page(response)
    electoral_list = ElectoralList.objects.get(pk=head.electoral_list_id)
    assert electoral_list.head == open_claim.candidate
    assert head.certificates.current().get().content["liste"]["tete"]["nom"] == "Roux"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CLAIM_SETTLED)
    assert entry.changes["head"] == [head.candidate_id, open_claim.candidate_id]
    assert "Zoé Roux" not in str(entry.changes) + entry.note  # no name kept in the log
    assert "Même liste revendiquée deux fois" not in page(
        moderator_client.get(list_page(electoral_list))
    )


def test_a_list_corrected_in_the_admin_is_audited_and_its_name_stays_unique(moderator_client):
    head = pledge_in("42218", list_name="Unis", status=Status.APPROVED)
    pledge_in("42218", list_name="Ensemble")
    url = list_page(head.electoral_list)
    data = {
        "name": "Unis pour Saint-Étienne",
        "short_name": "Unis",
        "political_label": "",
        "website": "unis.example",
        "joins_need_staff": "on",
        "review_note": "",
    }
    response = moderator_client.post(url, data)
    assert response.status_code == 302, page(response)
    electoral_list = ElectoralList.objects.get(pk=head.electoral_list_id)
    assert electoral_list.name == "Unis pour Saint-Étienne"
    assert electoral_list.website == "https://unis.example"
    assert electoral_list.joins_need_staff
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LIST_EDITED)
    assert entry.changes["name"] == ["Unis", "Unis pour Saint-Étienne"]
    assert entry.actor == moderator_client.user
    assert head.certificates.current().get().content["liste"]["nom"] == "Unis pour Saint-Étienne"
    response = moderator_client.post(url, {**data, "name": "ENSEMBLE !"})
    assert response.status_code == 200
    assert "Une autre liste s’appelle déjà ainsi à Saint-Étienne." in page(response)
    response = moderator_client.post(url, {**data, "name": "« — »"})
    assert "Une liste a un nom\u202f: des lettres ou des chiffres." in page(response)
    assert ElectoralList.objects.get(pk=head.electoral_list_id).name == "Unis pour Saint-Étienne"
    content = page(moderator_client.get(url))
    assert "confirmées par l’équipe Coorace (la tête de liste ne peut pas décider seule)" in content


def test_the_lists_are_searched_and_filtered(moderator_client):
    loire = pledge_in("42218", list_name="Saint-Étienne Solidaire").electoral_list
    lyon = pledge_in("69123", list_name="Lyon en commun", role=Candidate.Role.HEAD_OF_LIST)
    lyon = lyon.electoral_list
    flagged = pledge_in("42218", list_name="Reprise").electoral_list
    ElectoralList.objects.filter(pk=flagged.pk).update(review_note="Deux têtes.")
    claimed = pledge_in("42218", list_name="Unis").electoral_list
    claim("Unis")

    def found(**params):
        return set(rows(moderator_client.get(LISTS, params)))

    assert found(q="saint etienne solidaire") == {loire}
    assert found(q="69123") == {lyon}
    assert found(region="84") == {loire, lyon, flagged, claimed}
    assert found(departement="69") == {lyon}
    assert found(commune="42218") == {loire, flagged, claimed}
    assert found(a_verifier="note") == {flagged}
    assert found(a_verifier="revendication") == {claimed}
    assert found(a_verifier="non") == {loire, lyon}
    assert found(signature="pending") == {loire, lyon, flagged, claimed}
    content = page(moderator_client.get(LISTS, {"departement": "42"}))
    assert '<option value="42218">Saint-Étienne (42218)</option>' in content
    assert "Lyon (69123)" not in content  # communes of the chosen département only


def test_plain_staff_see_no_list_and_decide_nothing(client):
    head = pledge_in("42218", list_name="Unis")
    membership = join(head, confirmed=False)
    client.force_login(make_moderator("stagiaire", group=""))
    assert client.get(LISTS).status_code == 403
    assert client.get(list_page(head.electoral_list)).status_code == 403
    url = reverse(
        "admin:pledges_electorallist_join",
        args=[head.electoral_list_id, membership.pk, "confirmer"],
    )
    assert client.post(url).status_code == 403
    membership.refresh_from_db()
    assert membership.status == Membership.REQUESTED


# ---------------------------------------------------------------- ballot choice


def test_staff_see_and_filter_candidacies_against_the_ballot_hint(moderator_client, client):
    small = make_commune(name="Lucciana", population=900)
    against_list = make_candidate(
        list_name="Liste de Lucciana", commune=small, ballot_note="Nous déposons une liste."
    )
    against_individual = make_candidate(
        role=Candidate.Role.INDIVIDUAL,
        list_name="",
        commune=Commune.objects.get(insee_code="69123"),
        ballot_note="Pas de liste.",
    )
    make_candidate(role=Candidate.Role.INDIVIDUAL, list_name="", commune=small)  # as hinted
    make_candidate()  # head in Saint-Étienne: as hinted
    superuser = make_moderator("root", group="", is_superuser=True)
    client.force_login(superuser)
    url = reverse("admin:candidates_candidate_changelist")
    response = client.get(url, {"scrutin": "contraire"})
    assert set(rows(response)) == {against_list, against_individual}
    content = page(response)
    assert "Scrutin de liste (contraire à l’indication\u202f: moins de 1\xa0000 habitants" in (
        content
    )
    assert "«\u202fNous déposons une liste.\u202f»" in content
    assert (
        "Scrutin individuel (contraire à l’indication\u202f: la commune vote probablement par"
        in (content)
    )
    assert len(rows(client.get(url, {"scrutin": "conforme"}))) == 2
    change = reverse("admin:candidates_candidate_change", args=[against_list.pk])
    assert "Nous déposons une liste." in page(client.get(change))
