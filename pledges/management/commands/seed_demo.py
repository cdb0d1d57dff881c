"""manage.py seed_demo: demo signatories played through the services (pledges.demo), or removed."""

import time

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from candidates.models import Candidate
from pledges.demo import DEMO_EMAIL_DOMAIN, MAX_SIGNATORIES, PurgeSummary, purge_demo, seed_demo
from pledges.models import ListMembership, Signature

DEFAULT_SIGNATORIES = 200


def number(value: int) -> str:
    """12 345, with a narrow no-break space, as French writes it."""
    return f"{value:,}".replace(",", "\u202f")


class Command(BaseCommand):
    help = (
        "Crée des signataires de démonstration (Faker, fr_FR), répartis entre les communes "
        "selon leur population, liste par liste : une tête de liste qui signe pour sa liste, "
        "des colistier·es qui la rejoignent (jusqu’à la taille du conseil municipal), des "
        "candidat·es à titre individuel dans les communes de moins de 1 000 habitants, par "
        "secteur à Paris, Lyon et Marseille ; avec des statuts, des engagements et des "
        "historiques variés, créés par les services de signature, des listes et de "
        "modération, comme sur le site. "
        f"Leurs comptes sont en @{DEMO_EMAIL_DOMAIN} : --purge supprime ces données-là, et "
        "elles seules. Aucun courriel n’est envoyé (ils sont rédigés puis jetés)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--signatories",
            type=int,
            metavar="N",
            help=(
                f"Nombre de signataires à créer (défaut : {DEFAULT_SIGNATORIES}, "
                f"au plus {number(MAX_SIGNATORIES)})."
            ),
        )
        parser.add_argument(
            "--seed",
            type=int,
            help="Graine du hasard : la même graine redonne les mêmes signataires.",
        )
        parser.add_argument(
            "--commitments-mean",
            type=float,
            metavar="M",
            help=(
                "Nombre moyen d’engagements signés par signataire (défaut : environ 7 ; "
                "10 donne environ 500\u202f000 engagements signés pour 50\u202f000 signataires)."
            ),
        )
        parser.add_argument(
            "--purge",
            action="store_true",
            help="Supprime toutes les données de démonstration au lieu d’en créer.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Avec --purge : compte ce qui serait supprimé, sans rien supprimer.",
        )

    def handle(
        self,
        *args,
        signatories=None,
        seed=None,
        commitments_mean=None,
        purge=False,
        dry_run=False,
        **options,
    ):
        if purge:
            if signatories is not None or seed is not None or commitments_mean is not None:
                raise CommandError(
                    "--purge ne se combine ni avec --signatories, ni avec --seed, "
                    "ni avec --commitments-mean."
                )
            self.write_purge(purge_demo(dry_run=dry_run))
            return
        if dry_run:
            raise CommandError("--dry-run ne s’emploie qu’avec --purge.")
        if signatories is None:
            signatories = DEFAULT_SIGNATORIES
        if not 1 <= signatories <= MAX_SIGNATORIES:
            raise CommandError(
                f"Le nombre de signataires doit être compris entre 1 et "
                f"{number(MAX_SIGNATORIES)} (reçu : {signatories})."
            )
        verbose = options["verbosity"] >= 1
        if verbose:
            self.stdout.write(f"Création de {number(signatories)} signataires de démonstration…")
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            if verbose:
                elapsed = time.monotonic() - started
                self.stdout.write(f"  {number(done)} / {number(total)} ({elapsed:.1f} s)")

        try:
            summary = seed_demo(
                signatories=signatories,
                seed=seed,
                commitments_mean=commitments_mean,
                progress=progress,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        seconds = time.monotonic() - started
        labels = dict(Signature.Status.choices)
        statuses = ", ".join(
            f"{labels[status]} : {number(count)}"
            for status, count in summary.statuses.most_common()
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{number(summary.signatories)} signataires de démonstration créés en "
                f"{seconds:.1f} s dans {number(summary.communes)} communes."
            )
        )
        roles = dict(Candidate.Role.choices)
        self.stdout.write(
            "  Candidat·es : "
            + ", ".join(
                f"{roles[role]} : {number(count)}" for role, count in summary.roles.most_common()
            )
            + "."
        )
        members = dict(ListMembership.Status.choices)
        joined = ", ".join(
            f"{members[status]} : {number(count)}"
            for status, count in summary.memberships.most_common()
        )
        self.stdout.write(
            f"  {number(summary.lists)} listes, chacune signée par sa tête de liste ; "
            f"adhésions de colistier·es : {joined or 'aucune'}."
        )
        self.stdout.write(f"  {number(summary.signatures)} signatures : {statuses}.")
        self.stdout.write(
            f"  {number(summary.signed_commitments)} engagements signés, {number(summary.events)} "
            f"événements d’historique, {number(summary.certificates)} attestations."
        )
        self.stdout.write(
            f"  {number(summary.emails)} courriels rédigés par les services puis jetés : "
            "aucun n’a été envoyé."
        )

    def write_purge(self, summary: PurgeSummary) -> None:
        verb = "seraient supprimés" if summary.dry_run else "supprimés"
        self.stdout.write(f"Données de démonstration (@{DEMO_EMAIL_DOMAIN}) {verb} :")
        if not summary.deleted:
            self.stdout.write("  aucune.")
        for label, count in sorted(summary.deleted.items(), key=lambda item: -item[1]):
            name = apps.get_model(label)._meta.verbose_name_plural
            self.stdout.write(f"  {name} : {number(count)}")
        if summary.pdf_files:
            self.stdout.write(f"  fichiers PDF d’attestation : {number(summary.pdf_files)}")
        if summary.dry_run:
            self.stdout.write(self.style.WARNING("Simulation (--dry-run) : rien n’a été supprimé."))
        else:
            accounts = number(summary.accounts)
            self.stdout.write(self.style.SUCCESS(f"{accounts} comptes de démonstration supprimés."))
