"""The elected against the roster and the site (pledges.outcomes.matching), through import_elus."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from candidates.models import Candidate, ElectedCouncillor, ListOutcome, OfficialList, RosterMatch
from communes.models import Commune
from pledges.lists.services import link_official_list, request_join
from pledges.models import Signature
from pledges.outcomes.matching import councillors_for, match_candidate
from pledges.outcomes.queries import elected_signatures
from tests.candidates.official.elected_files import elu, rne_file_bytes
from tests.factories import (
    make_candidate,
    make_commune,
    make_official_individual,
    make_official_list,
    make_pledge,
    make_user,
)

pytestmark = pytest.mark.django_db
APPROVED = Signature.Status.APPROVED


def import_elus(tmp_path, rows, name="elus.csv", **kwargs):
    path = tmp_path / name
    path.write_bytes(rne_file_bytes(rows, **kwargs))
    call_command("import_elus", str(path), stdout=StringIO(), stderr=StringIO())


def ambérieu():
    return Commune.objects.get(insee_code="01004")


def signed_list(official_list, *, status=APPROVED):
    """The site's list of this official list: its head signed and was approved."""
    head = make_candidate(
        commune=official_list.commune,
        first_name=official_list.head_first_name,
        last_name=official_list.head_last_name,
        list_name=official_list.name,
    )
    pledge = make_pledge(head, status=status)
    link_official_list(electoral_list=pledge.electoral_list, official_list=official_list)
    return pledge


def colistier(electoral_list, first_name, last_name):
    candidate = make_candidate(
        commune=electoral_list.commune,
        first_name=first_name,
        last_name=last_name,
        role=Candidate.Role.CANDIDATE,
        list_name="",
    )
    request_join(candidate=candidate, electoral_list=electoral_list, consent=True)
    return candidate


@pytest.fixture
def council():
    """Ambérieu: list A (Dupré, the mayor's), list B (Martin, in the council), list C (none)."""
    commune = ambérieu()
    return {
        "A": make_official_list(
            commune,
            panel_number=1,
            name="Ambérieu écologique et solidaire",
            head=("Hélène", "Dupré"),
            colistiers=(("François", "Lefèvre"), ("Thu", "Nguyên")),
        ),
        "B": make_official_list(
            commune,
            panel_number=2,
            name="Ensemble pour Ambérieu",
            head=("Jean-Noël", "Martin"),
            colistiers=(("Zoé", "Garçon"),),
        ),
        "C": make_official_list(
            commune, panel_number=3, name="Ambérieu d’abord", head=("Paul", "Petit")
        ),
    }


def council_rows():
    return [
        elu("004", "01", "DUPRÉ", "Hélène", function="Maire", born="12/06/1968"),
        elu("004", "01", "LEFÈVRE", "François", sex="M", function="Adjoint au maire"),
        elu("004", "01", "MARTIN", "Jean-Noël", sex="M", born="30/11/1955"),
    ]


def refreshed(*rows):
    for row in rows:
        row.refresh_from_db()
    return rows


def test_nothing_is_said_before_the_results(council):
    pledge = signed_list(council["A"])
    assert pledge.electoral_list.outcome == ListOutcome.UNKNOWN
    assert pledge.candidate.elected_match == RosterMatch.UNCHECKED
    assert not OfficialList.objects.exclude(outcome="").exists()
    assert not elected_signatures().exists()


def test_two_lists_elected_in_the_same_council(tmp_path, council):
    a, b, c = signed_list(council["A"]), signed_list(council["B"]), signed_list(council["C"])
    member = colistier(a.electoral_list, "François", "Lefèvre")
    not_elected_member = colistier(b.electoral_list, "Zoé", "Garçon")
    import_elus(tmp_path, council_rows())

    official = {key: OfficialList.objects.get(pk=ol.pk).outcome for key, ol in council.items()}
    assert official == {
        "A": ListOutcome.MAJORITY,
        "B": ListOutcome.OPPOSITION,
        "C": ListOutcome.NOT_ELECTED,
    }
    refreshed(a.electoral_list, b.electoral_list, c.electoral_list)
    assert a.electoral_list.outcome == ListOutcome.MAJORITY
    assert b.electoral_list.outcome == ListOutcome.OPPOSITION
    assert c.electoral_list.outcome == ListOutcome.NOT_ELECTED
    assert a.electoral_list.outcome_at is not None and a.electoral_list.outcome_set_by is None
    head, member, not_elected_member = refreshed(a.candidate, member, not_elected_member)
    assert head.elected_match == RosterMatch.FOUND
    assert head.elected_councillor.is_mayor
    assert member.elected_councillor.function == "Adjoint au maire"
    assert not_elected_member.elected_match == RosterMatch.NOT_FOUND
    assert not_elected_member.elected_councillor is None
    assert set(elected_signatures()) == {a, b}
    mayor = ElectedCouncillor.objects.get(is_mayor=True)
    assert mayor.roster_match == RosterMatch.FOUND
    assert mayor.official_candidate.official_list_id == council["A"].pk


