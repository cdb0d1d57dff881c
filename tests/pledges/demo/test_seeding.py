"""manage.py seed_demo and pledges.demo.seeding: demo candidates played through the services.

That the rows are the services' own is by construction (pledges.demo.seeding calls them);
what is tested here is what the demo data looks like (lists by commune size, a head each
who signs for it, colistiers up to the council's size, individuals in small communes,
secteurs in Paris, Lyon and Marseille), that it sends nothing, and that --purge removes
it exactly.
"""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from candidates.models import Candidate, candidate_search_key
from candidates.services import check_candidacy
from pledges.certificates.services import certified_content
from pledges.demo import DEMO_EMAIL_DOMAIN, demo_users, seed_demo
from pledges.demo.seeding import MODERATOR_EMAIL, demo_signatures
from pledges.demo.stories import Action, Storyteller
from pledges.directory.queries import directory_stats, search_signatories
from pledges.models import (
    AuditEntry,
    Campaign,
    Certificate,
    ElectoralList,
    ListMembership,
    Signature,
    SignatureEvent,
    SignedCommitment,
)
from tests.factories import current_campaign, make_pledge

pytestmark = pytest.mark.django_db

Status = Signature.Status
Role = Candidate.Role
Membership = ListMembership.Status


def demo_pledges():
    return demo_signatures()


def demo_candidates_users():
    return demo_users().exclude(email=MODERATOR_EMAIL)


def demo_candidates():
    return Candidate.objects.filter(user__in=demo_candidates_users())


def demo_lists():
    return ElectoralList.objects.filter(head__in=demo_candidates())


def seed(signatories=60, seed=1, **options) -> str:
    out = StringIO()
    call_command("seed_demo", signatories=signatories, seed=seed, stdout=out, **options)
    return out.getvalue()


def purge(*args) -> str:
    out = StringIO()
    call_command("seed_demo", "--purge", *args, stdout=out)
    return out.getvalue()


def test_each_pledge_signs_one_to_twenty_commitments_and_keeps_one_active():
    seed(60)

    for pledge in demo_pledges():
        assert 1 <= pledge.signed_commitments.count() <= 20
        assert pledge.active_signatures().exists()
        assert pledge.signed_commitments.filter(signed_at__lt=pledge.submitted_at).count() == 0


def test_every_demo_account_is_at_the_demo_domain_with_a_verified_address():
    accounts_before = get_user_model().objects.count()
    seed(60)

    users = demo_candidates_users()
    # 60 candidates, and the demo moderator who signs the decisions.
    assert get_user_model().objects.count() == accounts_before + 61
    assert users.count() == 60
    for user in users:
        assert user.email.endswith(f"@{DEMO_EMAIL_DOMAIN}")
        assert not user.has_usable_password()
        # Heads and individuals sign; colistiers join their list, and some sign too.
        signatures = user.candidate.signatures.count()
        assert signatures == 1 if user.candidate.role != Role.CANDIDATE else signatures <= 1
    addresses = EmailAddress.objects.filter(user__in=users)
    assert addresses.filter(verified=True, primary=True).count() == 60


def test_seeding_sends_no_email_and_keeps_none(mailoutbox):
    mailoutbox.append("an e-mail of the test itself")

    summary = seed_demo(signatories=60, seed=1)

    # Every receipt and decision was built (the services sent them to locmem)...
    assert summary.emails >= 60
    # ... and set aside: the outbox is the one there was before.
    assert mail.outbox is mailoutbox
    assert mailoutbox == ["an e-mail of the test itself"]


def test_seeding_leaves_no_job_in_the_queue(database_tasks):
    from django_tasks_db.models import DBTaskResult

    summary = seed_demo(signatories=20, seed=3)

    # As in production, jobs go to the database queue, but not the seeding's e-mails: they
    # ran in-process, into the outbox set aside; a worker will find nothing to send.
    assert summary.emails >= 20
    assert not DBTaskResult.objects.exists()
    assert not Certificate.objects.exclude(pdf="").exists()  # no PDF rendered


