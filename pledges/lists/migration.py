"""Free-text list names become list records: migration 0010 and `manage.py report_list_migration`.

Before lists were records, each candidate typed the name of their list. `migrate_list_names`
turns the signatures recorded that way into ElectoralList rows, and `describe` reports it.
Both take an app registry (`apps`: the migration's historical one, or django.apps.apps) and
read their models from it, so that the migration never depends on today's model code.

The rules, for the signatures of candidates standing on a list (« Tête de liste »,
« Colistier·e ») with a list name:

- Same name once normalised (case, accents, spaces and punctuation ignored: the key of
  pledges.models.lists.list_name_key) in the same campaign, commune and secteur → one list.
  In Paris, Lyon and Marseille the candidates of the time had no secteur: their list is
  created without one and flagged « secteur à préciser ».
- Its « Tête de liste » heads it, and their signature becomes the list's. Two heads or
  more: the first approved (else the first submitted) heads it; the others keep their
  signature as their own, a ListClaim records each, and the list is flagged. No head: the
  list is created without one and flagged.
- Its colistiers become members, with the consent to publication they signed and its
  date: confirmed if staff approved their signature, requested while it awaits a decision,
  « left » (dated) if they withdrew it after approval.
- Left out, untouched and reported: signatures refused, unpublished, or withdrawn before
  approval (they head nothing and join nothing: their author withdrew their consent, or
  staff said no), and names that normalise to nothing.
- Certificates are never touched: what they certify is frozen, and they stay verifiable.

Running it again does nothing new: a group whose list exists is matched to it, and members,
claims and flags already there are not added twice. The reverse of migration 0010 is a
no-op (the lists stay; unapplying 0009 drops them with their tables).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from communes.search import normalize_name

HEAD, COLISTIER = "head_of_list", "candidate"
APPROVED, PENDING, CHANGES, WITHDRAWN = "approved", "pending", "changes_requested", "withdrawn"
ACTIVE_MEMBERSHIP = ("requested", "confirmed")
# Paris, Marseille, Lyon (communes.models.SECTOR_CITIES, frozen here as of 2020).
SECTOR_CITIES = frozenset({"75056", "13055", "69123"})

FLAG_SECTEUR = "Secteur à préciser : liste reprise d’un nom de liste libre, sans secteur."
FLAG_NO_HEAD = (
    "Sans tête de liste : reprise d’un nom de liste libre dont aucune tête de liste n’a signé."
)
FLAG_HEADS = (
    "Plusieurs têtes de liste lors de la reprise des noms de liste libres : {head} la "
    "conduit ; revendiquée aussi par {others}. À trancher (revendications)."
)


def name_key(name: str) -> str:
    """pledges.models.lists.list_name_key, as of migration 0010."""
    return normalize_name(name).replace(" ", "")


def _standing(signature) -> bool:
    """Awaiting a decision, approved, or on the public record after approval."""
    return signature.status in (APPROVED, PENDING, CHANGES) or (
        signature.status == WITHDRAWN and signature.approved_at is not None
    )


def _left_out_reason(signature) -> str:
    if signature.status == WITHDRAWN:
        return "signature retirée avant validation"
    return {"rejected": "signature refusée", "unpublished": "signature dépubliée"}.get(
        signature.status, signature.status
    )


def _head_rank(signature) -> tuple:
    """The first approved heads the list; else the first submitted still standing."""
    if signature.status == APPROVED:
        return (0, signature.approved_at, signature.pk)
    if signature.status in (PENDING, CHANGES):
        return (1, signature.submitted_at, signature.pk)
    return (2, signature.approved_at, signature.pk)  # withdrawn after approval


def _membership_status(signature) -> tuple[str, datetime | None, datetime | None]:
    """(status, decided_at, ended_at) of a colistier's membership, from their signature."""
    if signature.status == APPROVED:
        return "confirmed", signature.approved_at, None
    if signature.status == WITHDRAWN:
        return "left", signature.approved_at, signature.withdrawn_at
    return "requested", None, None


def _person(candidate) -> str:
    return f"{candidate.first_name} {candidate.last_name} (candidat·e #{candidate.pk})"


@dataclass
class Member:
    membership: int | None  # None in a dry run
    candidate: int
    name: str
    status: str
    new: bool


@dataclass
class Claim:
    claim: int | None
    candidate: int
    name: str
    signature: int
    new: bool


