"""The signing request (POST /signer/) reads and writes what it needs once: its queries are
counted here, the same for one commitment ticked as for twenty (benchmarks/load.py --mixed
measures what they cost under load)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from pledges.models import Commitment, Signature
from pledges.signing.emails import send_staff_digest
from tests.factories import current_campaign, make_candidate, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("database_tasks")]

# Before the request: its campaign, the session, the account, its verified address, the
# candidate (with commune and account), their pledge, the ticked commitments (the form).
# The transaction: BEGIN, the candidate's lock, the pledge's lock, the savepoint around
# the insert and its release, the pledge, its commitments (one insert), its event, COMMIT.
# After it: the roster's match (pledges.roster.matching: the signature, then a transaction
# reading the candidate) and the receipt's job. No staff courriel: the digest tells them.
QUERIES_TO_SIGN = 21


def sign(client, user, ticked) -> list[str]:
    client.force_login(user)
    data = {
        "commitments": [commitment.pk for commitment in ticked],
        "consent_candidacy": "on",
        "consent_publication": "on",
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("pledges:sign"), data)
    assert response.status_code == 302 and response["Location"] == reverse("pledges:space")
    return [query["sql"] for query in queries]


def test_signing_one_or_twenty_commitments_takes_the_same_few_queries(client):
    every = list(Commitment.objects.filter(proposal__campaign=current_campaign()))
    one = make_candidate(user=make_user("une@exemple.test"), list_name="", role="individual")
    twenty = make_candidate(user=make_user("vingt@exemple.test"), list_name="", role="individual")

    for_one = sign(client, one.user, every[:1])
    for_twenty = sign(client, twenty.user, every)

    assert len(for_one) == len(for_twenty) == QUERIES_TO_SIGN, "\n".join(for_twenty)
    assert Signature.objects.get(candidate=twenty).active_signatures().count() == 20
    # One job per signature, the receipt; none for staff, whose digest comes from the timer.
    jobs = DBTaskResult.objects.values_list("task_path", flat=True)
    assert list(jobs) == ["config.site.deliver_templated_email"] * 2
    assert send_staff_digest.module_path not in jobs