def test_the_decisions_are_the_demo_moderators_in_the_audit_log():
    seed(60)

    entries = AuditEntry.objects.filter(pledge__in=demo_pledges())
    decided = (
        demo_pledges()
        .exclude(status=Status.PENDING)
        .exclude(status=Status.WITHDRAWN, approved_at__isnull=True)
    )
    assert set(entries.values_list("pledge", flat=True)) == set(
        decided.values_list("pk", flat=True)
    )
    assert set(entries.values_list("actor__email", flat=True)) == {MODERATOR_EMAIL}
    moderator = get_user_model().objects.get(email=MODERATOR_EMAIL)
    assert not moderator.has_usable_password() and not moderator.is_staff


def test_approved_pledges_have_a_certificate_saying_what_they_say_now():
    seed(100)

    for pledge in demo_pledges().select_related("candidate__commune__departement", "campaign"):
        certificates = list(pledge.certificates.order_by("version"))
        if pledge.approved_at is None:
            assert certificates == []
            continue
        assert certificates[0].issued_at == pledge.approved_at
        assert [c.version for c in certificates] == list(range(1, len(certificates) + 1))
        assert [c.superseded_at is None for c in certificates][-1]
        if pledge.status == Status.APPROVED:
            assert certificates[-1].content == certified_content(pledge)
    ever_approved = demo_pledges().filter(approved_at__isnull=False)
    # approved, unpublished, most of the withdrawn
    assert ever_approved.count() > demo_pledges().filter(status=Status.APPROVED).count()
    current = Certificate.objects.filter(pledge__in=demo_pledges(), superseded_at__isnull=True)
    assert current.count() == ever_approved.count()
    # Commitments added or withdrawn after approval re-issued some.
    assert Certificate.objects.filter(pledge__in=demo_pledges(), version__gt=1).exists()


def test_dates_fall_between_new_year_and_the_second_round():
    seed(60)
    campaign = current_campaign()

    for pledge in demo_pledges():
        assert pledge.submitted_at.year == 2020
        assert pledge.submitted_at.date() < campaign.first_round_date
    last = SignatureEvent.objects.filter(pledge__in=demo_pledges()).latest("at").at
    assert last.date() <= campaign.second_round_date


def test_candidates_pass_the_profile_rules_and_are_searchable():
    seed(60)

    candidates = Candidate.objects.filter(user__in=demo_users()).select_related("commune")
    assert len(candidates) == 60
    for candidate in candidates:
        candidate.full_clean(exclude=["user"])
        check_candidacy(
            commune=candidate.commune,
            role=candidate.role,
            list_name=candidate.list_name,
            secteur=candidate.secteur,
            ballot_note=candidate.ballot_note,
        )
        assert candidate.ballot_note == ""  # the population's hint followed
        assert candidate.search_key == candidate_search_key(
            first_name=candidate.first_name,
            last_name=candidate.last_name,
            list_name=candidate.list_name,
        )
    public = demo_pledges().public().select_related("candidate").first()
    found = search_signatories(current_campaign(), public.candidate.full_name)
    assert public in found


def test_the_same_seed_gives_the_same_signatories():
    def drawn():
        return list(
            demo_pledges()
            .order_by("pk")
            .values_list(
                "candidate__first_name",
                "candidate__last_name",
                "candidate__commune_id",
                "status",
                "submitted_at",
            )
        )

    seed(20, seed=5)
    first = drawn()
    seed(20, seed=5)

    assert drawn() == first + first


def test_a_second_seed_adds_more_with_fresh_addresses():
    seed(20, seed=1)
    seed(30, seed=1)

    assert demo_candidates_users().count() == 50
    assert demo_users().values("email").distinct().count() == 51


def test_seeding_refreshes_the_public_counters(django_capture_on_commit_callbacks):
    campaign = current_campaign()
    before = directory_stats(campaign).signatories  # now cached

    with django_capture_on_commit_callbacks(execute=True):
        seed(60)

    approved = demo_pledges().filter(status=Status.APPROVED).count()
    assert approved > 0
    assert directory_stats(campaign).signatories == before + approved


