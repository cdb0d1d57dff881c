"""Candidate profiles arrive with the « Candidates sign online » issue."""
