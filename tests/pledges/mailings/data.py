"""Hand-built signatories for the mailings' tests, made through the services.

Saint-Étienne (Loire, Auvergne-Rhône-Alpes 84) and Rennes (Ille-et-Vilaine, Bretagne 53)
each have an approved list; the Saint-Étienne list has a confirmed colistière and a
colistier whose request is still pending; an individual candidate in Corse (94) signed;
a pending and a refused signature in Saint-Étienne get nothing by default.
"""

from dataclasses import dataclass

from django.utils import timezone

from candidates.models import Candidate
from communes.models import Commune, Region
from pledges.lists.services import decide_join, request_join
from pledges.mailings import services
from pledges.models import Mailing, ModeratorScope, Signature
from tests.factories import make_candidate, make_commune, make_moderator, make_pledge, make_user

Status = Signature.Status
AURA, BRETAGNE, CORSE = "84", "53", "94"


@dataclass
class Signatories:
    head_loire: Candidate
    colistiere: Candidate
    requested: Candidate
    head_rennes: Candidate
    individual: Candidate
    pending: Candidate
    refused: Candidate


def colistier(electoral_list, *, confirm: bool, **fields) -> Candidate:
    candidate = make_candidate(
        commune=electoral_list.commune, role=Candidate.Role.CANDIDATE, list_name="", **fields
    )
    membership = request_join(candidate=candidate, electoral_list=electoral_list, consent=True)
    if confirm:
        decide_join(membership=membership, user=electoral_list.head.user, accept=True)
    return candidate


def signatories() -> Signatories:
    loire = make_pledge(
        make_candidate(
            make_user("alice@exemple.test"),
            first_name="Alice",
            last_name="Durand",
            list_name="Saint-Étienne solidaire",
        ),
        codes=("1.1", "2.1"),
        status=Status.APPROVED,
    )
    rennes = make_pledge(
        make_candidate(
            make_user("bruno@exemple.test"),
            first_name="Bruno",
            last_name="Le Goff",
            commune=Commune.objects.get(insee_code="35238"),
            list_name="Rennes en commun",
        ),
        codes=("3.1",),
        status=Status.APPROVED,
    )
    individual = make_pledge(
        make_candidate(
            make_user("chiara@exemple.test"),
            first_name="Chiara",
            last_name="Santoni",
            commune=make_commune(population=300),
            role=Candidate.Role.INDIVIDUAL,
            list_name="",
        ),
        codes=("1.1",),
        status=Status.APPROVED,
    )
    return Signatories(
        head_loire=loire.candidate,
        colistiere=colistier(
            loire.electoral_list,
            confirm=True,
            user=make_user("dalila@exemple.test"),
            first_name="Dalila",
            last_name="Benali",
        ),
        requested=colistier(
            loire.electoral_list, confirm=False, user=make_user("emile@exemple.test")
        ),
        head_rennes=rennes.candidate,
        individual=individual.candidate,
        pending=make_pledge(make_candidate(make_user("fanny@exemple.test"))).candidate,
        refused=make_pledge(
            make_candidate(make_user("gaston@exemple.test")), status=Status.REJECTED
        ).candidate,
    )


def regional_moderator(*codes: str, send: bool = True, username=None):
    """A « Modération » member limited to these régions, allowed to send unless `send`."""
    from django.contrib.auth.models import Permission

    user = make_moderator(username)
    scope = ModeratorScope.objects.create(user=user)
    scope.regions.set(Region.objects.filter(code__in=codes))
    if send:
        user.user_permissions.add(Permission.objects.get(codename="send_mailing"))
    return type(user).objects.get(pk=user.pk)  # fresh: no cached permissions or scope


def draft(author, *, audience=Mailing.Audience.SIGNATORIES, subject=None, body=None, **filters):
    mailing = Mailing(
        audience=audience,
        filters=filters,
        subject=subject or "Bonjour {prénom}",
        body=body
        or "Bonjour {prénom} {nom}, de {commune} ({liste}).\nLa suite : https://coorace.org/",
        created_at=timezone.now(),
    )
    return services.save_draft(mailing=mailing, author=author)
