"""Signing and changing one's mind: the candidate's side of a signature.

The only code of the site that creates signatures and changes their signed commitments
(benchmarks/bulk_seed.py and tests/bulk.py write the same rows in bulk, and tests prove they
equal what these functions write). The status
changes a candidate makes (sign again, withdraw) follow Signature.TRANSITIONS, the table
staff decisions (pledges.moderation.services) follow too.

Every function takes keyword arguments, runs in one transaction, records what it did in
the pledge's dated history, and raises ValidationError with a French message when the
rule says no. E-mails go out after the transaction has committed.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candidates.models import Candidate, OfficialList
from candidates.services import save_candidate
from pledges.certificates.services import issue_certificate
from pledges.directory.queries import invalidate_public_caches
from pledges.lists.services import active_membership, link_official_list, list_for_head
from pledges.models import Campaign, Commitment, Signature, SignatureEvent, SignedCommitment
from pledges.roster.matching import match_candidate_on_commit, match_signature_on_commit
from pledges.signing import emails
from pledges.signing.rounds import require_may_sign

# Everything published and where, and how publication ends: withdrawing the signature
# does not end it (a withdrawn signature stays public, « signature retirée », dated, as
# Signature.objects.public() says); deleting the account does (pledges.signing.account).
PUBLICATION_CONSENT = (
    "J’accepte que mon nom, ma commune, mon rôle, ma liste (ou mon groupe), mon étiquette "
    "politique, mon site web et ma déclaration si je les donne, les engagements que je signe "
    "et l’historique de ma signature (engagements ajoutés ou retirés, retrait, avec leurs "
    "dates) soient publiés une fois ma signature validée par Coorace : sur les pages de ce "
    "site, dans mon attestation PDF téléchargeable, dans les données ouvertes du site sous "
    "Licence Ouverte (chacun peut les réutiliser et en garder des copies) et auprès des "
    "moteurs de recherche, par le plan du site. Il s’agit d’une opinion politique. Retirer ma "
    "signature ne met pas fin à la publication : le site indique alors « signature retirée », "
    "avec la date. La publication prend fin quand je supprime mon compte, ce qui retire ce "
    "consentement ; les copies déjà faites par d’autres ne peuvent pas être effacées par "
    "Coorace."
)


def identity_is_locked(candidate: Candidate | None) -> bool:
    """Once staff have approved (or refused) a signature, the identity it names is locked."""
    if candidate is None or candidate.pk is None:
        return False
    return candidate.signatures.filter(
        models.Q(approved_at__isnull=False) | models.Q(status=Signature.Status.REJECTED)
    ).exists()


def save_profile(*, user, **fields) -> Candidate:
    """« Ma candidature »: save the profile, its identity locked once staff have decided."""
    candidate = Candidate.objects.filter(user=user).first()
    candidate = save_candidate(user=user, locked=identity_is_locked(candidate), **fields)
    match_candidate_on_commit(candidate)  # a new name or commune: compared again
    return candidate


def candidacy_consent(*, candidate: Candidate, campaign: Campaign) -> str:
    """The sentence a candidate certifies, naming their commune and the election."""
    commune = candidate.commune
    return (
        f"Je certifie être candidat·e aux {campaign.election_name} dans la commune "
        f"de {commune.name} ({commune.departement_id})."
    )


# What a candidate is told when the table of transitions (Signature.TRANSITIONS) says no.
RESUBMISSION_REFUSED = {
    Signature.Status.APPROVED: gettext_lazy(
        "Votre signature est déjà validée : ajoutez ou retirez des engagements "
        "depuis « Mon espace »."
    ),
}
ASK_STAFF_TO_RESUME = gettext_lazy(
    "Votre signature a été %(current)s : écrivez à l’équipe Coorace pour la reprendre."
)
WITHDRAWAL_REFUSED = {
    Signature.Status.WITHDRAWN: gettext_lazy("Votre signature est déjà retirée."),
}
NOTHING_TO_WITHDRAW = gettext_lazy("Cette signature n’est pas publiée : il n’y a rien à retirer.")


def _require_signing_open(
    candidate: Candidate, campaign: Campaign, official_list: OfficialList | None = None
) -> None:
    """The rounds drive signing (pledges.signing.rounds): the dates, or the staff's override."""
    require_may_sign(candidate, campaign, official_list=official_list)


