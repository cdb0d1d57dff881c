"""The demo candidates' stories, drawn at random before anything is written.

A `Story` is one candidate: an account, a profile, and dated steps, each one a call to a
signing, lists or moderation service: their signature (submit, staff decisions,
commitments added or withdrawn, withdrawal) and, for a colistier, joining their list (the
request, the head's decision, leaving or being removed).

The candidates come list by list. A commune drawn in proportion to its population gets
its lists one at a time, as many in all as its size makes likely (LISTS_BY_POPULATION; in
Paris, Lyon and Marseille per secteur): a head, who signs for the list, then colistiers
up to the council's size in proportion (`council_seats`, article L2121-2 of the CGCT),
none at all for some lists. Colistiers join and the head decides; some also sign
commitments of their own beyond the list's. Under 1,000 inhabitants candidates stand
one by one, each signing in their name, sometimes with a group's name.

`pledges.demo.seeding` plays them through the services; `benchmarks/bulk_seed.py` writes
the rows those calls make, in bulk, and a test proves both give the same rows. Nothing
here writes to the database.

The same seed on the same database (communes, charter, rejection reasons, and the list
names already taken, which a new list never reuses) tells the same stories.
"""

import itertools
import math
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from faker import Faker

from candidates.models import Candidate
from communes.models import SECTOR_CITIES, Commune, Secteur
from pledges.models import Campaign, Commitment, ElectoralList, RejectionReason, Signature
from pledges.models.lists import list_name_key

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
# A colistier's personal signature: a few commitments beyond the list's.
PERSONAL_COUNTS = (1, 2, 3)
PERSONAL_COUNT_WEIGHTS = (6, 3, 1)
PERSONAL_SIGNATURE_SHARE = 0.3

# How many lists stand in a commune (or a secteur of Paris, Lyon, Marseille), by population.
LISTS_BY_POPULATION = ((3_500, (1, 2)), (30_000, (2, 4)), (None, (4, 8)))
LISTS_PER_SECTEUR = (2, 5)
# Article L2121-2 of the CGCT: the council's seats by population (a list has that many
# candidates). Paris, Marseille, Lyon: their councils' seats spread over their secteurs.
COUNCIL_SEATS = (
    (100, 7), (500, 11), (1_500, 15), (2_500, 19), (3_500, 23), (5_000, 27), (10_000, 29),
    (20_000, 33), (30_000, 35), (40_000, 39), (50_000, 43), (60_000, 45), (80_000, 49),
    (100_000, 53), (150_000, 55), (200_000, 59), (250_000, 61), (300_000, 65), (None, 69),
)  # fmt: skip
SECTOR_CITY_SEATS = {"75056": 163, "13055": 101, "69123": 73}
# The share of the seats whose candidates sign up here: none (only the head), a few, many.
COLISTIER_SHARES = ((0.3, (0.0, 0.0)), (0.55, (0.03, 0.25)), (0.15, (0.25, 1.0)))
# What becomes of a colistier's request to join.
JOIN_OUTCOMES = {"confirmed": 74, "requested": 12, "refused": 5, "left": 5, "removed": 4}
VIA_INVITATION = 0.6
# Candidates standing one by one (under 1,000 inhabitants), by how many run together.
INDIVIDUAL_GROUP_SIZES = (1, 2, 3)
INDIVIDUAL_GROUP_WEIGHTS = (60, 25, 15)

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
    JOIN = "request_join"  # note INVITATION: through the head's invitation link
    ACCEPT_JOIN = "decide_join(accept=True)"
    REFUSE_JOIN = "decide_join(accept=False)"
    LEAVE = "leave_list"
    REMOVE = "remove_member"


INVITATION = "invitation"
# The steps of a colistier's membership (pledges.lists.services), not of a signature.
JOINING = frozenset(
    {Action.JOIN, Action.ACCEPT_JOIN, Action.REFUSE_JOIN, Action.LEAVE, Action.REMOVE}
)


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
    profile: dict  # save_profile's fields; "commune" is a Commune, "secteur" a Secteur
    status: str | None  # where the signature's steps lead; None: no signature of one's own
    steps: list[Step] = field(default_factory=list)
    head: int | None = None  # a colistier: the serial of the story of their list's head


@dataclass
class PlannedList:
    """A list to tell: its head's story first, then its colistiers'."""

    name: str
    commune: Commune
    secteur: Secteur | None
    label: str
    colistiers: int
    head: int | None = None  # the head's serial, once told
    submitted_at: datetime | None = None  # when the head signed (the list exists from then)
    signed: frozenset = frozenset()  # every commitment the head's steps sign


@dataclass
class Place:
    """A commune, or a secteur of Paris, Lyon or Marseille: how many lists stand there."""

    lists: int
    names: list[str]  # the list-name templates not used there yet
    told: int = 0


