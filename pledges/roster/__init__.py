"""The site against the official roster (candidates.official): the answers of the official
lists, the matching of signatures to their official record, invitations and letters to the
lists, the merged lists of the second round, and the staff screens for them.
"""
