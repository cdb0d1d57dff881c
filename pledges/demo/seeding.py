"""Demo signatories played through the signing and moderation services, and their removal.

Contract:

- `seed_demo(signatories=N, seed=S)` tells N stories (pledges.demo.stories: N candidates,
  list by list) and plays each one through the services a real candidate, head of list
  and moderator would call: an account with a verified address and no usable password,
  `save_profile`, `submit_pledge` (a head's creates their list), `request_join` and the
  head's `decide_join`, `leave_list`, `remove_member`, `approve_pledge`,
  `request_changes`, `reject_pledge`, `unpublish_pledge`, `add_commitment`,
  `withdraw_commitment`, `withdraw_pledge`. So every rule holds by construction: one head
  and one signature per list, a colistier on a list before signing in their own name,
  the transitions, the consents, which events are public, the certificates (issued and
  re-issued as approval and later changes issue them; no PDF is rendered), the audit
  log. A step a rule refuses raises, and nothing of its batch is kept.
- Dates: the stories are dated between 1 January and the second round. Each step runs
  with `django.utils.timezone.now` set to the step's date (`clock_at`), so the services
  stamp what they write with it; no date is written by anything but a service.
- E-mails and jobs: during seeding, jobs (config.tasks) run in this process with the
  immediate backend, not from the queue; the e-mail backend is Django's locmem backend,
  whose outbox is set aside then restored: every e-mail is built (its templates render),
  none is sent, none is kept, nothing is left in the queue. The summary counts them.
  Certificates are issued as approval issues them, but no PDF is rendered
  (CERTIFICATE_RENDER_ON_ISSUE is off while seeding).
- The decisions are signed by one demo account, `moderation@` DEMO_EMAIL_DOMAIN.
- `purge_demo()` deletes the accounts at DEMO_EMAIL_DOMAIN and everything that hangs off
  them (their lists, audit entries of their signatures and stored certificate PDFs
  included), and
  nothing else. It deletes rows, as deleting demo data should: it is no candidate's
  decision, and keeps no pseudonymous trace.

For benchmark-size data sets, benchmarks/bulk_seed.py writes the same rows in bulk.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from unittest import mock

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.storage import default_storage
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from pledges.demo.stories import (
    DEMO_EMAIL_DOMAIN,
    INVITATION,
    JOINING,
    Action,
    Step,
    Story,
    Storyteller,
    check_count,
)
from pledges.directory.queries import invalidate_public_caches
from pledges.lists import services as lists
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
from pledges.moderation import services as moderation
from pledges.signing import services as signing

BATCH_SIZE = 100  # stories per transaction
# A colistier's last joining step → where their membership stands.
MEMBERSHIP_OUTCOME = {
    Action.JOIN: ListMembership.Status.REQUESTED,
    Action.ACCEPT_JOIN: ListMembership.Status.CONFIRMED,
    Action.REFUSE_JOIN: ListMembership.Status.REFUSED,
    Action.LEAVE: ListMembership.Status.LEFT,
    Action.REMOVE: ListMembership.Status.REMOVED,
}
MODERATOR_EMAIL = f"moderation@{DEMO_EMAIL_DOMAIN}"


def demo_users():
    """The demo accounts: those whose e-mail address is at DEMO_EMAIL_DOMAIN."""
    return get_user_model().objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}")


def demo_signatures():
    return Signature.objects.filter(candidate__user__in=demo_users())


@dataclass
class SeedSummary:
    signatories: int = 0  # candidates
    communes: int = 0
    signatures: int = 0
    lists: int = 0
    memberships: Counter = field(default_factory=Counter)  # by status
    roles: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    signed_commitments: int = 0
    events: int = 0
    certificates: int = 0
    emails: int = 0  # built through the locmem backend, then discarded


@dataclass(frozen=True)
class PurgeSummary:
    deleted: dict[str, int]  # model label → rows deleted (or that would be, with dry_run)
    pdf_files: int
    dry_run: bool

    @property
    def accounts(self) -> int:
        return self.deleted.get(get_user_model()._meta.label, 0)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Within the block, `timezone.now()` is `moment`: the services date their rows with it."""
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


