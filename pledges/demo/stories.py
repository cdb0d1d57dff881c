"""The demo signatories' stories, drawn at random before anything is written.

A `Story` is one candidate: an account, a profile, and the dated steps of their signature
(submit, staff decisions, commitments added or withdrawn, withdrawal), each one a call
to a signing or moderation service. `pledges.demo.seeding` plays them through the
services; `benchmarks/bulk_seed.py` writes the rows those calls make, in bulk, and a test
proves both give the same rows. Nothing here writes to the database.

The same seed on the same database (communes, charter, rejection reasons) tells the
same stories.
"""

import itertools
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from faker import Faker

from candidates.models import Candidate
from communes.models import LIST_BALLOT_POPULATION as LIST_NAME_THRESHOLD
from communes.models import Commune
from pledges.models import Campaign, Commitment, RejectionReason, Signature

DEMO_EMAIL_DOMAIN = "demo.coorace.invalid"
MAX_SIGNATORIES = 200_000

Status = Signature.Status

# Roughly what a campaign's moderation queue looks like a few weeks in.
STATUS_MIX = {
    Status.APPROVED: 70,
    Status.PENDING: 12,
    Status.CHANGES_REQUESTED: 5,
    Status.REJECTED: 5,
    Status.UNPUBLISHED: 3,
    Status.WITHDRAWN: 5,
}
WITHDRAWN_AFTER_APPROVAL = 0.8
# Any number of commitments from 1 to 20, most often 3 to 8; a few sign the whole charter.
COMMITMENT_COUNTS = range(1, 21)
COMMITMENT_COUNT_WEIGHTS = [3, 5, 10, 12, 13, 12, 10, 8, 5, 4, 3, 2, 2, 1, 1, 1, 1, 1, 1, 3]
HEAD_OF_LIST_SHARE = 0.25

LIST_NAMES = (
    "Ensemble pour {c}",
    "{c} solidaire",
    "Agir pour {c}",
    "{c} en commun",
    "Un nouvel élan pour {c}",
    "Unis pour {c}",
    "Réussir {c}",
    "{c} pour tous",
    "Demain {c}",
    "{c} écologique et solidaire",
    "Choisir {c}",
    "Cap sur {c}",
    "{c} en transition",
    "Vivre {c} ensemble",
)
POLITICAL_LABELS = {
    "": 40,
    "Sans étiquette": 20,
    "Divers gauche": 9,
    "Divers droite": 9,
    "Divers centre": 6,
    "Écologiste": 6,
    "Union de la gauche": 4,
    "Union du centre": 3,
    "Divers": 2,
    "Régionaliste": 1,
}
LABELS = list(POLITICAL_LABELS)
LABEL_CUM_WEIGHTS = list(itertools.accumulate(POLITICAL_LABELS.values()))
STATEMENTS = (
    "À {c}, chaque habitant doit pouvoir trouver un emploi près de chez lui : les "
    "entreprises d’utilité sociale seront nos partenaires dès le premier jour du mandat.",
    "Nous ferons de la commande publique un levier pour l’insertion : clauses sociales, "
    "marchés réservés et achats auprès des entreprises du territoire.",
    "L’économie sociale et solidaire crée à {c} des emplois qui ne se délocalisent pas. "
    "Nous voulons l’aider à grandir.",
    "Personne ne doit rester au bord du chemin. Nous soutiendrons les structures "
    "d’insertion et les initiatives citoyennes de {c}.",
    "Habitants, associations et entreprises locales seront associés à chaque grand projet "
    "de la commune, du budget aux équipements.",
)
CHANGES_REQUESTED_NOTES = (
    "Merci d’indiquer le nom de votre liste tel qu’il figure sur la déclaration en préfecture.",
    "Votre nom ne correspond pas à celui de la liste déposée : pouvez-vous le vérifier ?",
    "Merci de préciser votre rôle sur la liste.",
)
REJECTION_DETAILS = "Le nom de la liste ne correspond à aucune liste déposée en préfecture."
UNPUBLISH_NOTES = (
    "La liste n’a finalement pas été déposée en préfecture.",
    "Candidature retirée à la demande de la tête de liste.",
    "Doublon d’une autre signature, découvert après validation.",
)


