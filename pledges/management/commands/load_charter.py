"""manage.py load_charter: load the #Municipales2020 charter once, never over staff edits."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from pledges.models import Campaign

CHARTER_FIXTURE = "pledges_charter"
CHARTER_SLUG = "municipales-2020"


class Command(BaseCommand):
    help = (
        "Charge la charte #Municipales2020 (fixtures/pledges_charter.json) si elle n’est pas "
        "encore en base. Une charte déjà chargée n’est jamais écrasée : l’équipe a pu la "
        "modifier dans l’administration."
    )

    def handle(self, *args, **options):
        if Campaign.objects.filter(slug=CHARTER_SLUG).exists():
            self.stdout.write(
                self.style.SUCCESS("La charte #Municipales2020 est déjà en base : rien à faire.")
            )
            return
        call_command("loaddata", CHARTER_FIXTURE, verbosity=0)
        self.stdout.write(self.style.SUCCESS("Charte #Municipales2020 chargée."))
