"""Signals of the official roster.

`roster_imported` is sent by `candidates.official.importer` once an import's transaction has
committed (never for a --dry-run, never when the import failed), with
`roster_import=<RosterImport>`: the run's counts and report. Higher apps listen to it (pledges
matches its lists and signatories against the new roster) — candidates never calls them.
"""

from django.dispatch import Signal

# Sent after commit with roster_import=<candidates.official.models.RosterImport>.
roster_imported = Signal()

# Sent after commit with elected_import=<candidates.official.models.ElectedImport>, by
# candidates.official.elected_importer (never for a --dry-run, never when the import failed).
elected_imported = Signal()
