"""Mailings to signatories: compose and send from the admin, campaign unsubscribe."""
