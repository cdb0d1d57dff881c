"""Benchmark-size demo data: the rows `manage.py seed_demo` makes, written in bulk.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB .venv/bin/python \\
        benchmarks/bulk_seed.py --signatories 50000 --seed 2020 [--commitments-mean 10]

The database must be migrated, with the communes imported and the charter loaded
(`manage.py import_communes`, `manage.py load_charter`). The accounts are at
pledges.demo.DEMO_EMAIL_DOMAIN: `manage.py seed_demo --purge` removes them.

It tells the same stories as seed_demo (pledges.demo.stories: same seed, same people,
communes, lists, steps and dates), but instead of calling a service per step it replays
each story in memory and writes all the rows with bulk_create, batch by batch: 50,000
signatories in well under a minute on PostgreSQL, against some 25 minutes through the
services. A head's first signature creates their list (as pledges.lists.services
list_for_head does: its name, label and website from the profile) and is the list's; a
colistier's request to join, the head's decision, leaving and removal are written as
pledges.lists.services writes them, with its consent text (JOIN_CONSENT); what the
services would refuse (a second head for a list, a colistier signing off a list or a
commitment their list signed) is refused. The rules are not copied: which events are public is
`SignatureEvent.is_public_kind`, what a certificate says is
`pledges.certificates.services.certified_content` (fed the replayed state) and its
fingerprint `fingerprint_of`, the consents are the signing service's texts.
tests/benchmarks/test_bulk_seed.py proves that for the same stories these rows equal,
field by field, what the services write; change a service's rule and that test fails.
"""

import os
import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script: set Django up before importing models
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()

from collections.abc import Callable
from operator import attrgetter

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction

from candidates.models import Candidate, candidate_search_key
from candidates.services import OPINIONS_CONSENT
from communes.models import Departement
from pledges.certificates.services import certified_content, fingerprint_of, new_reference
from pledges.demo.seeding import SeedSummary, demo_moderator, next_serial, summarize
from pledges.demo.stories import INVITATION, JOINING, Action, Step, Story, Storyteller, check_count
from pledges.directory.queries import invalidate_public_caches
from pledges.lists.services import JOIN_CONSENT
from pledges.models import (
    AuditEntry,
    Certificate,
    Commitment,
    ElectoralList,
    ListMembership,
    RejectionReason,
    Signature,
    SignatureEvent,
    SignedCommitment,
)
from pledges.models.lists import list_name_key
from pledges.signing.account import pseudonym_for
from pledges.signing.services import PUBLICATION_CONSENT, candidacy_consent

BATCH_SIZE = 2_000  # stories per transaction
Status = Signature.Status
Kind = SignatureEvent.Kind
Audit = AuditEntry.Action
Membership = ListMembership.Status
Role = Candidate.Role


def profile_fields(profile: dict, *, at) -> dict:
    """A story's profile as Candidate columns: the opinions' consent as save_profile records it."""
    fields = dict(profile)
    consent = fields.pop("opinions_consent", False)
    if consent and (fields["political_label"].strip() or fields["statement"].strip()):
        fields["opinions_consent_text"], fields["opinions_consent_at"] = OPINIONS_CONSENT, at
    return fields


class _Rows(list):
    """Rows in memory that answer the few QuerySet calls certified_content makes."""

    def select_related(self, *fields):
        return self

    def order_by(self, *fields):
        keys = [attrgetter(name.replace("__", ".")) for name in fields]
        return _Rows(sorted(self, key=lambda row: [key(row) for key in keys]))