@dataclass
class ListOutcome:
    list_pk: int | None  # None in a dry run for a list still to create
    name: str
    place: str
    created: bool
    spellings: list[str]
    head: str = ""  # « Prénom Nom (candidat·e #id) », or empty
    head_signature: int | None = None
    members: list[Member] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass
class LeftOut:
    signature: int
    candidate: int
    name: str
    list_name: str
    reason: str


@dataclass
class Report:
    dry_run: bool
    lists: list[ListOutcome] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(outcome.created for outcome in self.lists)

    @property
    def flagged(self) -> list[ListOutcome]:
        return [outcome for outcome in self.lists if outcome.flags]

    def new_members(self) -> int:
        return sum(member.new for outcome in self.lists for member in outcome.members)

    def new_claims(self) -> int:
        return sum(claim.new for outcome in self.lists for claim in outcome.claims)

    def summary(self) -> str:
        created, joined, claimed = (
            ("à créer", "à rattacher", "à enregistrer")
            if self.dry_run
            else ("créées", "rattaché·es", "enregistrées")
        )
        members = sum(len(outcome.members) for outcome in self.lists)
        claims = sum(len(outcome.claims) for outcome in self.lists)
        return (
            f"Noms de liste libres → listes : {len(self.lists)} listes ({self.created} "
            f"{created}), {members} colistier·es ({self.new_members()} {joined}), {claims} "
            f"revendications de tête de liste ({self.new_claims()} {claimed}), "
            f"{len(self.flagged)} listes à vérifier, {len(self.left_out)} signatures laissées "
            "hors liste."
        )


def _groups(apps):
    """The standing signatures with a list name, grouped by list; and those left out."""
    Signature = apps.get_model("pledges", "Signature")
    signatures = (
        Signature.objects.filter(candidate__role__in=(HEAD, COLISTIER))
        .exclude(candidate__list_name="")
        .select_related("candidate__commune", "candidate__secteur")
        .order_by("submitted_at", "pk")
    )
    groups: dict[tuple, list] = {}
    left_out = []
    for signature in signatures:
        candidate = signature.candidate
        key = name_key(candidate.list_name)
        reason = "" if key else "nom de liste vide une fois normalisé"
        if not reason and not _standing(signature):
            reason = _left_out_reason(signature)
        if reason:
            left_out.append(
                LeftOut(signature.pk, candidate.pk, _person(candidate), candidate.list_name, reason)
            )
            continue
        place = (signature.campaign_id, candidate.commune_id, candidate.secteur_id, key)
        groups.setdefault(place, []).append(signature)
    return groups, left_out


def _append(note: str, line: str) -> str:
    return note if line in note else f"{note}\n{line}".strip()


def migrate_list_names(apps, *, dry_run: bool = False, now: datetime | None = None) -> Report:
    """Make the lists the free-text names stand for; with `dry_run`, only say what it would do.

    Idempotent: what exists already (a list of that name, a membership, a claim) is kept.
    """
    report = Report(dry_run=dry_run)
    now = now or timezone.now()
    with transaction.atomic():
        _migrate(apps, report, now)
        if dry_run:
            transaction.set_rollback(True)
    if dry_run:
        for outcome in report.lists:
            if outcome.created:
                outcome.list_pk = None
            for member in outcome.members:
                member.membership = member.membership if not member.new else None
            for claim in outcome.claims:
                claim.claim = claim.claim if not claim.new else None
    return report


