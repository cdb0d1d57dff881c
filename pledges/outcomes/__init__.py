"""After the vote: who was elected among the signatories, and each list's outcome."""
