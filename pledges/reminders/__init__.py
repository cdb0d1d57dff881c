"""Reminders to elected signatories to report on their commitments, and the staff's digest."""