class Replay:
    """One story's rows, as the services would write them, built in memory.

    Each method is one service call of the story and changes the rows as that service
    does; a status change the one table of transitions (Signature.TRANSITIONS) refuses
    raises its ValidationError, any other step a service would refuse a ValueError.
    """

    def __init__(
        self,
        steps: list[Step],
        *,
        candidate: Candidate,
        seeder: "RowWriter",
        head: Candidate | None = None,
    ):
        self.seeder = seeder
        self.candidate = candidate
        self.head = head  # a colistier's: the head of the list they join
        self.signature: Signature | None = None
        self.signed: dict[int, SignedCommitment] = {}
        self.events: list[SignatureEvent] = []
        self.certificates: list[Certificate] = []
        self.audits: list[AuditEntry] = []
        self.electoral_list: ElectoralList | None = None  # a head's, once they sign
        self.membership: ListMembership | None = None
        for step in steps:
            self.take(step)

    def take(self, step: Step) -> None:
        at = step.at
        if step.action in JOINING:
            self.join(step)
            return
        match step.action:
            case Action.SUBMIT:
                self.submit(at, set(step.commitments))
            case Action.APPROVE:
                self.decide(at, Audit.APPROVED, Status.APPROVED)
            case Action.REQUEST_CHANGES:
                self.decide(at, Audit.CHANGES_REQUESTED, Status.CHANGES_REQUESTED, step)
            case Action.REJECT:
                self.decide(at, Audit.REJECTED, Status.REJECTED, step)
            case Action.UNPUBLISH:
                self.decide(at, Audit.UNPUBLISHED, Status.UNPUBLISHED, step)
            case Action.ADD | Action.WITHDRAW_COMMITMENT:
                self.change_one(at, step)
            case Action.WITHDRAW:
                self.signature.check_transition(Status.WITHDRAWN)
                self.signature.status = Status.WITHDRAWN
                self.signature.withdrawn_at = at
                self.event(Kind.WITHDRAWN, at)
            case _:
                raise ValueError(f"Unknown step: {step.action}")

    # ---------------------------------------------------------------- signing

    def consent(self, at) -> None:
        signature = self.signature
        signature.consent_candidacy_text = candidacy_consent(
            candidate=self.candidate, campaign=self.seeder.campaign
        )
        signature.consent_publication_text = PUBLICATION_CONSENT
        signature.consent_candidacy_at = signature.consent_publication_at = at

    def active(self) -> set[int]:
        return {pk for pk, row in self.signed.items() if row.withdrawn_at is None}

    def set_commitments(self, wanted: set[int], at) -> tuple[set[int], set[int]]:
        active = self.active()
        added, withdrawn = wanted - active, active - wanted
        for pk in added:
            row = self.signed.get(pk)
            if row is None:
                commitment = self.seeder.commitments[pk]
                row = self.signed[pk] = SignedCommitment(commitment=commitment, signed_at=at)
            row.signed_at, row.withdrawn_at = at, None
        for pk in withdrawn:
            self.signed[pk].withdrawn_at = at
        return added, withdrawn

    def list_to_sign_for(self, at, wanted: set[int]) -> ElectoralList | None:
        """pledges.signing.services._list_to_sign_for, for the replayed rows."""
        role = self.candidate.role
        if role == Role.HEAD_OF_LIST:
            if self.electoral_list is None:
                self.electoral_list = self.seeder.new_list(self.candidate, at)
            return self.electoral_list
        if role == Role.CANDIDATE:
            membership = self.membership
            if membership is None or membership.status not in ListMembership.ACTIVE:
                raise ValueError("submit_pledge refuses a colistier who is on no list")
            head = self.seeder.head_replays[membership.electoral_list.head.pk]
            if head.signature is not None and wanted & head.active():
                raise ValueError("submit_pledge refuses a commitment the list has signed")
        return None

    def submit(self, at, wanted: set[int]) -> None:
        electoral_list = self.list_to_sign_for(at, wanted)
        if self.signature is None:
            self.signature = Signature(
                campaign=self.seeder.campaign,
                candidate=self.candidate,
                electoral_list=electoral_list,
                submitted_at=at,
            )
            self.consent(at)
            self.set_commitments(wanted, at)
            self.event(Kind.SUBMITTED, at)
            return
        signature = self.signature
        signature.check_transition(Status.PENDING)
        if signature.status == Status.WITHDRAWN and not signature.was_approved:
            kind = Kind.SUBMITTED
        elif signature.status == Status.CHANGES_REQUESTED:
            kind = Kind.RESUBMITTED
        elif signature.status == Status.PENDING:
            kind = Kind.EDITED
        else:
            raise ValueError(f"submit_pledge refuses a {signature.status} signature")
        added, withdrawn = self.set_commitments(wanted, at)
        if kind == Kind.EDITED and not (added or withdrawn):
            return
        self.consent(at)
        signature.status = Status.PENDING
        signature.withdrawn_at = None
        if kind == Kind.SUBMITTED:
            signature.submitted_at = at
        self.event(kind, at)

    def change_one(self, at, step: Step) -> None:
        signature, (pk,) = self.signature, step.commitments
        if signature.status not in (Status.APPROVED, *Signature.EDITABLE_STATUSES):
            raise ValueError(f"{step.action} refuses a {signature.status} signature")
        active = self.active()
        if step.action == Action.ADD:
            if pk in active:
                raise ValueError("add_commitment refuses a commitment already signed")
            self.set_commitments(active | {pk}, at)
            self.event(Kind.COMMITMENT_ADDED, at, commitment=pk)
        else:
            if pk not in active or active == {pk}:
                raise ValueError("withdraw_commitment refuses this commitment")
            self.set_commitments(active - {pk}, at)
            self.event(Kind.COMMITMENT_WITHDRAWN, at, commitment=pk)
        self.issue_certificate(at)

    # ---------------------------------------------------------------- lists

    def join(self, step: Step) -> None:
        """request_join, decide_join, leave_list, remove_member, for the replayed rows."""
        at, membership, head = step.at, self.membership, self.head
        match step.action:
            case Action.JOIN:
                electoral_list = self.seeder.head_replays[head.pk].electoral_list
                if self.candidate.role != Role.CANDIDATE or electoral_list is None:
                    raise ValueError("request_join refuses this candidate or list")
                if (electoral_list.commune_id, electoral_list.secteur_id) != (
                    self.candidate.commune_id,
                    self.candidate.secteur_id,
                ):
                    raise ValueError("request_join refuses a list elsewhere")
                if membership is not None and membership.status in ListMembership.ACTIVE:
                    raise ValueError("request_join refuses a second list")
                self.membership = ListMembership(
                    electoral_list=electoral_list,
                    candidate=self.candidate,
                    via_invitation=step.note == INVITATION,
                    consent_publication_text=JOIN_CONSENT.format(name=electoral_list.name),
                    consent_publication_at=at,
                    requested_at=at,
                )
            case Action.ACCEPT_JOIN | Action.REFUSE_JOIN:
                if membership.status != Membership.REQUESTED:
                    raise ValueError("decide_join refuses a request already decided")
                accept = step.action == Action.ACCEPT_JOIN
                membership.status = Membership.CONFIRMED if accept else Membership.REFUSED
                membership.decided_at, membership.decided_by = at, head.user
            case Action.LEAVE:
                if membership.status not in ListMembership.ACTIVE:
                    raise ValueError("leave_list refuses a membership that has ended")
                membership.status, membership.ended_at = Membership.LEFT, at
            case Action.REMOVE:
                if membership.status != Membership.CONFIRMED:
                    raise ValueError("remove_member refuses a member not confirmed")
                membership.status, membership.ended_at = Membership.REMOVED, at
                membership.decided_by = head.user

    # ---------------------------------------------------------------- moderation

    def decide(self, at, action: str, new_status: str, step: Step | None = None) -> None:
        signature = self.signature
        signature.check_transition(new_status)
        note = step.note if step else ""
        reason = self.seeder.reasons[step.reason] if step and step.reason else None
        previous, signature.status = signature.status, new_status
        if new_status == Status.APPROVED and signature.approved_at is None:
            signature.approved_at = at
        if new_status == Status.APPROVED:
            self.issue_certificate(at)
        self.event(action, at, note=note, reason=reason)
        moderator = self.seeder.moderator
        self.audits.append(
            AuditEntry(
                at=at,
                actor=moderator,
                actor_name=moderator.get_full_name() or moderator.get_username(),
                action=action,
                changes={"status": [previous, new_status]},
                note=" — ".join(part for part in (reason.label if reason else "", note) if part),
            )
        )

    # ---------------------------------------------------------------- the rules reused

    def event(self, kind: str, at, *, commitment=None, note="", reason=None) -> None:
        self.events.append(
            SignatureEvent(
                kind=kind,
                commitment_id=commitment,
                at=at,
                is_public=SignatureEvent.is_public_kind(kind, signature=self.signature),
                note=note,
                reason=reason,
            )
        )

    def issue_certificate(self, at) -> None:
        signature = self.signature
        if signature.status != Status.APPROVED:
            return
        # certified_content reads the signature's active commitments: hand it the replayed ones.
        active = _Rows(row for row in self.signed.values() if row.withdrawn_at is None)
        signature.active_signatures = lambda: active
        content = certified_content(signature)
        current = self.certificates[-1] if self.certificates else None
        if current is not None and current.content == content:
            return
        if current is not None:
            current.superseded_at = at
        version = len(self.certificates) + 1
        certificate = Certificate(version=version, issued_at=at, content=content)
        self.seeder.give_reference(certificate)
        self.certificates.append(certificate)