class Action:
    """What a step does: the name of the service it calls."""

    SUBMIT = "submit_pledge"  # also a change before approval, or a resubmission
    APPROVE = "approve_pledge"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject_pledge"
    UNPUBLISH = "unpublish_pledge"
    ADD = "add_commitment"
    WITHDRAW_COMMITMENT = "withdraw_commitment"
    WITHDRAW = "withdraw_pledge"


@dataclass(frozen=True)
class Step:
    action: str
    at: datetime
    commitments: tuple[int, ...] = ()  # SUBMIT: all it signs; ADD, WITHDRAW_COMMITMENT: one
    note: str = ""  # the moderator's message, details or reason
    reason: int | None = None  # REJECT: a RejectionReason pk


@dataclass
class Story:
    serial: int
    email: str
    joined_at: datetime
    profile: dict  # save_profile's fields; "commune" is a Commune
    status: str  # where the steps lead
    steps: list[Step] = field(default_factory=list)


def commitment_count_cum_weights(mean: float | None = None) -> list[float]:
    """Cumulative weights of signing 1 to 20 commitments at the first submission.

    Without `mean`, COMMITMENT_COUNT_WEIGHTS (a mean of about 7). With one, the same shape
    exponentially tilted (weight * exp(theta * count)) so that the mean is `mean`: the benchmarks
    ask for 10, i.e. about 500,000 signed commitments for 50,000 signatories.
    """
    if mean is None:
        return list(itertools.accumulate(COMMITMENT_COUNT_WEIGHTS))
    low, high = COMMITMENT_COUNTS[0], COMMITMENT_COUNTS[-1]
    if not low < mean < high:
        raise ValidationError(
            _("Le nombre moyen d’engagements doit être compris entre %(low)s et %(high)s, exclus.")
            % {"low": low, "high": high}
        )

    def tilted(theta: float) -> list[float]:
        return [
            w * math.exp(theta * n)
            for n, w in zip(COMMITMENT_COUNTS, COMMITMENT_COUNT_WEIGHTS, strict=True)
        ]

    def mean_of(weights: list[float]) -> float:
        return sum(n * w for n, w in zip(COMMITMENT_COUNTS, weights, strict=True)) / sum(weights)

    # The mean grows with theta: bisect.
    theta_low, theta_high = -10.0, 10.0
    for _step in range(100):
        theta = (theta_low + theta_high) / 2
        if mean_of(tilted(theta)) < mean:
            theta_low = theta
        else:
            theta_high = theta
    return list(itertools.accumulate(tilted((theta_low + theta_high) / 2)))


def check_count(signatories: int) -> None:
    if not 1 <= signatories <= MAX_SIGNATORIES:
        raise ValidationError(
            _("Le nombre de signataires doit être compris entre 1 et %(max)s.")
            % {"max": f"{MAX_SIGNATORIES:,}".replace(",", "\u202f")}
        )


