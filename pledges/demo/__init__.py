"""Demo data for a local or staging site: stories drawn at random, played through the services.

`stories` draws them (nothing written); `seeding` plays them through the signing and
moderation services (`seed_demo`) and removes them (`purge_demo`).
"""

from pledges.demo.seeding import (
    PurgeSummary,
    SeedSummary,
    demo_users,
    purge_demo,
    seed_demo,
)
from pledges.demo.stories import DEMO_EMAIL_DOMAIN, MAX_SIGNATORIES

__all__ = [
    "DEMO_EMAIL_DOMAIN",
    "MAX_SIGNATORIES",
    "PurgeSummary",
    "SeedSummary",
    "demo_users",
    "purge_demo",
    "seed_demo",
]
