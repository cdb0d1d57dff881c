"""After the vote: the public follow-up of each commitment an elected list or candidate signed."""