class Storyteller:
    """Draws stories: communes by population, statuses by STATUS_MIX, dates in 2020."""

    def __init__(self, *, seed: int | None, commitments_mean: float | None = None):
        self.count_cum_weights = commitment_count_cum_weights(commitments_mean)
        self.rng = random.Random(seed)
        self.fake = Faker("fr_FR")
        if seed is not None:
            self.fake.seed_instance(seed)
        self.campaign = Campaign.objects.current()
        if self.campaign is None:
            raise ValidationError(
                _("Aucune campagne en cours : chargez d’abord la charte (manage.py load_charter).")
            )
        self.commitment_ids = list(
            Commitment.objects.filter(proposal__campaign=self.campaign)
            .order_by("proposal__number", "position")
            .values_list("pk", flat=True)
        )
        if not self.commitment_ids:
            raise ValidationError(_("La campagne en cours n’a aucun engagement à signer."))
        # One query: the communes that elect a council, drawn in proportion to population.
        self.communes = list(
            Commune.objects.electing()
            .filter(population__gt=0)
            .order_by("insee_code")
            .values_list("pk", "insee_code", "name", "population", "departement_id")
        )
        if not self.communes:
            raise ValidationError(
                _("Aucune commune en base : importez-les d’abord (manage.py import_communes).")
            )
        self.cum_weights = list(itertools.accumulate(row[3] for row in self.communes))
        self.drawn: dict[int, Commune] = {}
        self.reasons = list(RejectionReason.objects.filter(is_active=True).order_by("pk"))
        if not self.reasons:
            raise ValidationError(_("Aucun motif de refus actif : il en faut un pour refuser."))
        self.lists: dict[int, list[str]] = {}
        self.zone = timezone.get_current_timezone()
        first_round = self.campaign.first_round_date
        self.start = date(first_round.year, 1, 1)
        self.submission_days = (first_round - self.start).days - 1
        last_day = self.campaign.second_round_date or first_round + timedelta(days=14)
        self.last_moment = datetime.combine(last_day, time(20), self.zone)

    def statuses(self, count: int) -> list[str]:
        """Exactly the STATUS_MIX shares of `count` (largest remainders), in random order."""
        total = sum(STATUS_MIX.values())
        exact = {status: count * weight / total for status, weight in STATUS_MIX.items()}
        shares = {status: int(value) for status, value in exact.items()}
        by_remainder = sorted(exact, key=lambda s: exact[s] - shares[s], reverse=True)
        for status in by_remainder[: count - sum(shares.values())]:
            shares[status] += 1
        statuses = [status for status, share in shares.items() for _ in range(share)]
        self.rng.shuffle(statuses)
        return statuses

    def stories(self, serials: range, statuses: list[str]) -> list[Story]:
        # Drawn story by story, so that the stories do not depend on the batch size.
        stories = []
        for serial, status in zip(serials, statuses, strict=True):
            (row,) = self.rng.choices(self.communes, cum_weights=self.cum_weights)
            profile = self.profile(self.commune(row))
            local = f"{slugify(profile['first_name'])}.{slugify(profile['last_name'])}.{serial}"
            steps = self.steps(status)
            joined = steps[0].at - timedelta(minutes=self.rng.randint(3, 3 * 24 * 60))
            email = f"{local}@{DEMO_EMAIL_DOMAIN}"
            stories.append(Story(serial, email, joined, profile, status, steps))
        return stories

    def commune(self, row: tuple) -> Commune:
        pk, code, name, population, departement = row
        if pk not in self.drawn:
            self.drawn[pk] = Commune(
                pk=pk, insee_code=code, name=name, population=population, departement_id=departement
            )
        return self.drawn[pk]

    # ---------------------------------------------------------------- dates

    def moment(self, day: date) -> datetime:
        """A time of day on `day` (local), as an aware UTC datetime to the second."""
        seconds = self.rng.randrange(8 * 3600, 22 * 3600)
        clock = time(seconds // 3600, seconds // 60 % 60, seconds % 60)
        return datetime.combine(day, clock, self.zone).astimezone(UTC)

    def after(self, previous: datetime, low: int, high: int) -> datetime:
        """A moment `low` to `high` days after `previous`, before the second round ends."""
        day = previous.astimezone(self.zone).date() + timedelta(days=self.rng.randint(low, high))
        at = self.moment(day)
        if at <= previous or at > self.last_moment:
            at = previous + timedelta(minutes=self.rng.randint(5, 180))
        return at

    # ---------------------------------------------------------------- people

    def list_name(self, commune: Commune) -> str:
        # A few lists per commune, more in bigger ones, shared by their candidates.
        names = self.lists.get(commune.pk)
        if names is None:
            population = commune.population or 0
            most = 1 + (population >= 1_000) + (population >= 10_000) + 2 * (population >= 100_000)
            templates = self.rng.sample(LIST_NAMES, self.rng.randint(1, most + 1))
            names = self.lists[commune.pk] = [t.format(c=commune.name) for t in templates]
        return self.rng.choice(names)

    def profile(self, commune: Commune) -> dict:
        rng, fake = self.rng, self.fake
        first_name, last_name = fake.first_name(), fake.last_name()
        role = (
            Candidate.Role.HEAD_OF_LIST
            if rng.random() < HEAD_OF_LIST_SHARE
            else Candidate.Role.CANDIDATE
        )
        # Under 1,000 inhabitants candidates may stand on their own, without a list.
        small = (commune.population or 0) < LIST_NAME_THRESHOLD
        alone = small and role == Candidate.Role.CANDIDATE and rng.random() < 0.5
        list_name = "" if alone else self.list_name(commune)
        website = ""
        if rng.random() < 0.08:
            host = slugify(list_name or f"{first_name} {last_name}")[:50].strip("-")
            website = f"https://{host}.example.org"
        statement = ""
        if rng.random() < 0.3:
            parts = rng.sample(STATEMENTS, rng.randint(1, 2))
            statement = " ".join(part.format(c=commune.name) for part in parts)
        return {
            "first_name": first_name,
            "last_name": last_name,
            "commune": commune,
            "role": role,
            "list_name": list_name,
            "political_label": rng.choices(LABELS, cum_weights=LABEL_CUM_WEIGHTS)[0],
            "website": website,
            "statement": statement,
            "phone": fake.phone_number() if rng.random() < 0.5 else "",
        }

    # ---------------------------------------------------------------- signatures

    def steps(self, status: str) -> list[Step]:
        rng = self.rng
        day = self.start + timedelta(
            days=int(rng.triangular(0, self.submission_days, self.submission_days * 0.8))
        )
        now = self.moment(day)
        count = rng.choices(COMMITMENT_COUNTS, cum_weights=self.count_cum_weights)[0]
        signed = rng.sample(self.commitment_ids, count)
        steps = [Step(Action.SUBMIT, now, tuple(signed))]

        def sign_one_more(at: datetime) -> bool:
            unsigned = [pk for pk in self.commitment_ids if pk not in signed]
            if unsigned:
                signed.append(rng.choice(unsigned))
            return bool(unsigned)

        if status == Status.PENDING:
            edited_at = self.after(now, 0, 5)
            if rng.random() < 0.2 and sign_one_more(edited_at):
                steps.append(Step(Action.SUBMIT, edited_at, tuple(signed)))
            return steps
        if status == Status.WITHDRAWN and rng.random() >= WITHDRAWN_AFTER_APPROVAL:
            steps.append(Step(Action.WITHDRAW, self.after(now, 1, 20)))
            return steps
        if status == Status.CHANGES_REQUESTED or rng.random() < 0.1:
            now = self.after(now, 1, 4)
            note = rng.choice(CHANGES_REQUESTED_NOTES)
            steps.append(Step(Action.REQUEST_CHANGES, now, note=note))
            if status == Status.CHANGES_REQUESTED:
                return steps
            now = self.after(now, 1, 5)
            if rng.random() < 0.5:
                sign_one_more(now)
            steps.append(Step(Action.SUBMIT, now, tuple(signed)))
        if status == Status.REJECTED:
            reason = rng.choice(self.reasons)
            details = REJECTION_DETAILS if reason.requires_free_text else ""
            at = self.after(now, 1, 6)
            steps.append(Step(Action.REJECT, at, note=details, reason=reason.pk))
            return steps

        now = self.after(now, 0, 6)
        steps.append(Step(Action.APPROVE, now))
        if status == Status.UNPUBLISHED:
            at = self.after(now, 2, 40)
            steps.append(Step(Action.UNPUBLISH, at, note=rng.choice(UNPUBLISH_NOTES)))
            return steps
        # Once approved, a candidate may still add or withdraw commitments: each change is
        # public and re-issues the certificate.
        if rng.random() < 0.15:
            for _ in range(rng.randint(1, 2)):
                now = self.after(now, 1, 30)
                if sign_one_more(now):
                    steps.append(Step(Action.ADD, now, (signed[-1],)))
        if rng.random() < 0.08 and len(signed) > 1:
            now = self.after(now, 1, 30)
            withdrawn = rng.choice(signed)
            signed.remove(withdrawn)
            steps.append(Step(Action.WITHDRAW_COMMITMENT, now, (withdrawn,)))
        if status == Status.WITHDRAWN:
            steps.append(Step(Action.WITHDRAW, self.after(now, 3, 60)))
        return steps
