"""Bulk demo data for benchmarks: tens of thousands of signatories in well under a minute.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB .venv/bin/python \
        benchmarks/bulk_seed.py --signatories 50000 --seed 2020 [--commitments-mean 10]

The database must be migrated, with the communes imported and the charter loaded. The
accounts are at pledges.demo.DEMO_EMAIL_DOMAIN, so `manage.py seed_demo --purge` removes them.

Rows are written directly (bulk_create, COPY on PostgreSQL), not through the services:
this is the one place that does so, for speed, and a test (tests/benchmarks/) proves
that its rows equal what the services make for the same input.
"""

import os
import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script: set Django up before importing models
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()

import io
import itertools
import json
import math
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from faker import Faker

from candidates.models import Candidate, candidate_search_key
from candidates.services import LIST_NAME_THRESHOLD
from communes.models import Commune
from pledges.certificates.services import fingerprint_of, new_reference
from pledges.models import (
    Campaign,
    Certificate,
    Commitment,
    RejectionReason,
    Signature,
    SignatureEvent,
    SignedCommitment,
)
from pledges.signing.services import PUBLICATION_CONSENT, candidacy_consent

DEMO_EMAIL_DOMAIN = "demo.coorace.invalid"
MAX_SIGNATORIES = 200_000
BATCH_SIZE = 2_000

Status = Signature.Status
Kind = SignatureEvent.Kind

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
COMMITMENT_COUNT_CUM_WEIGHTS = list(itertools.accumulate(COMMITMENT_COUNT_WEIGHTS))
HEAD_OF_LIST_SHARE = 0.25
PUBLIC_KINDS = SignatureEvent.PUBLIC_KINDS

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
_SERIAL = re.compile(r"\.(\d+)@")


def commitment_count_cum_weights(mean: float | None = None) -> list[float]:
    """Cumulative weights of signing 1 to 20 commitments at the first submission.

    Without `mean`, COMMITMENT_COUNT_WEIGHTS (a mean of about 7). With one, the same shape
    exponentially tilted (weight * exp(theta * count)) so that the mean is `mean`: the benchmarks
    ask for 10, i.e. about 500,000 signed commitments for 50,000 signatories.
    """
    if mean is None:
        return COMMITMENT_COUNT_CUM_WEIGHTS
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


def demo_users():
    """The demo accounts: those whose e-mail address is at DEMO_EMAIL_DOMAIN."""
    return get_user_model().objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}")


@dataclass
class SeedSummary:
    signatories: int = 0
    communes: int = 0
    statuses: Counter = field(default_factory=Counter)
    signed_commitments: int = 0
    events: int = 0
    certificates: int = 0


@dataclass(frozen=True)
class PurgeSummary:
    deleted: dict[str, int]  # model label → rows deleted (or that would be, with dry_run)
    pdf_files: int
    dry_run: bool

    @property
    def accounts(self) -> int:
        return self.deleted.get(get_user_model()._meta.label, 0)


@dataclass
class _History:
    """One pledge's life, planned in Python before any row is written."""

    status: str
    submitted_at: datetime
    consent_at: datetime
    approved_at: datetime | None = None
    withdrawn_at: datetime | None = None
    certified_at: datetime | None = None
    # commitment pk → [signed_at, withdrawn_at], in signing order
    signed_commitments: dict[int, list] = field(default_factory=dict)
    events: list[tuple] = field(default_factory=list)  # EVENT_FIELDS, less the pledge

    def record(self, kind: str, at: datetime, *, commitment=None, note="", reason=None) -> None:
        public = self.approved_at is not None and kind in PUBLIC_KINDS
        self.events.append((kind, commitment, at, public, note, reason))

    def sign(self, commitment: int, at: datetime) -> None:
        self.signed_commitments[commitment] = [at, None]

    def active(self) -> list[int]:
        return [pk for pk, (_, withdrawn) in self.signed_commitments.items() if withdrawn is None]


