"""The moderation admin, one module per screen: the queue (and its filters), the decisions
on one signature, the dashboard, the lists (claims, joins), and the read-only records
(reasons, audit log, traces), the regional moderators' scopes.

Every decision goes through pledges.moderation.services; these modules only show, ask and
report. Moderators (the « Modération » group) see the actions their permissions allow.
"""

from pledges.moderation.admin import (  # noqa: F401  (they register the admins)
    lists,
    queue,
    records,
    scopes,
)
