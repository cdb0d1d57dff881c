"""The official candidatures published by the Ministry of the Interior (« le rôle officiel »).

The roster is reference data about candidacies: which lists and candidates stand, per round,
in each commune (or secteur). It is imported from the Ministry's files (`import_candidatures`)
and knows nothing of signatures; `pledges` reads it and ties its lists and signatories to it.
"""