class RowWriter:
    """Writes signatures and all that hangs off them in bulk, as the services would."""

    def __init__(self, *, campaign, moderator):
        self.campaign = campaign
        self.moderator = moderator
        self.commitments = (
            Commitment.objects.filter(proposal__campaign=campaign)
            .select_related("proposal")
            .in_bulk()
        )
        self.reasons = RejectionReason.objects.in_bulk()
        self.departements = Departement.objects.in_bulk()
        self.references: set[str] = set()
        # The heads' replays (their list, its signature's commitments), for their colistiers.
        self.head_replays: dict[int, Replay] = {}
        self.new_lists: list[ElectoralList] = []

    def new_list(self, candidate: Candidate, at) -> ElectoralList:
        """The list a head's first signature creates (pledges.lists.services.list_for_head);
        a name already taken there is refused, as the services refuse a second head."""
        name = candidate.list_name.strip()
        key = (candidate.commune_id, candidate.secteur_id, list_name_key(name))
        taken = ElectoralList.objects.filter(
            campaign=self.campaign,
            commune_id=key[0],
            secteur_id=key[1],
            name_key=key[2],
        ).exists()
        if taken or any(
            (other.commune_id, other.secteur_id, other.name_key) == key for other in self.new_lists
        ):
            raise ValueError(f"submit_pledge refuses a second head for the list « {name} »")
        electoral_list = ElectoralList(
            campaign=self.campaign,
            commune=candidate.commune,
            secteur=candidate.secteur,
            head=candidate,
            name=name,
            name_key=key[2],
            political_label=candidate.political_label,
            website=candidate.website,
            created_at=at,
        )
        self.new_lists.append(electoral_list)
        return electoral_list

    def give_reference(self, certificate: Certificate) -> None:
        """A fresh reference, and the fingerprint that goes with it."""
        reference = new_reference()
        while reference in self.references:
            reference = new_reference()
        self.references.add(reference)
        certificate.reference = reference
        certificate.fingerprint = fingerprint_of(
            reference=reference,
            version=certificate.version,
            issued_at=certificate.issued_at,
            content=certificate.content,
        )

    @transaction.atomic
    def write(self, items: list[tuple]) -> list[Replay]:
        """Each (saved candidate, steps), or (saved colistier, steps, their list's head,
        whose items came first): its rows, written in a few INSERTs."""
        replays = []
        self.new_lists = []
        for candidate, steps, *head in items:
            commune = candidate.commune
            if commune.departement_id in self.departements:  # no query per certificate
                commune.departement = self.departements[commune.departement_id]
            replay = Replay(steps, candidate=candidate, seeder=self, head=head[0] if head else None)
            if candidate.role == Role.HEAD_OF_LIST:
                self.head_replays[candidate.pk] = replay
            replays.append(replay)
        ElectoralList.objects.bulk_create(self.new_lists)
        signing = [replay for replay in replays if replay.signature is not None]
        Signature.objects.bulk_create(replay.signature for replay in signing)
        ListMembership.objects.bulk_create(
            (replay.membership for replay in replays if replay.membership is not None),
            batch_size=5_000,
        )
        signed, events, certificates, audits = [], [], [], []
        for replay in signing:
            signature = replay.signature
            signature.__dict__.pop("active_signatures", None)  # back to the model's method
            for rows, out in (
                (replay.signed.values(), signed),
                (replay.events, events),
                (replay.certificates, certificates),
                (replay.audits, audits),
            ):
                for row in rows:
                    row.pledge = signature
                    out.append(row)
            pseudonym = pseudonym_for(signature)
            for audit in replay.audits:
                audit.pledge_pseudonym = pseudonym
        SignedCommitment.objects.bulk_create(signed, batch_size=5_000)
        SignatureEvent.objects.bulk_create(events, batch_size=5_000)
        AuditEntry.objects.bulk_create(audits, batch_size=5_000)
        self.insert_certificates(certificates)
        return replays

    def insert_certificates(self, certificates: list[Certificate]) -> None:
        # A reference already in the database (about one chance in a million per batch):
        # draw the batch's references again, as issue_certificate does for one.
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    Certificate.objects.bulk_create(certificates, batch_size=2_000)
                return
            except IntegrityError:
                for certificate in certificates:
                    certificate.pk = None
                    self.give_reference(certificate)
        raise RuntimeError("Could not draw free certificate references.")


