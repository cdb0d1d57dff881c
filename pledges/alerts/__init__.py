"""Voters' alerts: a courriel digest and an Atom feed of what a commune's lists do."""