# While seeding: jobs run here at commit, e-mails stay in memory, no PDF is rendered.
SEEDING_SETTINGS = {
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "CERTIFICATE_RENDER_ON_ISSUE": False,
}


@contextmanager
def mail_set_aside() -> Iterator[list]:
    """E-mails go to the locmem backend, into an outbox of their own that is then dropped."""
    saved = getattr(mail, "outbox", None)
    outbox = mail.outbox = []
    try:
        with override_settings(**SEEDING_SETTINGS):
            yield outbox
    finally:
        if saved is None:
            del mail.outbox
        else:
            mail.outbox = saved


def demo_moderator():
    """The demo account that signs the demo decisions (no password, not staff)."""
    user, created = get_user_model().objects.get_or_create(
        username=MODERATOR_EMAIL,
        defaults={
            "email": MODERATOR_EMAIL,
            "first_name": "Équipe",
            "last_name": "de démonstration",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class Player:
    """Plays stories through the services; a colistier's after their head's."""

    def __init__(self, *, campaign, moderator):
        self.campaign = campaign
        self.moderator = moderator
        self.commitments = Commitment.objects.filter(proposal__campaign=campaign).in_bulk()
        self.reasons = RejectionReason.objects.in_bulk()
        self.heads: dict[int, object] = {}  # a head's story serial → their candidate

    def play(self, story: Story) -> Signature | None:
        with clock_at(story.joined_at):
            user = get_user_model().objects.create_user(
                username=story.email, email=story.email, date_joined=story.joined_at
            )
            EmailAddress.objects.create(user=user, email=story.email, verified=True, primary=True)
            candidate = signing.save_profile(user=user, **story.profile)
        head = self.heads.get(story.head) if story.head is not None else None
        signature = self.sign(candidate, story.steps, head=head)
        if candidate.role == candidate.Role.HEAD_OF_LIST:
            self.heads[story.serial] = candidate
        return signature

    def sign(self, candidate, steps: list[Step], *, head=None) -> Signature | None:
        """The candidate's steps, each at its date; a colistier's list is `head`'s."""
        signature = membership = None
        for step in steps:
            with clock_at(step.at):
                if step.action in JOINING:
                    membership = self.join(
                        step, candidate=candidate, head=head, membership=membership
                    )
                else:
                    signature = self.take(step, candidate=candidate, signature=signature)
        return signature

    def join(self, step, *, candidate, head, membership) -> ListMembership:
        match step.action:
            case Action.JOIN:
                electoral_list = ElectoralList.objects.get(campaign=self.campaign, head=head)
                return lists.request_join(
                    candidate=candidate,
                    electoral_list=electoral_list,
                    consent=True,
                    via_invitation=step.note == INVITATION,
                )
            case Action.ACCEPT_JOIN | Action.REFUSE_JOIN:
                accept = step.action == Action.ACCEPT_JOIN
                return lists.decide_join(membership=membership, user=head.user, accept=accept)
            case Action.LEAVE:
                return lists.leave_list(membership=membership)
            case Action.REMOVE:
                return lists.remove_member(membership=membership, user=head.user)
        raise ValueError(f"Unknown step: {step.action}")

    def take(self, step, *, candidate, signature) -> Signature:
        moderator = self.moderator
        commitments = [self.commitments[pk] for pk in step.commitments]
        match step.action:
            case Action.SUBMIT:
                return signing.submit_pledge(
                    candidate=candidate, commitments=commitments, campaign=self.campaign
                )
            case Action.ADD:
                return signing.add_commitment(pledge=signature, commitment=commitments[0])
            case Action.WITHDRAW_COMMITMENT:
                return signing.withdraw_commitment(pledge=signature, commitment=commitments[0])
            case Action.WITHDRAW:
                return signing.withdraw_pledge(pledge=signature)
            case Action.APPROVE:
                return moderation.approve_pledge(pledge=signature, moderator=moderator)
            case Action.REQUEST_CHANGES:
                return moderation.request_changes(
                    pledge=signature, moderator=moderator, message=step.note
                )
            case Action.REJECT:
                return moderation.reject_pledge(
                    pledge=signature,
                    moderator=moderator,
                    reason=self.reasons[step.reason],
                    details=step.note,
                )
            case Action.UNPUBLISH:
                return moderation.unpublish_pledge(
                    pledge=signature, moderator=moderator, reason=step.note
                )
        raise ValueError(f"Unknown step: {step.action}")


def next_serial() -> int:
    """The serial of the next demo account (its e-mail is …<serial>@DEMO_EMAIL_DOMAIN)."""
    emails = demo_users().values_list("email", flat=True)
    serials = (email.rsplit("@", 1)[0].rsplit(".", 1)[-1] for email in emails)
    return max((int(serial) for serial in serials if serial.isdigit()), default=0) + 1


def seed_demo(
    *,
    signatories: int,
    seed: int | None = None,
    commitments_mean: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SeedSummary:
    """Add `signatories` demo candidates with their signatures; `progress(done, total)`.

    `commitments_mean`: how many commitments a signature signs on average when submitted
    (default: about 7; a few more are added later).
    """
    check_count(signatories)
    teller = Storyteller(seed=seed, commitments_mean=commitments_mean)
    first = next_serial()
    player = Player(campaign=teller.campaign, moderator=demo_moderator())
    summary = SeedSummary()
    with mail_set_aside() as outbox:
        for start in range(0, signatories, BATCH_SIZE):
            stop = min(start + BATCH_SIZE, signatories)
            stories = teller.stories(range(first + start, first + stop))
            with transaction.atomic():
                signatures = [player.play(story) for story in stories]
            pks = [signature.pk for signature in signatures if signature is not None]
            summarize(summary, stories)
            summary.signed_commitments += SignedCommitment.objects.filter(pledge__in=pks).count()
            summary.events += SignatureEvent.objects.filter(pledge__in=pks).count()
            summary.certificates += Certificate.objects.filter(pledge__in=pks).count()
            if progress:
                progress(stop, signatories)
        summary.emails = len(outbox)
    summary.communes = len(teller.drawn)
    return summary


def summarize(summary: SeedSummary, stories: list[Story]) -> None:
    """Count the stories' candidates, roles, lists, memberships and signatures."""
    for story in stories:
        summary.signatories += 1
        summary.roles[story.profile["role"]] += 1
        if story.status is not None:
            summary.signatures += 1
            summary.statuses[story.status] += 1
        joined = [step.action for step in story.steps if step.action in JOINING]
        if joined:
            summary.memberships[MEMBERSHIP_OUTCOME[joined[-1]]] += 1
        if story.profile["role"] == "head_of_list":
            summary.lists += 1


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def purge_demo(*, dry_run: bool = False) -> PurgeSummary:
    """Delete the demo accounts and everything hanging off them; with dry_run, only count."""
    users = demo_users()
    signatures = Signature.objects.filter(candidate__user__in=users)
    counts = Counter()
    with transaction.atomic():
        pdfs = list(
            Certificate.objects.filter(pledge__in=signatures)
            .exclude(pdf="")
            .values_list("pdf", flat=True)
        )
        # The big tables first, each in one DELETE … WHERE pledge_id IN (SELECT …): the
        # cascade from the accounts then has only empty sets left to find there.
        for model in (AuditEntry, SignedCommitment, SignatureEvent, Certificate):
            counts.update(model.objects.filter(pledge__in=signatures).delete()[1])
        # The demo heads' lists: found before their heads go (the list would lose its head),
        # deleted after their signatures (a list's signature protects it).
        demo_lists = list(
            ElectoralList.objects.filter(head__user__in=users).values_list("pk", flat=True)
        )
        counts.update(users.delete()[1])
        counts.update(ElectoralList.objects.filter(pk__in=demo_lists).delete()[1])
        if dry_run:
            transaction.set_rollback(True)
        else:
            transaction.on_commit(lambda: _delete_files(pdfs))
            transaction.on_commit(invalidate_public_caches)
    deleted = {label: rows for label, rows in counts.items() if rows}
    return PurgeSummary(deleted=deleted, pdf_files=len(pdfs), dry_run=dry_run)
