"""What pledges does when the official roster changes (candidates.official.signals).

After each import (sent once its transaction has committed), every list and candidate of
the site in the communes the import wrote to is compared again with the roster
(pledges.roster.matching.rematch_communes): a signature made before the files were out is
matched when they come in, and one whose official record disappeared from a newer file is
« introuvable » again. Signatures whose role contradicts what the files say of the commune
(`Commune.votes_by_list`: a list where individual candidates stand, an individual where
lists do) need no write to be flagged: the queue reads it from the commune
(pledges.moderation.needs, the « mode de scrutin » filter).
"""

import logging

from pledges.directory.queries import invalidate_public_caches
from pledges.roster.matching import communes_of_import, rematch_communes

logger = logging.getLogger(__name__)


def match_after_import(sender, *, roster_import, **kwargs) -> None:
    result = rematch_communes(communes_of_import(roster_import))
    invalidate_public_caches()  # « liste déposée en préfecture » on the public pages
    logger.info(
        "Roster import %s: %d communes compared again, lists %s, candidates %s, %d rows changed.",
        roster_import.pk,
        result.communes,
        dict(result.lists),
        dict(result.candidates),
        result.changed,
    )