def test_purge_removes_exactly_the_demo_data(django_capture_on_commit_callbacks):
    real = make_pledge(status=Status.APPROVED)
    counts_before = {
        model: model.objects.count()
        for model in (
            Signature,
            SignedCommitment,
            SignatureEvent,
            Certificate,
            AuditEntry,
            Candidate,
            ElectoralList,
            ListMembership,
        )
    }
    users_before = get_user_model().objects.count()
    seed(60)
    demo_pledge = demo_pledges().filter(status=Status.APPROVED).first()
    certificate = demo_pledge.certificates.get(superseded_at__isnull=True)
    certificate.pdf.save(f"{certificate.reference}.pdf", ContentFile(b"%PDF-1.7"))
    pdf_name = certificate.pdf.name
    AuditEntry.objects.create(
        at=demo_pledge.approved_at,
        actor_name="Modération",
        action=AuditEntry.Action.CERTIFICATE_REISSUED,
        pledge=demo_pledge,
        pledge_pseudonym="demo",
    )

    with django_capture_on_commit_callbacks(execute=True):
        output = purge()

    assert "61 comptes de démonstration supprimés." in output  # with the demo moderator
    assert "fichiers PDF d’attestation : 1" in output
    assert not demo_users().exists()
    assert get_user_model().objects.count() == users_before
    assert {model: model.objects.count() for model in counts_before} == counts_before
    assert not default_storage.exists(pdf_name)
    real.refresh_from_db()
    assert real.status == Status.APPROVED
    assert real.certificates.count() == 1
    assert real.candidate.user.email.endswith("@exemple.test")


def test_a_dry_run_purge_counts_and_deletes_nothing():
    seed(60)
    signatures = SignedCommitment.objects.count()

    output = purge("--dry-run")

    assert "seraient supprimés" in output
    assert "rien n’a été supprimé" in output
    assert "utilisateurs : 61" in output
    assert demo_users().count() == 61
    assert SignedCommitment.objects.count() == signatures


def test_purging_with_no_demo_data_says_so():
    assert "aucune." in purge()


@pytest.mark.parametrize("signatories", [0, -5, 200_001])
def test_a_number_out_of_range_is_refused_in_french(signatories):
    with pytest.raises(CommandError, match="compris entre 1 et 200\u202f000"):
        call_command("seed_demo", signatories=signatories)
    assert not demo_users().exists()


def test_options_that_do_not_go_together_are_refused():
    with pytest.raises(CommandError, match="--dry-run ne s’emploie qu’avec --purge"):
        call_command("seed_demo", "--dry-run")
    with pytest.raises(CommandError, match="--purge ne se combine"):
        call_command("seed_demo", "--purge", "--signatories", "10")


def test_without_a_current_campaign_the_command_says_what_to_do():
    Campaign.objects.update(is_current=False)

    with pytest.raises(CommandError, match="Aucune campagne en cours"):
        call_command("seed_demo", signatories=5)


def test_the_service_refuses_a_number_out_of_range():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        seed_demo(signatories=0)


def test_the_mean_number_of_commitments_can_be_raised():
    from pledges.demo.stories import COMMITMENT_COUNTS, commitment_count_cum_weights

    cumulative = commitment_count_cum_weights(10)
    weights = [b - a for a, b in zip([0, *cumulative], cumulative, strict=False)]
    assert sum(n * w for n, w in zip(COMMITMENT_COUNTS, weights, strict=True)) / sum(
        weights
    ) == pytest.approx(10)
    assert commitment_count_cum_weights(None) == commitment_count_cum_weights()

    seed(60, seed=4, commitments_mean=10)
    # What the seeding wrote is what the stories told with that mean.
    teller = Storyteller(seed=4, commitments_mean=10)
    told = sum(
        len({pk for step in story.steps if step.action in (Action.SUBMIT, Action.ADD)
             for pk in step.commitments})
        for story in teller.stories(range(60))
    )  # fmt: skip
    assert SignedCommitment.objects.filter(pledge__in=demo_pledges()).count() == told


def test_heads_and_individuals_sign_about_seven_commitments_or_the_mean_asked():
    def mean(**options) -> float:
        teller = Storyteller(seed=7, **options)
        stories = [s for s in teller.stories(range(3_000)) if s.head is None]
        return sum(len(s.steps[0].commitments) for s in stories) / len(stories)

    assert 6.5 <= mean() <= 7.5
    assert 9.5 <= mean(commitments_mean=10) <= 10.5


@pytest.mark.parametrize("mean", ["1", "20", "0.5"])
def test_a_mean_out_of_range_is_refused_in_french(mean):
    with pytest.raises(CommandError, match="Le nombre moyen d’engagements doit être compris"):
        call_command("seed_demo", "--signatories", "5", "--commitments-mean", mean)
    assert not demo_users().exists()
