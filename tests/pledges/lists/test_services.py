"""The rules of lists, through the services: one head, one signature, joins, secteurs."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from candidates.models import Candidate
from candidates.services import check_candidacy, save_candidate
from communes.models import Commune, Secteur
from pledges.lists.services import (
    JOIN_CONSENT,
    ListAlreadyHeaded,
    active_membership,
    decide_join,
    joinable_lists,
    leave_list,
    list_for_head,
    remove_member,
    request_join,
    settle_claim,
)
from pledges.models import ElectoralList, ListClaim, ListMembership, Signature
from pledges.signing.account import delete_account
from pledges.signing.services import add_commitment
from tests.factories import (
    a_moderator,
    commitments,
    current_campaign,
    make_candidate,
    make_moderator,
    make_pledge,
    make_user,
)

pytestmark = pytest.mark.django_db

STAFF = "moderation@coorace.test"
Status = ListMembership.Status


@pytest.fixture(autouse=True)
def _staff_addresses(settings):
    settings.STAFF_NOTIFICATION_EMAILS = [STAFF]


def marseille(number: int = 1) -> Secteur:
    return Secteur.objects.get(commune__insee_code="13055", number=number)


def make_head(list_name="Marseille en commun", secteur=None, **fields) -> Candidate:
    secteur = secteur or marseille()
    return make_candidate(commune=secteur.commune, secteur=secteur, list_name=list_name, **fields)


def make_colistier(secteur=None, **fields) -> Candidate:
    secteur = secteur or marseille()
    return make_candidate(
        commune=secteur.commune,
        secteur=secteur,
        role=Candidate.Role.CANDIDATE,
        list_name="",
        **fields,
    )


def signed_list(list_name="Marseille en commun", codes=("1.1", "2.1"), **fields):
    """A head who signed: their list and its signature."""
    pledge = make_pledge(make_head(list_name, **fields), codes=codes)
    return pledge.electoral_list, pledge


def join(colistier, electoral_list, **kwargs) -> ListMembership:
    return request_join(candidate=colistier, electoral_list=electoral_list, consent=True, **kwargs)


def codes_of(pledge: Signature) -> set[str]:
    return {s.commitment.code for s in pledge.active_signatures().select_related("commitment")}


# ---------------------------------------------------------------- one head, one signature


def test_a_head_who_signs_creates_the_list_and_signs_for_it():
    head = make_head("Marseille en commun", political_label="Divers gauche")
    pledge = make_pledge(head)
    electoral_list = ElectoralList.objects.get()
    assert pledge.electoral_list == electoral_list
    assert electoral_list.head == head
    assert electoral_list.name == "Marseille en commun"
    assert electoral_list.secteur == marseille()
    assert electoral_list.commune.insee_code == "13055"
    assert electoral_list.political_label == "Divers gauche"
    assert electoral_list.place.startswith("Marseille, Marseille 1er secteur")
    assert electoral_list.review_note == ""


@pytest.mark.parametrize(
    "second_name",
    ["Marseille en commun", "MARSEILLE EN COMMUN", "Marseille-en-Commun !", "marseillé en cômmun"],
)
def test_a_second_head_of_the_same_list_is_stopped_the_claim_kept_and_staff_told(
    second_name, mailoutbox
):
    electoral_list, _ = signed_list("Marseille en commun")
    mailoutbox.clear()
    claimant = make_head(second_name, first_name="Dominique")
    with pytest.raises(ListAlreadyHeaded) as raised:
        make_pledge(claimant)
    assert "La liste « Marseille en commun » à Marseille, Marseille 1er secteur" in str(
        raised.value
    )
    assert "a déjà une tête de liste" in str(raised.value)
    assert not Signature.objects.filter(candidate=claimant).exists()
    claim = ListClaim.objects.get()
    assert (claim.electoral_list, claim.candidate, claim.settled_at) == (
        electoral_list,
        claimant,
        None,
    )
    electoral_list.refresh_from_db()
    assert electoral_list.head != claimant
    assert [m.to for m in mailoutbox] == [[STAFF]]
    assert "Liste revendiquée deux fois\u202f: Marseille en commun" in mailoutbox[0].subject


def test_claiming_twice_keeps_one_open_claim():
    signed_list()
    claimant = make_head()
    for _attempt in range(2):
        with pytest.raises(ListAlreadyHeaded):
            list_for_head(candidate=claimant, campaign=current_campaign())
    assert ListClaim.objects.filter(candidate=claimant).count() == 1


def test_the_same_name_in_another_secteur_or_commune_is_another_list():
    first, _ = signed_list("Ensemble")
    second, _ = signed_list("Ensemble", secteur=marseille(2))
    third = make_pledge(
        make_candidate(list_name="ensemble", commune=Commune.objects.get(insee_code="42218"))
    ).electoral_list
    assert len({first.pk, second.pk, third.pk}) == 3
    assert not ListClaim.objects.exists()


def test_a_list_has_one_signature_even_once_staff_give_it_to_the_claimant():
    electoral_list, _ = signed_list()
    claimant = make_head()
    with pytest.raises(ListAlreadyHeaded):
        make_pledge(claimant)
    settle_claim(
        claim=ListClaim.objects.get(), moderator=a_moderator(), give_list=True, note="Vérifié."
    )
    electoral_list.refresh_from_db()
    assert electoral_list.head == claimant
    with pytest.raises(ValidationError, match="a déjà signé : une liste n’a qu’une signature"):
        make_pledge(claimant)
    assert Signature.objects.filter(electoral_list=electoral_list).count() == 1


def test_a_headless_list_is_taken_over_flagged_and_staff_told(mailoutbox):
    electoral_list, pledge = signed_list()
    delete_account(user=pledge.candidate.user)
    electoral_list.refresh_from_db()
    assert electoral_list.head is None
    mailoutbox.clear()
    newcomer = make_head("Marseille en Commun")
    pledge = make_pledge(newcomer)
    electoral_list.refresh_from_db()
    assert pledge.electoral_list == electoral_list
    assert electoral_list.head == newcomer
    assert "Liste sans tête reprise par" in electoral_list.review_note
    assert [STAFF] in [m.to for m in mailoutbox]


# ---------------------------------------------------------------- colistiers


def test_a_colistier_asks_to_join_with_their_consent_and_the_head_is_told(mailoutbox):
    electoral_list, pledge = signed_list()
    mailoutbox.clear()
    colistier = make_colistier(first_name="Sacha")
    membership = join(colistier, electoral_list, via_invitation=True)
    assert membership.status == Status.REQUESTED
    assert membership.via_invitation
    assert membership.requested_at is not None
    assert membership.consent_publication_at is not None
    assert membership.consent_publication_text == JOIN_CONSENT.format(name="Marseille en commun")
    assert active_membership(colistier) == membership
    assert [m.to for m in mailoutbox] == [[pledge.candidate.user.email]]
    # Asking twice asks once.
    assert join(colistier, electoral_list) == membership
    assert ListMembership.objects.count() == 1


def test_the_head_confirms_a_join_dated_and_the_colistier_is_told(mailoutbox):
    electoral_list, pledge = signed_list()
    colistier = make_colistier()
    membership = join(colistier, electoral_list)
    mailoutbox.clear()
    decide_join(membership=membership, user=pledge.candidate.user, accept=True)
    membership.refresh_from_db()
    assert membership.status == Status.CONFIRMED
    assert membership.decided_at is not None
    assert membership.decided_by == pledge.candidate.user
    assert [m.to for m in mailoutbox] == [[colistier.user.email]]
    with pytest.raises(ValidationError, match="Cette demande est déjà traitée : « membre »"):
        decide_join(membership=membership, user=pledge.candidate.user, accept=False)


def test_a_refused_colistier_is_off_the_list_and_may_ask_another():
    electoral_list, pledge = signed_list()
    other_list, _ = signed_list("Un autre Marseille")
    colistier = make_colistier()
    membership = join(colistier, electoral_list)
    decide_join(membership=membership, user=pledge.candidate.user, accept=False)
    membership.refresh_from_db()
    assert membership.status == Status.REFUSED
    assert membership.decided_at is not None
    assert active_membership(colistier) is None
    assert join(colistier, other_list).status == Status.REQUESTED


def test_leaving_and_being_removed_are_dated_never_deleted():
    electoral_list, pledge = signed_list()
    head_user = pledge.candidate.user
    leaver, removed = make_colistier(), make_colistier()
    for colistier in (leaver, removed):
        decide_join(membership=join(colistier, electoral_list), user=head_user, accept=True)
    left = leave_list(membership=active_membership(leaver))
    assert left.status == Status.LEFT
    assert left.ended_at is not None
    with pytest.raises(ValidationError, match="Vous n’êtes plus sur cette liste"):
        leave_list(membership=left)
    gone = remove_member(membership=active_membership(removed), user=head_user)
    assert gone.status == Status.REMOVED
    assert gone.ended_at is not None
    assert gone.decided_by == head_user
    assert ListMembership.objects.count() == 2
    assert active_membership(leaver) is None and active_membership(removed) is None
    # A request not yet confirmed can be withdrawn, not removed.
    pending = join(make_colistier(), electoral_list)
    with pytest.raises(ValidationError, match="Seul·e un·e membre confirmé·e"):
        remove_member(membership=pending, user=head_user)


def test_only_the_head_or_staff_decide_a_join():
    electoral_list, _ = signed_list()
    _, other_pledge = signed_list("Un autre Marseille")
    colistier = make_colistier()
    membership = join(colistier, electoral_list)
    staff_without_permission = make_user(is_staff=True)
    for user in (other_pledge.candidate.user, colistier.user, staff_without_permission):
        with pytest.raises(PermissionDenied):
            decide_join(membership=membership, user=user, accept=True)
        with pytest.raises(PermissionDenied):
            remove_member(membership=membership, user=user)
    membership.refresh_from_db()
    assert membership.status == Status.REQUESTED
    decide_join(membership=membership, user=make_moderator(), accept=True)
    membership.refresh_from_db()
    assert membership.status == Status.CONFIRMED


def test_when_staff_confirm_a_lists_joins_its_head_cannot():
    electoral_list, pledge = signed_list()
    electoral_list.joins_need_staff = True
    electoral_list.save()
    membership = join(make_colistier(), electoral_list)
    with pytest.raises(PermissionDenied):
        decide_join(membership=membership, user=pledge.candidate.user, accept=True)
    decide_join(membership=membership, user=a_moderator(), accept=False)
    membership.refresh_from_db()
    assert membership.status == Status.REFUSED


def test_joining_needs_the_colistier_role_the_same_secteur_the_consent_and_one_list():
    electoral_list, _ = signed_list()
    with pytest.raises(ValidationError, match="choisissez le rôle « Colistier·e »"):
        join(make_head("Encore une liste"), electoral_list)
    with pytest.raises(ValidationError, match="se présente à Marseille, Marseille 1er secteur"):
        join(make_colistier(secteur=marseille(2)), electoral_list)
    colistier = make_colistier()
    with pytest.raises(ValidationError) as refused:
        request_join(candidate=colistier, electoral_list=electoral_list, consent=False)
    assert refused.value.message_dict == {
        "consent": ["Cochez le consentement à la publication pour rejoindre la liste."]
    }
    join(colistier, electoral_list)
    other_list, _ = signed_list("Un autre Marseille")
    with pytest.raises(
        ValidationError, match="Vous êtes déjà sur la liste « Marseille en commun »"
    ):
        join(colistier, other_list)


def test_joinable_lists_are_those_of_the_colistiers_commune_and_secteur():
    mine, _ = signed_list("Marseille en commun")
    signed_list("Le 2e secteur", secteur=marseille(2))
    make_pledge(make_candidate(list_name="Saint-Étienne"))
    colistier = make_colistier()
    assert list(joinable_lists(candidate=colistier, campaign=current_campaign())) == [mine]


# ---------------------------------------------------------------- personal commitments


def test_a_colistier_signs_in_their_own_name_only_beyond_the_lists_commitments():
    electoral_list, list_pledge = signed_list(codes=("1.1", "2.1"))
    colistier = make_colistier()
    decide_join(
        membership=join(colistier, electoral_list), user=list_pledge.candidate.user, accept=True
    )
    with pytest.raises(ValidationError, match="Votre liste a déjà signé certains"):
        make_pledge(colistier, codes=("1.1", "3.1"))
    personal = make_pledge(colistier, codes=("3.1", "4.1"))
    assert personal.electoral_list is None
    assert codes_of(personal) == {"3.1", "4.1"}
    list_pledge.refresh_from_db()
    assert codes_of(list_pledge) == {"1.1", "2.1"}
    assert Signature.objects.get(electoral_list=electoral_list) == list_pledge


def test_a_colistier_without_a_list_cannot_sign():
    colistier = make_colistier()
    with pytest.raises(ValidationError, match="Rejoignez d’abord votre liste"):
        make_pledge(colistier)
    assert not Signature.objects.exists()


def test_an_individual_candidate_signs_in_their_own_name():
    village = Commune.objects.filter(population__lt=1000, elects_council=True).first()
    individual = make_candidate(
        commune=village, role=Candidate.Role.INDIVIDUAL, list_name="Vivre au village"
    )
    pledge = make_pledge(individual)
    assert pledge.electoral_list is None
    assert not ElectoralList.objects.exists()


# ---------------------------------------------------------------- secteurs


def profile(**fields) -> dict:
    values = {
        "first_name": "Camille",
        "last_name": "Durand",
        "commune": Commune.objects.get(insee_code="13055"),
        "secteur": marseille(),
        "role": Candidate.Role.HEAD_OF_LIST,
        "list_name": "Marseille en commun",
        "ballot_note": "",
    }
    values.update(fields)
    return values


def test_a_secteur_is_required_in_marseille_and_saved_with_it():
    user = make_user()
    with pytest.raises(ValidationError) as refused:
        save_candidate(user=user, **profile(secteur=None))
    assert refused.value.message_dict == {
        "secteur": ["À Marseille, les listes se présentent par secteur : choisissez le vôtre."]
    }
    candidate = save_candidate(user=user, **profile(secteur=marseille(3)))
    assert candidate.secteur == marseille(3)


@pytest.mark.parametrize("insee_code", ["75056", "69123"])
def test_a_secteur_is_required_in_paris_and_lyon_too(insee_code):
    commune = Commune.objects.get(insee_code=insee_code)
    with pytest.raises(ValidationError) as refused:
        check_candidacy(commune=commune, role="head_of_list", list_name="Ensemble")
    assert list(refused.value.message_dict) == ["secteur"]
    check_candidacy(
        commune=commune,
        role="candidate",
        list_name="",
        secteur=commune.secteurs.order_by("number").first(),
    )


def test_a_secteur_of_another_city_is_refused():
    with pytest.raises(ValidationError) as refused:
        save_candidate(
            user=make_user(),
            **profile(secteur=Secteur.objects.filter(commune__insee_code="75056").first()),
        )
    assert list(refused.value.message_dict) == ["secteur"]


def test_a_secteur_is_refused_outside_paris_lyon_and_marseille():
    with pytest.raises(ValidationError) as refused:
        save_candidate(
            user=make_user(),
            **profile(commune=Commune.objects.get(insee_code="42218"), secteur=marseille()),
        )
    assert refused.value.message_dict == {
        "secteur": ["Seules Paris, Lyon et Marseille votent par secteur : laissez ce champ vide."]
    }
    assert not Candidate.objects.exists()


def test_an_individual_candidacy_is_refused_in_the_three_cities():
    with pytest.raises(ValidationError) as refused:
        save_candidate(
            user=make_user(), **profile(role=Candidate.Role.INDIVIDUAL, list_name="", secteur=None)
        )
    assert list(refused.value.message_dict) == ["role"]


def test_a_ballot_against_the_population_hint_needs_a_one_line_explanation():
    village = Commune.objects.filter(population__lt=1000, elects_council=True).first()
    fields = profile(commune=village, secteur=None)
    with pytest.raises(ValidationError) as refused:
        save_candidate(user=make_user(), **fields)
    assert list(refused.value.message_dict) == ["ballot_note"]
    note = "Notre population légale 2020 dépasse 1 000 habitants."
    candidate = save_candidate(user=make_user(), **{**fields, "ballot_note": note})
    assert candidate.ballot_note == note


def test_a_colistier_cannot_add_in_their_name_a_commitment_their_list_signed():
    electoral_list, list_pledge = signed_list(codes=("1.1", "2.1"))
    colistier = make_colistier()
    decide_join(
        membership=join(colistier, electoral_list), user=list_pledge.candidate.user, accept=True
    )
    personal = make_pledge(colistier, codes=("3.1",))
    with pytest.raises(ValidationError, match="Votre liste a déjà signé cet engagement"):
        add_commitment(pledge=personal, commitment=commitments("2.1")[0])
    add_commitment(pledge=personal, commitment=commitments("4.1")[0])
    assert codes_of(personal) == {"3.1", "4.1"}
