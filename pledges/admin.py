"""The admin of every pledges package is registered from its own module."""

from pledges import jobs_admin  # noqa: F401
from pledges.charter import admin as charter_admin  # noqa: F401
from pledges.follow_up import admin as follow_up_admin  # noqa: F401
from pledges.mailings import admin as mailings_admin  # noqa: F401
from pledges.moderation import admin as moderation_admin  # noqa: F401
from pledges.moderation import candidate_admin  # noqa: F401
from pledges.relays import admin as relays_admin  # noqa: F401
from pledges.reminders import admin as reminders_admin  # noqa: F401
from pledges.roster import admin as roster_admin  # noqa: F401