def _check_commitments(campaign: Campaign, commitments: Iterable[Commitment]) -> set[int]:
    commitments = list(commitments)
    ids = {commitment.pk for commitment in commitments}
    if not ids:
        raise ValidationError(_("Cochez au moins un engagement."))
    if all(Commitment.proposal.is_cached(commitment) for commitment in commitments):
        # The signing form's commitments come with their proposal: no query to ask.
        valid = {c.pk for c in commitments if c.proposal.campaign_id == campaign.pk}
    else:
        valid = set(
            Commitment.objects.filter(proposal__campaign=campaign, pk__in=ids).values_list(
                "pk", flat=True
            )
        )
    if valid != ids:
        raise ValidationError(_("Un des engagements choisis n’appartient pas à cette campagne."))
    return ids


def _event(pledge: Signature, kind: str, *, at, commitment=None, note: str = "") -> SignatureEvent:
    return SignatureEvent.objects.create(
        pledge=pledge,
        kind=kind,
        commitment=commitment,
        at=at,
        is_public=SignatureEvent.is_public_kind(kind, signature=pledge),
        note=note,
    )


def _set_commitments(
    pledge: Signature, wanted: set[int], now, *, new: bool = False
) -> tuple[set[int], set[int]]:
    """Make the pledge's active commitments exactly `wanted`; return (added, withdrawn).
    `new`: the pledge was created in this transaction, so it has no row to read yet."""
    rows = (
        {}
        if new
        else {signature.commitment_id: signature for signature in pledge.signed_commitments.all()}
    )
    active = {pk for pk, signature in rows.items() if signature.withdrawn_at is None}
    added, withdrawn = wanted - active, active - wanted
    # One query for the commitments signed again, one for the new ones (not one each).
    again = [rows[pk].pk for pk in added if pk in rows]
    if again:
        SignedCommitment.objects.filter(pk__in=again).update(signed_at=now, withdrawn_at=None)
    SignedCommitment.objects.bulk_create(
        SignedCommitment(pledge=pledge, commitment_id=pk, signed_at=now)
        for pk in sorted(added - rows.keys())
    )
    if withdrawn:
        pledge.signed_commitments.filter(commitment_id__in=withdrawn).update(withdrawn_at=now)
    return added, withdrawn


def _list_to_sign_for(*, candidate: Candidate, campaign: Campaign, ids: set[int]):
    """A head signs for their list; a colistier signs in their own name only once on a list,
    and only commitments beyond the list's; an individual candidate signs in their name."""
    if candidate.role == Candidate.Role.HEAD_OF_LIST:
        electoral_list = list_for_head(candidate=candidate, campaign=campaign)
        signed = Signature.objects.filter(electoral_list=electoral_list).first()
        if signed is not None and signed.candidate_id != candidate.pk:
            raise ValidationError(
                _("La liste « %(name)s » a déjà signé : une liste n’a qu’une signature.")
                % {"name": electoral_list.name}
            )
        return electoral_list
    if candidate.role == Candidate.Role.CANDIDATE:
        membership = active_membership(candidate)
        if membership is None:
            raise ValidationError(
                _(
                    "Une liste signe par sa tête de liste. Rejoignez d’abord votre liste "
                    "(« Mon espace » ou le lien d’invitation de votre tête de liste) : vous "
                    "pourrez ensuite signer d’autres engagements à titre personnel."
                )
            )
        list_signature = Signature.objects.filter(
            electoral_list=membership.electoral_list_id
        ).first()
        if list_signature is not None:
            theirs = set(list_signature.active_signatures().values_list("commitment_id", flat=True))
            if ids & theirs:
                raise ValidationError(
                    _(
                        "Votre liste a déjà signé certains de ces engagements : à titre "
                        "personnel, signez seulement ceux qu’elle n’a pas signés."
                    )
                )
    return None


