"""The bilans' figures (pledges/bilans/queries.py) against the hand-counted data of data.py:
only elected signatures, only commitments not withdrawn, only approved updates."""

import pytest

from pledges.bilans import queries
from pledges.bilans.queries import Tally
from pledges.models import Commitment
from tests.factories import commitments, current_campaign
from tests.pledges.bilans.data import make_bilan_data

pytestmark = pytest.mark.django_db


def by_code(tallies: dict) -> dict[str, Tally]:
    codes = {c.pk: c.code for c in Commitment.objects.select_related("proposal")}
    return {codes[pk]: tally for pk, tally in tallies.items()}


def test_national_figures_count_elected_signatures_kept_commitments_and_approved_updates():
    make_bilan_data()
    tallies = by_code(queries.commitment_tallies(current_campaign()))
    assert tallies == {
        "3.1": Tally(
            lists=3, candidates=1, commitments=4, done=1, in_progress=1, not_started=1,
            abandoned=1,
        ),
        "1.1": Tally(lists=1, commitments=1, in_progress=1),
        "2.1": Tally(lists=1, commitments=1, not_started=1),
        "8.2": Tally(candidates=1, commitments=1, not_started=1),
    }  # fmt: skip


def test_the_total_counts_each_signatory_once():
    make_bilan_data()
    assert queries.total_tally(current_campaign()) == Tally(
        lists=3, candidates=1, commitments=7, done=1, in_progress=2, not_started=3, abandoned=1
    )


def test_area_figures():
    data = make_bilan_data()
    campaign = current_campaign()
    assert queries.area_tallies(campaign, "region") == {
        "94": Tally(
            lists=2, candidates=1, commitments=6, done=1, in_progress=2, not_started=2,
            abandoned=1,
        ),
        "84": Tally(lists=1, commitments=1, not_started=1),
    }  # fmt: skip
    communes = queries.area_tallies(campaign, "commune", within="departement", value="2A")
    assert communes == {
        data.town.pk: Tally(lists=2, commitments=4, done=1, in_progress=2, not_started=1),
        data.village.pk: Tally(candidates=1, commitments=2, not_started=1, abandoned=1),
    }
    (commitment,) = commitments("3.1")
    assert queries.area_tallies(campaign, "departement", commitment=commitment) == {
        "2A": Tally(lists=2, candidates=1, commitments=3, done=1, in_progress=1, abandoned=1),
        "42": Tally(lists=1, commitments=1, not_started=1),
    }


def test_the_commune_bilan_lists_each_elected_signature_with_its_kept_commitments():
    data = make_bilan_data()
    bilans = queries.commune_bilans(current_campaign(), data.town)
    assert [bilan.signature.pk for bilan in bilans] == [data.majority.pk, data.opposition.pk]
    majority, opposition = bilans
    rows = [
        (s.commitment.code, s.follow_up_status, s.approved_updates) for s in majority.commitments
    ]
    assert rows == [
        ("1.1", "in_progress", 1),
        ("2.1", "not_started", 0),
        ("3.1", "done", 2),
    ]  # fmt: skip
    assert majority.commitments[1].last_update_at is None
    assert [(s.commitment.code, s.follow_up_status) for s in opposition.commitments] == [
        ("3.1", "in_progress")
    ]
    assert opposition.commitments[0].approved_updates == 1  # the refused one is not counted


def test_results_known_by_area():
    assert not queries.results_known()
    data = make_bilan_data()
    assert queries.results_known()
    assert queries.results_known("commune", data.town.pk)
    assert queries.results_known("departement", "2A")
    assert queries.results_known("region", "84")
    assert not queries.results_known("departement", "01")
    assert not queries.results_known("commune", 1)
