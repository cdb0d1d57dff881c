"""A campaign in two régions and a moderator limited to one, for the regional scope's tests.

`build_world()` writes, in Auvergne-Rhône-Alpes (inside) and in Hauts-de-France (outside),
the same things: a list's pending signature (its list, a colistier's request to join, a
correction request), an approved signature (certificate, audit entries, a rival claim to head
its list, a follow-up update, a reminder), an official list (a relay's link to it, an elected
councillor from it), a relay of the région, a mailing to the région with a delivery, a
voter's alert, an erased account's trace. Everything outside carries the name « Horschamp »,
which a page shown to the regional moderator must never contain.

`visible(model_label, obj, user)` says, independently of the admin code, whether a scoped
account may see a row: the test's own reading of the rule, checked against every admin.
"""

from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from candidates.models import Candidate, CorrectionRequest
from communes.models import Commune, Region
from pledges.lists.services import ListAlreadyHeaded, request_join
from pledges.models import (
    AlertSubscription,
    AuditEntry,
    FollowUpReminder,
    FollowUpUpdate,
    ListClaim,
    Mailing,
    MailingDelivery,
    ModeratorScope,
    Relay,
    RelayLink,
    Signature,
    SignatureTrace,
)
from pledges.models.signatures import FollowUpStatus
from tests.factories import (
    approve,
    current_campaign,
    make_candidate,
    make_moderator,
    make_official_list,
    make_pledge,
)
from tests.pledges.outcomes.factories import make_councillor

INSIDE = "84"  # Auvergne-Rhône-Alpes
OUTSIDE = "32"  # Hauts-de-France
INSIDE_NAME = "Auvergne-Rhône-Alpes"
# Every row outside carries it: a page shown to the regional moderator never does.
MARK = "Horschamp"
INSIDE_MARK = "Dedanchamp"


@dataclass
class Side:
    region: Region
    pending: Signature
    approved: Signature
    official_list: object
    membership: object
    claim: object
    correction: CorrectionRequest
    trace: SignatureTrace
    extra: dict = field(default_factory=dict)

    @property
    def electoral_list(self):
        return self.pending.electoral_list


def make_regional_moderator(*regions: str, username: str = "regionale", **fields):
    """A member of « Modération » limited to `regions` (codes)."""
    fields.setdefault("first_name", "Rose")
    fields.setdefault("last_name", "Régionale")
    moderator = make_moderator(username, **fields)
    scope = ModeratorScope.objects.create(user=moderator)
    scope.regions.set(Region.objects.filter(code__in=regions))
    return get_user_model().objects.get(pk=moderator.pk)  # no scope kept on the object


def _side(region_code: str, codes: tuple[str, str], name: str, national) -> Side:
    commune = Commune.objects.get(insee_code=codes[0])
    other = Commune.objects.get(insee_code=codes[1])
    pending = make_pledge(
        make_candidate(
            commune=commune, first_name="Alix", last_name=name, list_name=f"Liste {name}"
        )
    )
    colistier = make_candidate(
        commune=commune,
        role=Candidate.Role.CANDIDATE,
        list_name="",
        first_name="Colin",
        last_name=f"{name}-colistier",
    )
    membership = request_join(
        candidate=colistier, electoral_list=pending.electoral_list, consent=True
    )
    approved = approve(
        make_pledge(
            make_candidate(
                commune=other,
                first_name="Val",
                last_name=f"{name}-valide",
                list_name=f"Autre liste {name}",
            )
        ),
        national,
    )
    approved.refresh_from_db()
    # A rival claims to head the approved list (the pending one stays free to approve).
    rival = make_candidate(
        commune=other, first_name="Rémi", last_name=f"{name}-rival", list_name=f"Autre liste {name}"
    )
    with pytest.raises(ListAlreadyHeaded):
        make_pledge(rival)
    claim = ListClaim.objects.get(candidate=rival)
    official_list = make_official_list(
        commune, name=f"Ensemble {name}", head=("Anne", f"{name}-officielle")
    )
    correction = CorrectionRequest.objects.create(
        candidate=pending.candidate, message=f"Corriger {name}, s’il vous plaît."
    )
    now = timezone.now()
    trace = SignatureTrace.objects.create(
        pseudonym=f"trace-{name.lower()}",
        campaign=current_campaign(),
        commune_insee_code=commune.insee_code,
        last_status=Signature.Status.APPROVED,
        submitted_at=now,
        erased_at=now,
    )
    region = Region.objects.get(code=region_code)
    relay = Relay.objects.create(
        name=f"Relais {name}",
        contact_name=f"Contact {name}",
        contact_email=f"relais-{name.lower()}@exemple.test",
        created_at=now,
    )
    relay.regions.add(region)
    extra = {
        "alert": AlertSubscription.objects.create(
            commune=commune,
            email=f"alerte-{name.lower()}@exemple.test",
            created_at=now,
            confirmed_at=now,
        ),
        "follow_up": FollowUpUpdate.objects.create(
            signed_commitment=approved.signed_commitments.first(),
            status=FollowUpStatus.IN_PROGRESS,
            text=f"Suivi {name} : les travaux commencent.",
            author_name=f"Val {name}",
            author_role=FollowUpUpdate.AuthorRole.LIST,
            created_at=now,
        ),
        "reminder": FollowUpReminder.objects.create(
            signature=approved,
            kind=FollowUpReminder.Kind.choices[0][0],
            email=f"rappel-{name.lower()}@exemple.test",
            due_on=now.date(),
            sent_at=now,
        ),
        "relay": relay,
        "relay_link": RelayLink.objects.create(
            relay=relay, official_list=official_list, code=f"c{name.lower()}", created_at=now
        ),
    }
    mailing = Mailing.objects.create(
        author_name=f"Équipe {name}",
        created_at=now,
        audience=Mailing.Audience.SIGNATORIES,
        filters={"regions": [region_code]},
        subject=f"Message {name}",
        body=f"Bonjour, ici {name}.",
    )
    extra["mailing"] = mailing
    extra["councillor"] = make_councillor(
        commune, "Élise", f"{name}-elue", official_candidate=official_list.candidates.first()
    )
    extra["delivery"] = MailingDelivery.objects.create(
        mailing=mailing, candidate=pending.candidate, email=f"envoi-{name.lower()}@exemple.test"
    )
    return Side(
        region=region,
        pending=pending,
        approved=approved,
        official_list=official_list,
        membership=membership,
        claim=claim,
        correction=correction,
        trace=trace,
        extra=extra,
    )