@transaction.atomic
def _submit(
    *, candidate: Candidate, campaign: Campaign, ids: set[int], electoral_list=None
) -> tuple[Signature, bool]:
    # Lock the candidate's row: a double click or a second tab waits here, then finds
    # the pledge the first request created.
    Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
    now = timezone.now()
    pledge = (
        Signature.objects.select_for_update().filter(campaign=campaign, candidate=candidate).first()
    )
    consents = {
        "consent_candidacy_text": candidacy_consent(candidate=candidate, campaign=campaign),
        "consent_candidacy_at": now,
        "consent_publication_text": PUBLICATION_CONSENT,
        "consent_publication_at": now,
    }
    if pledge is None:
        try:
            with transaction.atomic():
                pledge = Signature.objects.create(
                    campaign=campaign,
                    candidate=candidate,
                    electoral_list=electoral_list,
                    submitted_at=now,
                    **consents,
                )
        except IntegrityError:
            # The same pledge arrived from another request in the meantime.
            return Signature.objects.get(campaign=campaign, candidate=candidate), False
        _set_commitments(pledge, ids, now, new=True)
        _event(pledge, SignatureEvent.Kind.SUBMITTED, at=now)
        return pledge, True

    # Back to « en attente », if the table of transitions allows it.
    pledge.check_transition(
        Signature.Status.PENDING,
        message=RESUBMISSION_REFUSED.get(pledge.status, ASK_STAFF_TO_RESUME),
    )
    kind = {
        Signature.Status.PENDING: SignatureEvent.Kind.EDITED,
        Signature.Status.CHANGES_REQUESTED: SignatureEvent.Kind.RESUBMITTED,
        # Signing again after withdrawing before approval.
        Signature.Status.WITHDRAWN: SignatureEvent.Kind.SUBMITTED,
    }[pledge.status]
    added, withdrawn = _set_commitments(pledge, ids, now)
    list_changed = pledge.electoral_list_id != getattr(electoral_list, "pk", None)
    if kind == SignatureEvent.Kind.EDITED and not (added or withdrawn or list_changed):
        return pledge, False  # the same form sent twice: nothing to record
    pledge.electoral_list = electoral_list
    for field, value in consents.items():
        setattr(pledge, field, value)
    pledge.status = Signature.Status.PENDING
    pledge.withdrawn_at = None
    if kind == SignatureEvent.Kind.SUBMITTED:
        pledge.submitted_at = now
    pledge.save()
    _event(pledge, kind, at=now)
    return pledge, kind != SignatureEvent.Kind.EDITED


def submit_pledge(
    *,
    candidate: Candidate,
    commitments: Iterable[Commitment],
    campaign: Campaign | None = None,
    official_list: OfficialList | None = None,
) -> Signature:
    """Sign (or, while pending, change) the commitments; the pledge awaits moderation.

    A head signs for their list (created, or claimed, from the list name of their profile:
    pledges.lists.services.list_for_head); a colistier signs personal commitments once on a
    list; an individual candidate signs in their own name.

    The candidate has accepted both consents (the form requires them); their wording is
    recorded with the date. Sending the same form twice creates one pledge.

    `official_list`: the official list whose invitation letter the head followed
    (pledges.roster.views); their list is tied to it (pledges.lists.services.
    link_official_list).
    """
    campaign = campaign or Campaign.objects.current()
    _require_signing_open(candidate, campaign, official_list)
    commitments = list(commitments)
    ids = _check_commitments(campaign, commitments)
    electoral_list = _list_to_sign_for(candidate=candidate, campaign=campaign, ids=ids)
    pledge, is_news = _submit(
        candidate=candidate, campaign=campaign, ids=ids, electoral_list=electoral_list
    )
    if official_list is not None and electoral_list is not None:
        link_official_list(electoral_list=electoral_list, official_list=official_list)
    # Compared with the official roster once committed (after the letter's link, which it
    # keeps): a few indexed queries, no write before the commune's files are in; in the
    # request rather than a job, so that the queue shows it at once (a failure is logged,
    # the signature stands).
    match_signature_on_commit(pledge)
    if is_news:
        # Its commitments are now exactly those signed (_submit): the receipt lists them
        # without reading them again. Staff hear of it in their digest (emails.py).
        emails.send_pledge_received(pledge, commitments=commitments)
    return pledge