def test_only_communes_of_the_file_get_outcomes(tmp_path, council):
    elsewhere = make_official_list(make_commune(population=3000), name="Ailleurs ensemble")
    pledge = signed_list(elsewhere)
    import_elus(tmp_path, council_rows())
    elsewhere.refresh_from_db()
    pledge.electoral_list.refresh_from_db()
    assert elsewhere.outcome == ListOutcome.UNKNOWN
    assert pledge.electoral_list.outcome == ListOutcome.UNKNOWN
    pledge.candidate.refresh_from_db()
    assert pledge.candidate.elected_match == RosterMatch.UNCHECKED


def test_names_without_accents_case_or_order(tmp_path, council):
    head = signed_list(council["A"]).candidate
    Candidate.objects.filter(pk=head.pk).update(first_name="DUPRE", last_name="helene")
    import_elus(tmp_path, council_rows())
    head.refresh_from_db()
    assert head.elected_match == RosterMatch.FOUND and head.elected_councillor.is_mayor


def test_homonyms_are_ambiguous_until_staff_decide(tmp_path):
    commune = ambérieu()
    a = make_official_list(
        commune,
        panel_number=1,
        name="Liste A",
        head=("Hélène", "Dupré"),
        colistiers=(("Jean-Noël", "Martin"),),
    )
    b = make_official_list(commune, panel_number=2, name="Liste B", head=("Jean-Noël", "Martin"))
    pledge = signed_list(b)
    rows = [
        elu("004", "01", "DUPRÉ", "Hélène", function="Maire"),
        elu("004", "01", "MARTIN", "Jean-Noël", sex="M", born="30/11/1955"),
        elu("004", "01", "MARTIN", "Jean-Noël", sex="M", born="02/02/1990"),
    ]
    import_elus(tmp_path, rows)
    homonyms = ElectedCouncillor.objects.filter(name_key="jeannoelmartin")
    assert {c.roster_match for c in homonyms} == {RosterMatch.AMBIGUOUS}
    # Both candidacies of that name were elected: each list has a member in the council.
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.outcome, b.outcome) == (ListOutcome.MAJORITY, ListOutcome.OPPOSITION)
    head = pledge.candidate
    head.refresh_from_db()
    assert head.elected_match == RosterMatch.AMBIGUOUS and head.elected_councillor is None
    assert set(councillors_for(head)) == set(homonyms)


def test_one_councillor_two_homonym_candidacies_is_ambiguous(tmp_path):
    commune = ambérieu()
    make_official_list(
        commune,
        panel_number=1,
        name="Liste A",
        head=("Hélène", "Dupré"),
        colistiers=(("Jean-Noël", "Martin"),),
    )
    b = make_official_list(commune, panel_number=2, name="Liste B", head=("Jean-Noël", "Martin"))
    pledge = signed_list(b)
    import_elus(
        tmp_path,
        [
            elu("004", "01", "DUPRÉ", "Hélène", function="Maire"),
            elu("004", "01", "MARTIN", "Jean-Noël", sex="M"),
        ],
    )
    pledge.candidate.refresh_from_db()
    assert pledge.candidate.elected_match == RosterMatch.AMBIGUOUS


def test_second_round_list_gives_its_outcome_to_the_first_round_list(tmp_path):
    commune = ambérieu()
    first = make_official_list(commune, panel_number=1, name="Liste A", head=("Hélène", "Dupré"))
    merged = make_official_list(commune, panel_number=2, name="Liste M", head=("Paul", "Petit"))
    second = make_official_list(
        commune,
        panel_number=1,
        tour=2,
        name="Liste A",
        head=("Hélène", "Dupré"),
        colistiers=(("Paul", "Petit"),),
    )
    second.continues = first
    second.save()
    second.merged_from.add(merged)
    pledge = signed_list(first)  # signed before the first round: tied to round 1's list
    import_elus(tmp_path, [elu("004", "01", "DUPRÉ", "Hélène", function="Maire")])
    for official_list in (first, merged, second):
        official_list.refresh_from_db()
        assert official_list.outcome == ListOutcome.MAJORITY
    mayor = ElectedCouncillor.objects.get()
    assert mayor.official_candidate.tour == 2  # the latest round she stood in
    pledge.electoral_list.refresh_from_db()
    assert pledge.electoral_list.outcome == ListOutcome.MAJORITY


def test_no_mayor_yet_the_list_with_most_seats_is_the_majority(tmp_path, council):
    rows = [
        elu("004", "01", "DUPRÉ", "Hélène"),
        elu("004", "01", "LEFÈVRE", "François", sex="M"),
        elu("004", "01", "MARTIN", "Jean-Noël", sex="M"),
    ]
    import_elus(tmp_path, rows)
    outcomes = {key: OfficialList.objects.get(pk=ol.pk).outcome for key, ol in council.items()}
    assert outcomes == {
        "A": ListOutcome.MAJORITY,
        "B": ListOutcome.OPPOSITION,
        "C": ListOutcome.NOT_ELECTED,
    }