class BulkSeeder:
    """seed_demo's stories, their accounts and profiles included, written in bulk."""

    def __init__(self, *, seed: int | None, commitments_mean: float | None = None):
        self.teller = Storyteller(seed=seed, commitments_mean=commitments_mean)
        self.rows = RowWriter(campaign=self.teller.campaign, moderator=demo_moderator())
        self.password = make_password(None)  # unusable, as create_user(password=None) makes it
        self.heads: dict[int, Candidate] = {}  # a head's story serial → their candidate

    @transaction.atomic
    def write(self, stories: list[Story], summary: SeedSummary) -> None:
        User = get_user_model()
        users = User.objects.bulk_create(
            User(
                username=story.email,
                email=story.email,
                password=self.password,
                date_joined=story.joined_at,
            )
            for story in stories
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
        )
        candidates = Candidate.objects.bulk_create(
            Candidate(
                user=user,
                **profile_fields(story.profile, at=story.joined_at),
                search_key=candidate_search_key(
                    first_name=story.profile["first_name"],
                    last_name=story.profile["last_name"],
                    list_name=story.profile["list_name"],
                ),
            )
            for user, story in zip(users, stories, strict=True)
        )
        items = []
        for candidate, story in zip(candidates, stories, strict=True):
            if story.profile["role"] == Role.HEAD_OF_LIST:
                self.heads[story.serial] = candidate
            if story.head is None:
                items.append((candidate, story.steps))
            else:
                items.append((candidate, story.steps, self.heads[story.head]))
        replays = self.rows.write(items)
        summarize(summary, stories)
        summary.signed_commitments += sum(len(replay.signed) for replay in replays)
        summary.events += sum(len(replay.events) for replay in replays)
        summary.certificates += sum(len(replay.certificates) for replay in replays)