def council_seats(population: int) -> int:
    """The seats of a municipal council (article L2121-2 of the CGCT)."""
    for below, seats in COUNCIL_SEATS:
        if below is None or population < below:
            return seats
    raise AssertionError("unreachable")


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
        self.secteurs: dict[int, list[Secteur]] = {}
        for secteur in Secteur.objects.filter(commune__insee_code__in=SECTOR_CITIES).order_by(
            "commune_id", "number"
        ):
            self.secteurs.setdefault(secteur.commune_id, []).append(secteur)
        # The list names already taken (by earlier demo data or real lists): never reused.
        self.taken = set(
            ElectoralList.objects.filter(campaign=self.campaign).values_list(
                "commune_id", "secteur_id", "name_key"
            )
        )
        self.places: dict[tuple, Place] = {}
        self.queue: deque = deque()  # who is told next: (role, commune, secteur, list or group)
        self.deck: list[str] = []
        self.zone = timezone.get_current_timezone()
        first_round = self.campaign.first_round_date
        self.start = date(first_round.year, 1, 1)
        self.submission_days = (first_round - self.start).days - 1
        last_day = self.campaign.second_round_date or first_round + timedelta(days=14)
        self.last_moment = datetime.combine(last_day, time(20), self.zone)

    def status(self) -> str:
        """The next signature's status: dealt from decks of 100 with exactly the STATUS_MIX
        shares (largest remainders), each shuffled."""
        if not self.deck:
            total, size = sum(STATUS_MIX.values()), 100
            exact = {status: size * weight / total for status, weight in STATUS_MIX.items()}
            shares = {status: int(value) for status, value in exact.items()}
            by_remainder = sorted(exact, key=lambda s: exact[s] - shares[s], reverse=True)
            for status in by_remainder[: size - sum(shares.values())]:
                shares[status] += 1
            self.deck = [status for status, share in shares.items() for _ in range(share)]
            self.rng.shuffle(self.deck)
        return self.deck.pop()

    def stories(self, serials: range) -> list[Story]:
        # Told one after the other, so that the stories do not depend on the batch size.
        stories = []
        for serial in serials:
            if not self.queue:
                self.plan()
            stories.append(self.tell(serial, *self.queue.popleft()))
        return stories

    # ---------------------------------------------------------------- lists and groups

    def plan(self) -> None:
        """Queue the next list (a head, then its colistiers) or group of individuals."""
        rng = self.rng
        for _attempt in range(100):
            (row,) = rng.choices(self.communes, cum_weights=self.cum_weights)
            commune = self.commune(row)
            if not commune.list_ballot_hint:
                size = rng.choices(INDIVIDUAL_GROUP_SIZES, INDIVIDUAL_GROUP_WEIGHTS)[0]
                named = rng.random() < (0.6 if size > 1 else 0.15)
                group = rng.choice(LIST_NAMES).format(c=commune.name) if named else ""
                self.queue.extend(
                    (Candidate.Role.INDIVIDUAL, commune, None, group) for _ in range(size)
                )
                return
            secteurs = self.secteurs.get(commune.pk)
            secteur = rng.choice(secteurs) if secteurs else None
            place = self.place(commune, secteur)
            if place.told < place.lists or _attempt == 99:
                break
        place.told += 1
        planned = PlannedList(
            name=self.list_name(commune, secteur, place),
            commune=commune,
            secteur=secteur,
            label=rng.choices(LABELS, cum_weights=LABEL_CUM_WEIGHTS)[0],
            colistiers=self.colistier_count(commune, secteur),
        )
        self.queue.append((Candidate.Role.HEAD_OF_LIST, commune, secteur, planned))
        self.queue.extend(
            (Candidate.Role.CANDIDATE, commune, secteur, planned) for _ in range(planned.colistiers)
        )

    def place(self, commune: Commune, secteur: Secteur | None) -> Place:
        key = (commune.pk, secteur.pk if secteur else None)
        if key not in self.places:
            if secteur is not None:
                low, high = LISTS_PER_SECTEUR
            else:
                population = commune.population or 0
                low, high = next(
                    span
                    for below, span in LISTS_BY_POPULATION
                    if below is None or population < below
                )
            names = self.rng.sample(LIST_NAMES, len(LIST_NAMES))
            self.places[key] = Place(lists=self.rng.randint(low, high), names=names)
        return self.places[key]

    def list_name(self, commune: Commune, secteur: Secteur | None, place: Place) -> str:
        """A name not taken in the commune (or secteur); a number added when all are."""
        template = place.names[(place.told - 1) % len(place.names)]
        base = template.format(c=commune.name)
        name, number = base, 1
        where = (commune.pk, secteur.pk if secteur else None)
        while (*where, list_name_key(name)) in self.taken:
            number += 1
            name = f"{base} {number}"
        self.taken.add((*where, list_name_key(name)))
        return name

    def colistier_count(self, commune: Commune, secteur: Secteur | None) -> int:
        if secteur is not None:
            seats = round(SECTOR_CITY_SEATS[commune.insee_code] / len(self.secteurs[commune.pk]))
        else:
            seats = council_seats(commune.population or 0)
        ((low, high),) = self.rng.choices(
            [span for _share, span in COLISTIER_SHARES],
            [share for share, _span in COLISTIER_SHARES],
        )
        return round(self.rng.uniform(low, high) * (seats - 1))

    def tell(self, serial: int, role: str, commune: Commune, secteur, about) -> Story:
        rng = self.rng
        head = None
        if role == Candidate.Role.CANDIDATE:
            planned: PlannedList = about
            head = planned.head
            status, steps = self.joining(planned)
            profile = self.profile(commune, secteur, role, planned.name, planned.label)
            if rng.random() < 0.2:
                profile["political_label"] = ""
        else:
            status = self.status()
            steps = self.steps(status)
            if role == Candidate.Role.HEAD_OF_LIST:
                planned = about
                planned.head, planned.submitted_at = serial, steps[0].at
                planned.signed = frozenset(
                    pk for step in steps if step.action in (Action.SUBMIT, Action.ADD)
                    for pk in step.commitments
                )  # fmt: skip
                profile = self.profile(commune, secteur, role, planned.name, planned.label)
            else:
                label = rng.choices(LABELS, cum_weights=LABEL_CUM_WEIGHTS)[0]
                profile = self.profile(commune, None, role, about, label)
        local = f"{slugify(profile['first_name'])}.{slugify(profile['last_name'])}.{serial}"
        joined = steps[0].at - timedelta(minutes=rng.randint(3, 3 * 24 * 60))
        email = f"{local}@{DEMO_EMAIL_DOMAIN}"
        return Story(serial, email, joined, profile, status, steps, head)

    def joining(self, planned: PlannedList) -> tuple[str | None, list[Step]]:
        """A colistier's steps: asking to join, the head's decision, leaving or removal,
        and perhaps a signature of commitments beyond the list's (never one it signs)."""
        rng = self.rng
        eve = datetime.combine(
            self.campaign.first_round_date - timedelta(days=1), time(20), self.zone
        )
        span = max((eve - planned.submitted_at).days, 0)
        at = self.after(planned.submitted_at, 0, min(span, 30))
        note = INVITATION if rng.random() < VIA_INVITATION else ""
        steps = [Step(Action.JOIN, at, note=note)]
        outcome = rng.choices(list(JOIN_OUTCOMES), list(JOIN_OUTCOMES.values()))[0]
        if outcome != "requested":
            at = self.after(at, 0, 6)
            accept = outcome != "refused"
            steps.append(Step(Action.ACCEPT_JOIN if accept else Action.REFUSE_JOIN, at))
        if outcome in ("left", "removed"):
            at = self.after(at, 3, 40)
            steps.append(Step(Action.LEAVE if outcome == "left" else Action.REMOVE, at))
            return None, steps
        pool = [pk for pk in self.commitment_ids if pk not in planned.signed]
        start = self.after(at, 0, 10)
        if outcome == "refused" or not pool or rng.random() >= PERSONAL_SIGNATURE_SHARE:
            return None, steps
        if start >= eve:
            return None, steps
        status = self.status()
        return status, steps + self.steps(status, pool=pool, start=start)

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

    def profile(self, commune: Commune, secteur, role: str, list_name: str, label: str) -> dict:
        rng, fake = self.rng, self.fake
        first_name, last_name = fake.first_name(), fake.last_name()
        website = ""
        if role == Candidate.Role.HEAD_OF_LIST and rng.random() < 0.2:
            host = slugify(list_name)[:50].strip("-")
            website = f"https://{host}.example.org"
        elif role == Candidate.Role.INDIVIDUAL and rng.random() < 0.05:
            host = slugify(f"{first_name} {last_name}")[:50].strip("-")
            website = f"https://{host}.example.org"
        statement = ""
        if rng.random() < 0.3:
            parts = rng.sample(STATEMENTS, rng.randint(1, 2))
            statement = " ".join(part.format(c=commune.name) for part in parts)
        return {
            "first_name": first_name,
            "last_name": last_name,
            "commune": commune,
            "secteur": secteur,
            "role": role,
            "list_name": list_name,
            "political_label": label,
            "website": website,
            "statement": statement,
            # Ticked beside the label and the statement, as on « Ma candidature ».
            "opinions_consent": bool(label or statement),
            "phone": fake.phone_number() if rng.random() < 0.5 else "",
        }

    # ---------------------------------------------------------------- signatures

    def steps(self, status: str, *, pool: list[int] | None = None, start=None) -> list[Step]:
        """A signature's steps to `status`; a colistier's signs only from `pool`, from `start`."""
        rng = self.rng
        if start is None:
            day = self.start + timedelta(
                days=int(rng.triangular(0, self.submission_days, self.submission_days * 0.8))
            )
            now = self.moment(day)
        else:
            now = start
        if pool is None:
            pool = self.commitment_ids
            count = rng.choices(COMMITMENT_COUNTS, cum_weights=self.count_cum_weights)[0]
        else:
            count = min(rng.choices(PERSONAL_COUNTS, PERSONAL_COUNT_WEIGHTS)[0], len(pool))
        signed = rng.sample(pool, count)
        steps = [Step(Action.SUBMIT, now, tuple(signed))]

        def sign_one_more(at: datetime) -> bool:
            unsigned = [pk for pk in pool if pk not in signed]
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
