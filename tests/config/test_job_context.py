"""An e-mail job reads its context back in a few queries, whatever its length."""

import pytest
from django.core import mail
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from config.site import _from_job, _to_job, deliver_templated_email
from pledges.models import Commitment
from tests.factories import commitments, current_campaign, make_candidate, make_pledge, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("database_tasks")]

RECEIPT = "pledges/signing/emails/pledge_received"


def queries_of_the_receipt(pledge) -> int:
    """Queries the worker makes to render and send the receipt of `pledge`'s signing."""
    job = DBTaskResult.objects.get(
        task_path="config.site.deliver_templated_email",
        args_kwargs__args=[RECEIPT],
        args_kwargs__kwargs__context__candidate__pk=pledge.candidate_id,
    )
    with CaptureQueriesContext(connection) as queries:
        assert deliver_templated_email.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
    return len(queries)


def test_the_receipt_takes_as_many_queries_for_twenty_commitments_as_for_one(settings):
    settings.STAFF_NOTIFICATION_EMAILS = []
    every_code = [
        commitment.code
        for commitment in Commitment.objects.filter(
            proposal__campaign=current_campaign()
        ).select_related("proposal")
    ]
    assert len(every_code) == 20
    one = make_pledge(codes=["1.1"])
    twenty = make_pledge(make_candidate(user=make_user("vingt@exemple.test")), codes=every_code)

    # The candidate, their commune, the commitments with their proposals.
    assert queries_of_the_receipt(one) == queries_of_the_receipt(twenty) <= 3
    receipt = mail.outbox[-1]
    assert "Vous avez signé 20 engagements" in receipt.body
    assert "- 10.2 " in receipt.body  # each commitment's code: its proposal, read in the join


def test_a_list_of_rows_comes_back_in_its_order_and_a_row_gone_fails_it():
    rows = commitments("3.2", "1.1", "2.1")
    assert _from_job(_to_job({"rows": rows, "first": rows[0]})) == {"rows": rows, "first": rows[0]}

    users = [make_user("b@exemple.test"), make_user("a@exemple.test")]
    context = _to_job(users)
    users[1].delete()  # an account erased before the worker ran
    with pytest.raises(ObjectDoesNotExist):
        _from_job(context)