def bulk_seed(
    *,
    signatories: int,
    seed: int | None = None,
    commitments_mean: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SeedSummary:
    """Write `signatories` demo signatories, the rows seed_demo's services would write."""
    check_count(signatories)
    seeder = BulkSeeder(seed=seed, commitments_mean=commitments_mean)
    first = next_serial()
    summary = SeedSummary()
    for start in range(0, signatories, BATCH_SIZE):
        stop = min(start + BATCH_SIZE, signatories)
        stories = seeder.teller.stories(range(first + start, first + stop))
        seeder.write(stories, summary)
        if progress:
            progress(stop, signatories)
    summary.communes = len(seeder.teller.drawn)
    invalidate_public_caches()
    return summary


def main(argv: list[str] | None = None) -> None:
    import argparse
    import time

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatories", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--commitments-mean", type=float, default=None)
    options = parser.parse_args(argv)
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        sys.stderr.write(f"  {done:,} / {total:,} ({time.perf_counter() - started:.1f} s)\n")

    summary = bulk_seed(
        signatories=options.signatories,
        seed=options.seed,
        commitments_mean=options.commitments_mean,
        progress=progress,
    )
    sys.stdout.write(
        f"{summary.signatories:,} signatories in {summary.communes:,} communes, "
        f"{summary.lists:,} lists, {sum(summary.memberships.values()):,} memberships, "
        f"{summary.signatures:,} signatures, "
        f"{summary.signed_commitments:,} signed commitments, {summary.events:,} events, "
        f"{summary.certificates:,} certificates in {time.perf_counter() - started:.1f} s\n"
    )


if __name__ == "__main__":
    main()