# The columns written for the tables no row points to, which _insert_rows fills.
EMAIL_FIELDS = ("user_id", "email", "verified", "primary")
SIGNATURE_FIELDS = ("pledge_id", "commitment_id", "signed_at", "withdrawn_at")
EVENT_FIELDS = ("pledge_id", "kind", "commitment_id", "at", "is_public", "note", "reason_id")
CERTIFICATE_FIELDS = (
    *("pledge_id", "version", "reference", "issued_at", "superseded_at"),
    *("content", "fingerprint", "pdf"),
)


def _copy_value(value) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        value = json.dumps(value)
    text = str(value)
    # str.replace, not str.translate: ten times faster on a certificate's JSON.
    for char, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        if char in text:
            text = text.replace(char, escaped)
    return text


def _insert_rows(model: type[Model], fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert rows of plain values (columns named by attname) into a model's table.

    PostgreSQL gets them through COPY, four times faster than bulk_create's INSERT for the
    hundreds of thousands of signatures and events of a large demo; other databases
    through bulk_create. No primary key comes back: for tables no row points to.
    """
    if connection.vendor != "postgresql" or connection.Database.__name__ != "psycopg2":
        model.objects.bulk_create(model(**dict(zip(fields, row, strict=True))) for row in rows)
        return
    columns = {f.attname: f.column for f in model._meta.concrete_fields}
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(map(_copy_value, row)))
        buffer.write("\n")
    buffer.seek(0)
    names = ", ".join(connection.ops.quote_name(columns[name]) for name in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)


class _Seeder:
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
        commitments = (
            Commitment.objects.filter(proposal__campaign=self.campaign)
            .select_related("proposal")
            .order_by("proposal__number", "position")
        )
        # What a certificate says of each commitment, less the date it was signed.
        self.commitments = {
            c.pk: (
                (c.proposal.number, c.position),
                {
                    "code": c.code,
                    "proposition": {"numero": c.proposal.number, "titre": c.proposal.title},
                    "texte": c.text,
                },
            )
            for c in commitments
        }
        if not self.commitments:
            raise ValidationError(_("La campagne en cours n’a aucun engagement à signer."))
        self.commitment_ids = list(self.commitments)
        # One query: the communes that elect a council, drawn in proportion to population.
        self.communes = list(
            Commune.objects.electing()
            .filter(population__gt=0)
            .order_by("insee_code")
            .values_list(
                "pk", "insee_code", "name", "population", "departement_id", "departement__name"
            )
        )
        if not self.communes:
            raise ValidationError(
                _("Aucune commune en base : importez-les d’abord (manage.py import_communes).")
            )
        self.cum_weights = list(itertools.accumulate(row[3] for row in self.communes))
        self.drawn: dict[int, tuple[Commune, str]] = {}  # pk → (commune, département name)
        self.reasons = list(RejectionReason.objects.filter(is_active=True))
        self.lists: dict[int, list[str]] = {}
        self.references: set[str] = set()
        self.zone = timezone.get_current_timezone()
        first_round = self.campaign.first_round_date
        self.start = date(first_round.year, 1, 1)
        self.submission_days = (first_round - self.start).days - 1
        last_day = self.campaign.second_round_date or first_round + timedelta(days=14)
        self.last_moment = datetime.combine(last_day, time(20), self.zone)

    def draw_communes(self, count: int) -> list[Commune]:
        rows = self.rng.choices(self.communes, cum_weights=self.cum_weights, k=count)
        communes = []
        for pk, code, name, population, departement, departement_name in rows:
            if pk not in self.drawn:
                commune = Commune(
                    pk=pk,
                    insee_code=code,
                    name=name,
                    population=population,
                    departement_id=departement,
                )
                self.drawn[pk] = (commune, departement_name)
            communes.append(self.drawn[pk][0])
        return communes

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

    def localdate(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).date().isoformat()

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

    def candidate(self, commune: Commune) -> Candidate:
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
        return Candidate(
            first_name=first_name,
            last_name=last_name,
            commune=commune,
            role=role,
            list_name=list_name,
            political_label=rng.choices(LABELS, cum_weights=LABEL_CUM_WEIGHTS)[0],
            website=website,
            statement=statement,
            phone=fake.phone_number() if rng.random() < 0.5 else "",
            search_key=candidate_search_key(
                first_name=first_name, last_name=last_name, list_name=list_name
            ),
        )

    # ---------------------------------------------------------------- histories

    def history(self, status: str) -> _History:
        rng = self.rng
        day = self.start + timedelta(
            days=int(rng.triangular(0, self.submission_days, self.submission_days * 0.8))
        )
        now = self.moment(day)
        h = _History(status=status, submitted_at=now, consent_at=now)
        count = rng.choices(COMMITMENT_COUNTS, cum_weights=self.count_cum_weights)[0]
        for pk in rng.sample(self.commitment_ids, count):
            h.sign(pk, now)
        h.record(Kind.SUBMITTED, now)

        if status == Status.PENDING:
            edited_at = self.after(now, 0, 5)
            if rng.random() < 0.2 and self.add_one(h, edited_at):
                h.consent_at = edited_at
                h.record(Kind.EDITED, edited_at)
            return h
        if status == Status.WITHDRAWN and rng.random() >= WITHDRAWN_AFTER_APPROVAL:
            h.withdrawn_at = now = self.after(now, 1, 20)
            h.record(Kind.WITHDRAWN, now)
            return h
        if status == Status.CHANGES_REQUESTED or rng.random() < 0.1:
            now = self.after(now, 1, 4)
            h.record(Kind.CHANGES_REQUESTED, now, note=rng.choice(CHANGES_REQUESTED_NOTES))
            if status == Status.CHANGES_REQUESTED:
                return h
            now = self.after(now, 1, 5)
            if rng.random() < 0.5:
                self.add_one(h, now)
            h.consent_at = now
            h.record(Kind.RESUBMITTED, now)
        if status == Status.REJECTED:
            reason = rng.choice(self.reasons) if self.reasons else None
            note = REJECTION_DETAILS if reason and reason.requires_free_text else ""
            h.record(Kind.REJECTED, self.after(now, 1, 6), note=note, reason=reason and reason.pk)
            return h

        h.approved_at = h.certified_at = now = self.after(now, 0, 6)
        h.record(Kind.APPROVED, now)
        if status == Status.UNPUBLISHED:
            h.record(Kind.UNPUBLISHED, self.after(now, 2, 40), note=rng.choice(UNPUBLISH_NOTES))
            return h
        # Once approved, a candidate may still add or withdraw commitments: each change is
        # public and re-issues the certificate.
        if rng.random() < 0.15:
            for _ in range(rng.randint(1, 2)):
                now = self.after(now, 1, 30)
                if self.add_one(h, now, event=Kind.COMMITMENT_ADDED):
                    h.certified_at = now
        active = h.active()
        if rng.random() < 0.08 and len(active) > 1:
            now = self.after(now, 1, 30)
            pk = rng.choice(active)
            h.signed_commitments[pk][1] = now
            h.record(Kind.COMMITMENT_WITHDRAWN, now, commitment=pk)
            h.certified_at = now
        if status == Status.WITHDRAWN:
            h.withdrawn_at = now = self.after(now, 3, 60)
            h.record(Kind.WITHDRAWN, now)
        return h

    def add_one(self, h: _History, at: datetime, *, event: str | None = None) -> bool:
        """Sign one more commitment at `at`, if any is left unsigned."""
        unsigned = [pk for pk in self.commitment_ids if pk not in h.signed_commitments]
        if not unsigned:
            return False
        pk = self.rng.choice(unsigned)
        h.sign(pk, at)
        if event:
            h.record(event, at, commitment=pk)
        return True

    # ---------------------------------------------------------------- certificates

    def certificate(self, pledge: Signature, h: _History) -> list:
        """Version 1, saying what certified_content(pledge) says (same shape, no query)."""
        candidate, campaign = pledge.candidate, self.campaign
        commune, departement_name = self.drawn[candidate.commune_id]
        active = sorted(
            (self.commitments[pk], signed_at)
            for pk, (signed_at, withdrawn_at) in h.signed_commitments.items()
            if withdrawn_at is None
        )
        content = {
            "campagne": {"nom": campaign.name, "titre": campaign.title},
            "candidat": {
                "prenom": candidate.first_name,
                "nom": candidate.last_name,
                "role": str(Candidate.Role(candidate.role).label),
                "liste": candidate.list_name,
            },
            "commune": {
                "nom": commune.name,
                "code_insee": commune.insee_code,
                "departement": f"{departement_name} ({commune.departement_id})",
            },
            "signee_le": self.localdate(pledge.submitted_at),
            "validee_le": self.localdate(pledge.approved_at),
            "engagements": [
                {**said, "signe_le": self.localdate(signed_at)}
                for (_order, said), signed_at in active
            ],
            "nombre_engagements": len(self.commitments),
        }
        row = [pledge.pk, 1, "", h.certified_at, None, content, "", ""]
        self.fingerprint(row)
        return row

    def fingerprint(self, row: list) -> None:
        """Give a certificate row (CERTIFICATE_FIELDS) a fresh reference and its fingerprint."""
        reference = new_reference()
        while reference in self.references:
            reference = new_reference()
        self.references.add(reference)
        _pledge, version, _reference, issued_at, _superseded, content, *_rest = row
        row[2] = reference
        row[6] = fingerprint_of(
            reference=reference, version=version, issued_at=issued_at, content=content
        )

    # ---------------------------------------------------------------- one batch

    def write_batch(self, serials: range, statuses: list[str], summary: SeedSummary) -> None:
        rng = self.rng
        candidates = [self.candidate(commune) for commune in self.draw_communes(len(serials))]
        histories = [self.history(status) for status in statuses]
        password = make_password(None)  # unusable: demo accounts can't log in
        users = []
        for serial, candidate, h in zip(serials, candidates, histories, strict=True):
            local = f"{slugify(candidate.first_name)}.{slugify(candidate.last_name)}.{serial}"
            email = f"{local}@{DEMO_EMAIL_DOMAIN}"
            joined = h.submitted_at - timedelta(minutes=rng.randint(3, 3 * 24 * 60))
            users.append(
                get_user_model()(username=email, email=email, password=password, date_joined=joined)
            )

        with transaction.atomic():
            get_user_model().objects.bulk_create(users)
            _insert_rows(
                EmailAddress, EMAIL_FIELDS, [(user.pk, user.email, True, True) for user in users]
            )
            for user, candidate in zip(users, candidates, strict=True):
                candidate.user_id = user.pk
            Candidate.objects.bulk_create(candidates)
            pledges = [
                Signature(
                    campaign_id=self.campaign.pk,
                    candidate=candidate,
                    status=h.status,
                    submitted_at=h.submitted_at,
                    approved_at=h.approved_at,
                    withdrawn_at=h.withdrawn_at,
                    consent_candidacy_text=candidacy_consent(
                        candidate=candidate, campaign=self.campaign
                    ),
                    consent_candidacy_at=h.consent_at,
                    consent_publication_text=PUBLICATION_CONSENT,
                    consent_publication_at=h.consent_at,
                )
                for candidate, h in zip(candidates, histories, strict=True)
            ]
            Signature.objects.bulk_create(pledges)
            signatures, events, certificates = [], [], []
            for pledge, h in zip(pledges, histories, strict=True):
                signatures.extend(
                    (pledge.pk, pk, signed_at, withdrawn_at)
                    for pk, (signed_at, withdrawn_at) in h.signed_commitments.items()
                )
                events.extend((pledge.pk, *event) for event in h.events)
                if h.certified_at is not None:
                    certificates.append(self.certificate(pledge, h))
            _insert_rows(SignedCommitment, SIGNATURE_FIELDS, signatures)
            _insert_rows(SignatureEvent, EVENT_FIELDS, events)
            self.insert_certificates(certificates)

        summary.signatories += len(pledges)
        summary.statuses.update(h.status for h in histories)
        summary.signed_commitments += len(signatures)
        summary.events += len(events)
        summary.certificates += len(certificates)

    def insert_certificates(self, rows: list[list]) -> None:
        # A reference already in the database (about one chance in a million per batch):
        # draw the batch's references again, as issue_certificate does for one.
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    _insert_rows(Certificate, CERTIFICATE_FIELDS, rows)
                return
            except IntegrityError:
                for row in rows:
                    self.fingerprint(row)
        raise RuntimeError("Could not draw free certificate references.")


def _statuses(count: int, rng: random.Random) -> list[str]:
    """Exactly the STATUS_MIX shares of `count` (largest remainders), in random order."""
    total = sum(STATUS_MIX.values())
    exact = {status: count * weight / total for status, weight in STATUS_MIX.items()}
    shares = {status: int(value) for status, value in exact.items()}
    by_remainder = sorted(exact, key=lambda status: exact[status] - shares[status], reverse=True)
    for status in by_remainder[: count - sum(shares.values())]:
        shares[status] += 1
    statuses = [status for status, share in shares.items() for _ in range(share)]
    rng.shuffle(statuses)
    return statuses


def _last_serial() -> int:
    emails = demo_users().values_list("email", flat=True)
    return max((int(match[1]) for e in emails if (match := _SERIAL.search(e))), default=0)


def _invalidate_public_caches() -> None:
    try:
        from pledges.directory.queries import invalidate_public_caches
    except ImportError:
        return
    invalidate_public_caches()


def seed_demo(
    *,
    signatories: int,
    seed: int | None = None,
    commitments_mean: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SeedSummary:
    """Add `signatories` demo candidates with their pledges; `progress(done, total)` per batch.

    `commitments_mean`: how many commitments a pledge signs on average when submitted
    (default: about 7; a few more are added later).
    """
    if not 1 <= signatories <= MAX_SIGNATORIES:
        raise ValidationError(
            _("Le nombre de signataires doit être compris entre 1 et %(max)s.")
            % {"max": f"{MAX_SIGNATORIES:,}".replace(",", "\u202f")}
        )
    seeder = _Seeder(seed=seed, commitments_mean=commitments_mean)
    statuses = _statuses(signatories, seeder.rng)
    first = _last_serial() + 1
    summary = SeedSummary()
    for start in range(0, signatories, BATCH_SIZE):
        stop = min(start + BATCH_SIZE, signatories)
        seeder.write_batch(range(first + start, first + stop), statuses[start:stop], summary)
        if progress:
            progress(stop, signatories)
    summary.communes = len(seeder.drawn)
    _invalidate_public_caches()
    return summary


def main(argv: list[str] | None = None) -> None:
    import argparse
    import time as clock

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatories", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--commitments-mean", type=float, default=None)
    options = parser.parse_args(argv)
    started = clock.perf_counter()

    def progress(done: int, total: int) -> None:
        sys.stderr.write(f"  {done:,} / {total:,} ({clock.perf_counter() - started:.1f} s)\n")

    summary = seed_demo(
        signatories=options.signatories,
        seed=options.seed,
        commitments_mean=options.commitments_mean,
        progress=progress,
    )
    sys.stdout.write(
        f"{summary.signatories:,} signatories in {summary.communes:,} communes, "
        f"{summary.signed_commitments:,} signed commitments, {summary.events:,} events, "
        f"{summary.certificates:,} certificates in {clock.perf_counter() - started:.1f} s\n"
    )


if __name__ == "__main__":
    main()