def test_individual_candidate_elected(tmp_path):
    commune = Commune.objects.get(insee_code="2A004")
    make_official_individual(commune, first_name="Laurent", last_name="Simeoni")
    candidate = make_candidate(
        commune=commune,
        first_name="Laurent",
        last_name="Siméoni",
        role=Candidate.Role.INDIVIDUAL,
        list_name="",
    )
    pledge = make_pledge(candidate, status=APPROVED)
    other = make_pledge(
        make_candidate(
            commune=commune,
            first_name="Marie",
            last_name="Paoli",
            role=Candidate.Role.INDIVIDUAL,
            list_name="",
        ),
        status=APPROVED,
    )
    import_elus(tmp_path, [elu("004", "2A", "SIMEONI", "Laurent", sex="M", function="Maire")])
    candidate.refresh_from_db()
    assert candidate.elected_match == RosterMatch.FOUND
    assert candidate.elected_councillor.official_candidate.kind == "plurinominal"
    assert set(elected_signatures()) == {pledge}
    other.candidate.refresh_from_db()
    assert other.candidate.elected_match == RosterMatch.NOT_FOUND


def test_a_newer_file_moves_the_majority_and_staff_decisions_stay(tmp_path, council):
    a, b = signed_list(council["A"]), signed_list(council["B"])
    import_elus(tmp_path, council_rows())
    # Staff decided: B's head is not the councillor (a namesake), and A's outcome is theirs.
    staff = make_user(is_staff=True)
    Candidate.objects.filter(pk=b.candidate_id).update(
        elected_councillor=None,
        elected_match=RosterMatch.NOT_FOUND,
        elected_checked_at=timezone.now(),
        elected_checked_by=staff,
    )
    rows = [
        elu("004", "01", "DUPRÉ", "Hélène", born="12/06/1968"),
        elu("004", "01", "MARTIN", "Jean-Noël", sex="M", born="30/11/1955", function="Maire"),
        elu("004", "01", "GARÇON", "Zoé", born="30/11/1975"),
    ]
    import_elus(tmp_path, rows, name="elus-2021.csv")
    assert OfficialList.objects.get(pk=council["A"].pk).outcome == ListOutcome.OPPOSITION
    assert OfficialList.objects.get(pk=council["B"].pk).outcome == ListOutcome.MAJORITY
    a_list, b_list = refreshed(a.electoral_list, b.electoral_list)
    assert (a_list.outcome, b_list.outcome) == (ListOutcome.OPPOSITION, ListOutcome.MAJORITY)
    b_head = refreshed(b.candidate)[0]
    assert b_head.elected_match == RosterMatch.NOT_FOUND and b_head.elected_councillor is None
    assert match_candidate(b_head) == RosterMatch.NOT_FOUND  # still staff's


def test_a_councillor_gone_from_the_file_is_no_longer_elected(tmp_path, council):
    a, b = signed_list(council["A"]), signed_list(council["B"])
    import_elus(tmp_path, council_rows())
    import_elus(tmp_path, council_rows()[:2], name="elus-2021.csv")
    b_head = refreshed(b.candidate)[0]
    assert b_head.elected_match == RosterMatch.NOT_FOUND
    assert refreshed(b.electoral_list)[0].outcome == ListOutcome.NOT_ELECTED
    assert refreshed(a.electoral_list)[0].outcome == ListOutcome.MAJORITY


def test_the_same_file_again_writes_nothing(tmp_path, council):
    signed_list(council["A"])
    import_elus(tmp_path, council_rows())
    from pledges.outcomes.matching import rematch_communes

    result = rematch_communes([ambérieu().pk])
    assert result.changed == 0


def test_a_roster_import_after_the_results_compares_the_commune_again(tmp_path):
    """The elected file came first; the candidatures of the commune are imported after."""
    from tests.candidates.official.files import list_file_bytes, list_row

    import_elus(tmp_path, [elu("004", "01", "DUPRÉ", "Hélène", function="Maire")])
    assert ElectedCouncillor.objects.get().roster_match == RosterMatch.NOT_FOUND
    path = tmp_path / "livre-des-listes.txt"
    path.write_bytes(
        list_file_bytes(
            [
                list_row("004", "01", 1, 1, "DUPRÉ", "Hélène", name="Liste A"),
                list_row("004", "01", 2, 1, "PETIT", "Paul", name="Liste B"),
            ]
        )
    )
    call_command("import_candidatures", str(path), "--tour", "1", stdout=StringIO())
    assert ElectedCouncillor.objects.get().roster_match == RosterMatch.FOUND
    outcomes = dict(OfficialList.objects.values_list("name", "outcome"))
    assert outcomes == {"Liste A": ListOutcome.MAJORITY, "Liste B": ListOutcome.NOT_ELECTED}
