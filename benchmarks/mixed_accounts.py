"""The accounts of benchmarks/load.py's mixed run, made in bulk, each signed in already.

Usage (DATABASE_URL and the site's settings in the environment, from the project folder):
    .venv/bin/python benchmarks/mixed_accounts.py --candidates 2400 --moderators 2 \\
        --prefix run1 --output accounts.json

Writes, on a database migrated and seeded (benchmarks/bulk_seed.py):

- `--candidates` fresh candidate accounts, e-mail verified, each with a profile (« Ma
  candidature » done) as an individual candidate in a commune of under 1,000 inhabitants
  that elects a council (no list there, no list name), and no signature yet: ready to sign;
- `--moderators` staff accounts in the « Modération » group, as a moderator's is;
- for each account a session, as a login leaves it (the auth backend, the user id, the
  password hash's HMAC), so that the load generator sends its cookie and never the login
  form (whose password hashing is not what the run measures).

The accounts are at pledges.demo.DEMO_EMAIL_DOMAIN, named `<prefix>-…`, so `manage.py
seed_demo --purge` removes them. Writes to --output, as JSON: the candidates' session keys
and user ids, the moderators' session keys, a CSRF secret (the load generator sends it as
the csrftoken cookie and as the form's token), the ids of the current campaign's
commitments.
"""

import os
import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script: set Django up before importing models
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()

import argparse
import json
import random
from importlib import import_module

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.crypto import get_random_string

from candidates.models import Candidate, candidate_search_key
from communes.models import LIST_BALLOT_POPULATION, Commune
from pledges.demo.stories import DEMO_EMAIL_DOMAIN
from pledges.models import Campaign, Commitment

FIRST_NAMES = ["Camille", "Dominique", "Claude", "Alix", "Sacha", "Morgan", "Lou", "Noa"]
BACKEND = "django.contrib.auth.backends.ModelBackend"
MODERATION_GROUP = "Modération"


def signed_in(users) -> list[str]:
    """A session per user, as django.contrib.auth.login leaves it: the session keys."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    for user in users:
        session = store()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = BACKEND
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


@transaction.atomic
def make_candidates(count: int, prefix: str, rng: random.Random) -> tuple[list[str], list[int]]:
    communes = list(
        Commune.objects.electing()
        .filter(population__lt=LIST_BALLOT_POPULATION, population__isnull=False)
        .values_list("pk", flat=True)
    )
    password = make_password(None)  # unusable, as create_user(password=None) makes it
    User = get_user_model()
    emails = [f"{prefix}-candidat-{n:05d}@{DEMO_EMAIL_DOMAIN}" for n in range(count)]
    users = User.objects.bulk_create(
        User(username=email, email=email, password=password) for email in emails
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    candidates = []
    for n, user in enumerate(users):
        first_name, last_name = rng.choice(FIRST_NAMES), f"Charge {prefix} {n}"
        candidates.append(
            Candidate(
                user=user,
                first_name=first_name,
                last_name=last_name,
                commune_id=rng.choice(communes),
                # Under 1,000 inhabitants, candidates stand one by one.
                role=Candidate.Role.INDIVIDUAL,
                list_name="",
                search_key=candidate_search_key(
                    first_name=first_name, last_name=last_name, list_name=""
                ),
            )
        )
    Candidate.objects.bulk_create(candidates)
    return signed_in(users), [user.pk for user in users]


@transaction.atomic
def make_moderators(count: int, prefix: str) -> list[str]:
    group = Group.objects.get(name=MODERATION_GROUP)
    users = []
    for n in range(count):
        email = f"{prefix}-moderation-{n}@{DEMO_EMAIL_DOMAIN}"
        user = get_user_model().objects.create_user(
            username=email, email=email, is_staff=True, password=None
        )
        user.groups.add(group)
        users.append(user)
    return signed_in(users)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, required=True)
    parser.add_argument("--moderators", type=int, default=2)
    parser.add_argument("--prefix", required=True, help="names this run's accounts")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--output", type=Path, required=True)
    options = parser.parse_args(argv)

    campaign = Campaign.objects.current()
    sessions, user_ids = make_candidates(
        options.candidates, options.prefix, random.Random(options.seed)
    )
    accounts = {
        "candidates": sessions,
        "candidate_users": user_ids,
        "moderators": make_moderators(options.moderators, options.prefix),
        "csrf": get_random_string(32),
        "commitments": list(
            Commitment.objects.filter(proposal__campaign=campaign)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
    }
    options.output.write_text(json.dumps(accounts))
    print(
        f"{len(accounts['candidates']):,} candidates and {len(accounts['moderators'])} "
        "moderators signed in."
    )


if __name__ == "__main__":
    main()