@dataclass
class World:
    inside: Side
    outside: Side


def build_world() -> World:
    """Both régions' rows, decided by a national moderator (not the regional one)."""
    national = make_moderator("equipe-nationale", first_name="Nina", last_name="Nationale")
    return World(
        inside=_side(INSIDE, ("42218", "69123"), INSIDE_MARK, national),  # Saint-Étienne, Lyon
        outside=_side(OUTSIDE, ("59350", "80021"), MARK, national),  # Lille, Amiens
    )


# ------------------------------------------------------------ the rule, as the tests read it


def _region_of_commune(commune) -> str:
    return commune.departement.region_id


def _signature_region(signature) -> str:
    return _region_of_commune(signature.candidate.commune)


def _relay_regions(relay) -> set[str]:
    regions = set(relay.regions.values_list("code", flat=True))
    regions |= set(relay.departements.values_list("region_id", flat=True))
    regions |= set(relay.communes.values_list("departement__region_id", flat=True))
    return regions


def _audit_visible(entry, user, regions) -> bool:
    if entry.actor_id == user.pk:
        return True
    return entry.pledge_id is not None and _signature_region(entry.pledge) in regions


def _trace_visible(trace, user, regions) -> bool:
    commune = Commune.objects.filter(insee_code=trace.commune_insee_code).first()
    return commune is not None and _region_of_commune(commune) in regions


def _mailing_visible(mailing, user, regions) -> bool:
    chosen = set(mailing.filters.get("regions") or [])
    return bool(chosen) and chosen <= regions


# Model label → the région a row lies in (one région), for a scoped account.
REGION_OF = {
    "pledges.Signature": _signature_region,
    "pledges.ElectoralList": lambda o: _region_of_commune(o.commune),
    "candidates.OfficialList": lambda o: _region_of_commune(o.commune),
    "candidates.OfficialCandidate": lambda o: _region_of_commune(o.commune),
    "candidates.Candidate": lambda o: _region_of_commune(o.commune),
    "candidates.CorrectionRequest": lambda o: _region_of_commune(o.candidate.commune),
    "candidates.ElectedCouncillor": lambda o: _region_of_commune(o.commune),
    "pledges.FollowUpUpdate": lambda o: _signature_region(o.signed_commitment.pledge),
    "pledges.FollowUpReminder": lambda o: _signature_region(o.signature),
    "pledges.RelayLink": lambda o: _region_of_commune(o.official_list.commune),
    "pledges.MailingDelivery": lambda o: o.candidate and _region_of_commune(o.candidate.commune),
    "pledges.ListInvitation": lambda o: _region_of_commune(o.official_list.commune),
    "pledges.ListDecline": lambda o: _region_of_commune(o.official_list.commune),
    "pledges.ListMembership": lambda o: _region_of_commune(o.electoral_list.commune),
    "pledges.ListClaim": lambda o: _region_of_commune(o.electoral_list.commune),
    "pledges.Certificate": lambda o: _signature_region(o.pledge),
    "pledges.AlertSubscription": lambda o: _region_of_commune(o.commune),
}
# Model label → visible(obj, user, regions), where one région is not the rule.
VISIBLE_IF = {
    "pledges.AuditEntry": _audit_visible,
    "pledges.SignatureTrace": _trace_visible,
    "pledges.Mailing": _mailing_visible,
    "pledges.Relay": lambda o, user, regions: bool(_relay_regions(o) & regions),
}
# No région: the same for every staff account (reference data, the charter, the reasons).
NATIONAL = {
    "communes.Region",
    "communes.Departement",
    "communes.Commune",
    "communes.Secteur",
    "pledges.Campaign",
    "pledges.Proposal",
    "pledges.Commitment",
    "pledges.RejectionReason",
}
# Never shown to a scoped account, whatever its permissions (rows of every région that no
# column ties to one, the accounts, or what only superusers decide).
HIDDEN = {
    "auth.User",
    "auth.Group",
    "account.EmailAddress",
    "django_tasks_database.DBTaskResult",
    "candidates.RosterImport",
    "candidates.ElectedImport",
    "pledges.ModeratorScope",
    "pledges.EmailOptOut",
}


def classified(label: str) -> bool:
    return label in REGION_OF or label in VISIBLE_IF or label in NATIONAL | HIDDEN


def visible(label: str, obj, user) -> bool:
    """Whether the scoped `user` may see `obj` (of the model `label`)."""
    from pledges.moderation.scope import regions_of

    regions = regions_of(user)
    if regions is None or label in NATIONAL:
        return True
    if label in REGION_OF:
        return REGION_OF[label](obj) in regions
    if label in VISIBLE_IF:
        return VISIBLE_IF[label](obj, user, regions)
    return False


def audit_entries_about(side: Side):
    return AuditEntry.objects.filter(pledge__in=[side.pending, side.approved])