def _migrate(apps, report: Report, now: datetime) -> None:
    ElectoralList = apps.get_model("pledges", "ElectoralList")
    ListMembership = apps.get_model("pledges", "ListMembership")
    ListClaim = apps.get_model("pledges", "ListClaim")
    Signature = apps.get_model("pledges", "Signature")
    groups, report.left_out = _groups(apps)
    # Read once, kept up to date as the loop writes: a few queries per list, not a dozen
    # (at 50,000 signatures the per-row lookups took over a quarter of an hour).
    existing_lists = {
        (row.campaign_id, row.commune_id, row.secteur_id, row.name_key): row
        for row in ElectoralList.objects.all()
    }
    list_signature_of = dict(
        Signature.objects.filter(electoral_list__isnull=False).values_list(
            "electoral_list_id", "pk"
        )
    )
    on_a_list = set(
        ListMembership.objects.filter(status__in=ACTIVE_MEMBERSHIP).values_list(
            "candidate_id", flat=True
        )
    )
    for (campaign_id, commune_id, secteur_id, key), signatures in sorted(
        groups.items(), key=lambda item: (item[1][0].candidate.commune.name, str(item[0]))
    ):
        heads = sorted((s for s in signatures if s.candidate.role == HEAD), key=_head_rank)
        colistiers = [s for s in signatures if s.candidate.role == COLISTIER]
        first = heads[0] if heads else colistiers[0]
        commune = first.candidate.commune
        electoral_list = existing_lists.get((campaign_id, commune_id, secteur_id, key))
        created = electoral_list is None
        if created:
            electoral_list = ElectoralList.objects.create(
                campaign_id=campaign_id,
                commune_id=commune_id,
                secteur_id=secteur_id,
                name=first.candidate.list_name.strip(),
                name_key=key,
                political_label=heads[0].candidate.political_label if heads else "",
                website=heads[0].candidate.website if heads else "",
                created_at=now,
            )
            existing_lists[(campaign_id, commune_id, secteur_id, key)] = electoral_list
        secteur = first.candidate.secteur
        outcome = ListOutcome(
            list_pk=electoral_list.pk,
            name=electoral_list.name,
            place=f"{commune.name}, {secteur.name}" if secteur else commune.name,
            created=created,
            spellings=sorted({s.candidate.list_name.strip() for s in signatures}),
        )
        report.lists.append(outcome)

        note = electoral_list.review_note
        if secteur_id is None and commune.insee_code in SECTOR_CITIES:
            note = _append(note, FLAG_SECTEUR)
        list_signature = list_signature_of.get(electoral_list.pk)
        # A head whose signature is already another list's (renamed since) heads no other.
        free = [s for s in heads if s.electoral_list_id in (None, electoral_list.pk)]
        if electoral_list.head_id is None and free and list_signature is None:
            head_signature = free[0]
            electoral_list.head_id = head_signature.candidate_id
            Signature.objects.filter(pk=head_signature.pk).update(electoral_list=electoral_list)
            list_signature_of[electoral_list.pk] = head_signature.pk
        claimants = [
            s
            for s in free
            if s.candidate_id != electoral_list.head_id and s.electoral_list_id is None
        ]
        if electoral_list.head_id is None:
            note = _append(note, FLAG_NO_HEAD)
        elif claimants:
            head = next(
                (s.candidate for s in heads if s.candidate_id == electoral_list.head_id), None
            )
            note = _append(
                note,
                FLAG_HEADS.format(
                    head=_person(head) if head else f"candidat·e #{electoral_list.head_id}",
                    others=", ".join(_person(s.candidate) for s in claimants),
                ),
            )
        for signature in claimants:
            claim = (
                None
                if created
                else ListClaim.objects.filter(
                    electoral_list=electoral_list, candidate_id=signature.candidate_id
                ).first()
            )
            new = claim is None
            if new:
                claim = ListClaim.objects.create(
                    electoral_list=electoral_list,
                    candidate_id=signature.candidate_id,
                    at=signature.submitted_at,
                )
            outcome.claims.append(
                Claim(
                    claim.pk,
                    signature.candidate_id,
                    _person(signature.candidate),
                    signature.pk,
                    new,
                )
            )
        electoral_list.review_note = note
        electoral_list.save(update_fields=["head", "review_note"])
        outcome.flags = [line for line in note.splitlines() if line]
        if electoral_list.head_id is not None:
            head = next(
                (s.candidate for s in heads if s.candidate_id == electoral_list.head_id), None
            )
            outcome.head = _person(head or electoral_list.head)
            outcome.head_signature = list_signature_of.get(electoral_list.pk)

        for signature in colistiers:
            candidate = signature.candidate
            membership = (
                None
                if created
                else ListMembership.objects.filter(
                    electoral_list=electoral_list, candidate=candidate
                ).first()
            )
            new = membership is None
            if new and candidate.pk in on_a_list:
                report.left_out.append(
                    LeftOut(
                        signature.pk,
                        candidate.pk,
                        _person(candidate),
                        candidate.list_name,
                        "colistier·e déjà sur une autre liste",
                    )
                )
                continue
            if new:
                status, decided_at, ended_at = _membership_status(signature)
                membership = ListMembership.objects.create(
                    electoral_list=electoral_list,
                    candidate=candidate,
                    status=status,
                    consent_publication_text=signature.consent_publication_text,
                    consent_publication_at=signature.consent_publication_at,
                    requested_at=signature.submitted_at,
                    decided_at=decided_at,
                    ended_at=ended_at,
                )
                if status in ACTIVE_MEMBERSHIP:
                    on_a_list.add(candidate.pk)
            outcome.members.append(
                Member(membership.pk, candidate.pk, _person(candidate), membership.status, new)
            )
