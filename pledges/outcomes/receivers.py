"""What pledges does when the elected (or the roster) change (candidates.official.signals).

After each `import_elus` (sent once its transaction has committed), the communes the import
wrote to are compared again (pledges.outcomes.matching.rematch_communes): councillors tied
to their candidacies, official lists' and site lists' outcomes, signatories elected. After a
roster import, the communes it wrote to that already have councillors are compared again
too (a candidacy added or corrected changes who was elected on which list).
"""

import logging

from django.db.models import Q

from candidates.models import ElectedCouncillor, OfficialCandidate
from pledges.directory.queries import invalidate_public_caches
from pledges.outcomes.matching import communes_of_import, rematch_communes

logger = logging.getLogger(__name__)


def _log(what, pk, result) -> None:
    logger.info(
        "%s %s: %d communes, councillors %s, official lists %s, lists %s, candidates %s, "
        "%d rows changed.",
        what,
        pk,
        result.communes,
        dict(result.councillors),
        dict(result.official_lists),
        dict(result.lists),
        dict(result.candidates),
        result.changed,
    )


def match_after_elected_import(sender, *, elected_import, **kwargs) -> None:
    result = rematch_communes(communes_of_import(elected_import))
    invalidate_public_caches()  # « élu·e », outcomes on the public pages
    _log("Elected import", elected_import.pk, result)


def match_after_roster_import(sender, *, roster_import, **kwargs) -> None:
    touched = Q(last_import=roster_import) | Q(gone_at__gte=roster_import.started_at)
    written = OfficialCandidate.objects.filter(touched).values("commune_id")
    with_results = set(
        ElectedCouncillor.objects.filter(commune_id__in=written)
        .values_list("commune_id", flat=True)
        .distinct()
    )
    if not with_results:
        return
    result = rematch_communes(with_results)
    invalidate_public_caches()
    _log("Roster import (elected)", roster_import.pk, result)
