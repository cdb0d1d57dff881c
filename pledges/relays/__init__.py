"""Relays: Coorace's member structures taking the campaign to the lists of their territory
(issue 16, must-have 1). Models in pledges.models.relays."""