def _locked_pledge(pledge: Signature) -> Signature:
    return Signature.objects.select_for_update().select_related("campaign").get(pk=pledge.pk)


def _signed_by_their_list(pledge: Signature) -> set[int]:
    """What a colistier's list has signed: their personal pledge holds only the rest."""
    if pledge.electoral_list_id is not None:
        return set()
    membership = active_membership(pledge.candidate)
    if membership is None:
        return set()
    list_signature = Signature.objects.filter(electoral_list=membership.electoral_list_id).first()
    if list_signature is None:
        return set()
    return set(list_signature.active_signatures().values_list("commitment_id", flat=True))


@transaction.atomic
def add_commitment(*, pledge: Signature, commitment: Commitment) -> Signature:
    """Sign one more commitment; public at once if the pledge is approved."""
    pledge = _locked_pledge(pledge)
    _require_signing_open(pledge.candidate, pledge.campaign)
    if pledge.status not in (Signature.Status.APPROVED, *Signature.EDITABLE_STATUSES):
        raise ValidationError(_("Cette signature ne peut plus recevoir d’engagement."))
    _check_commitments(pledge.campaign, [commitment])
    now = timezone.now()
    active = set(pledge.active_signatures().values_list("commitment_id", flat=True))
    if commitment.pk in active:
        raise ValidationError(_("Vous avez déjà signé cet engagement."))
    if commitment.pk in _signed_by_their_list(pledge):
        raise ValidationError(
            _("Votre liste a déjà signé cet engagement : il n’est pas à signer à titre personnel.")
        )
    _set_commitments(pledge, active | {commitment.pk}, now)
    _event(pledge, SignatureEvent.Kind.COMMITMENT_ADDED, at=now, commitment=commitment)
    issue_certificate(pledge=pledge)
    transaction.on_commit(invalidate_public_caches)
    return pledge


@transaction.atomic
def withdraw_commitment(*, pledge: Signature, commitment: Commitment) -> Signature:
    """Withdraw one commitment; it stays on the public record as withdrawn, with its date."""
    pledge = _locked_pledge(pledge)
    if pledge.status not in (Signature.Status.APPROVED, *Signature.EDITABLE_STATUSES):
        raise ValidationError(_("Cette signature n’est plus active."))
    now = timezone.now()
    active = set(pledge.active_signatures().values_list("commitment_id", flat=True))
    if commitment.pk not in active:
        raise ValidationError(_("Cet engagement ne fait pas partie de votre signature."))
    if active == {commitment.pk}:
        raise ValidationError(
            _(
                "C’est votre dernier engagement : pour tout retirer, retirez votre signature "
                "entière."
            )
        )
    _set_commitments(pledge, active - {commitment.pk}, now)
    _event(pledge, SignatureEvent.Kind.COMMITMENT_WITHDRAWN, at=now, commitment=commitment)
    issue_certificate(pledge=pledge)
    transaction.on_commit(invalidate_public_caches)
    return pledge


@transaction.atomic
def withdraw_pledge(*, pledge: Signature) -> Signature:
    """Withdraw the whole signature. Once approved, the record says « signature retirée le … »."""
    pledge = _locked_pledge(pledge)
    pledge.check_transition(
        Signature.Status.WITHDRAWN,
        message=WITHDRAWAL_REFUSED.get(pledge.status, NOTHING_TO_WITHDRAW),
    )
    now = timezone.now()
    pledge.status = Signature.Status.WITHDRAWN
    pledge.withdrawn_at = now
    pledge.save(update_fields=["status", "withdrawn_at"])
    _event(pledge, SignatureEvent.Kind.WITHDRAWN, at=now)
    transaction.on_commit(invalidate_public_caches)
    return pledge
