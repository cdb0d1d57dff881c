"""Elected lists and candidates for tests, as `import_elus` and pledges.outcomes leave them.

For the helpers of the follow-up, bilans, reminders and mailings: an approved signature whose
list is in the council (majorité or opposition) or whose individual candidate is an elected
councillor, with the rows the elected file would have written (ElectedImport,
ElectedCouncillor tied to the official candidacy) and the fields the matching sets
(OfficialList.outcome, ElectoralList.outcome/outcome_at, Candidate.elected_councillor/
elected_match).

    from tests.pledges.outcomes.factories import make_elected_list, make_elected_candidate

    pledge = make_elected_list()                 # head's Signature; pledge.electoral_list
    pledge = make_elected_list(outcome="opposition", codes=("3.1",))
    pledge = make_elected_candidate()            # an individual candidate's Signature
"""

import itertools

from django.utils import timezone

from candidates.models import Candidate, ElectedCouncillor, ElectedImport, ListOutcome
from candidates.official.models import RosterMatch, person_key
from pledges.lists.services import link_official_list
from pledges.models import Signature
from tests.factories import make_candidate, make_commune, make_official_list, make_pledge

_numbers = itertools.count(1)
ELECTED = (ListOutcome.MAJORITY, ListOutcome.OPPOSITION)


def make_elected_import(**fields) -> ElectedImport:
    """An ElectedImport row, as a run of import_elus leaves one."""
    now = timezone.now()
    defaults = {
        "file_name": f"elus-municipaux-{next(_numbers)}.txt",
        "file_sha256": "0" * 64,
        "encoding": "utf-8",
        "delimiter": "\t",
        "started_at": now,
        "finished_at": now,
    }
    return ElectedImport.objects.create(**{**defaults, **fields})


def make_councillor(
    commune,
    first_name: str,
    last_name: str,
    *,
    is_mayor: bool = False,
    function: str | None = None,
    official_candidate=None,
    elected_import=None,
    birth_date=None,
) -> ElectedCouncillor:
    """One row of the RNE file, tied to its official candidacy when given."""
    elected_import = elected_import or make_elected_import()
    key = person_key(first_name, last_name)
    if function is None:
        function = "Maire" if is_mayor else ""
    return ElectedCouncillor.objects.create(
        row_key=f"{commune.insee_code}|{key}|{birth_date or next(_numbers)}",
        commune=commune,
        first_name=first_name,
        last_name=last_name,
        name_key=key,
        birth_date=birth_date,
        mandate_start=timezone.localdate(),
        function=function,
        is_mayor=is_mayor,
        official_candidate=official_candidate,
        roster_match=RosterMatch.FOUND if official_candidate else RosterMatch.NOT_FOUND,
        first_import=elected_import,
        last_import=elected_import,
    )


def mark_elected(candidate: Candidate, councillor: ElectedCouncillor) -> Candidate:
    candidate.elected_councillor = councillor
    candidate.elected_match = RosterMatch.FOUND
    candidate.save(update_fields=["elected_councillor", "elected_match"])
    return candidate


def make_elected_list(
    commune=None,
    *,
    outcome: str = ListOutcome.MAJORITY,
    codes=("1.1", "2.1"),
    status=Signature.Status.APPROVED,
    head_is_mayor: bool | None = None,
    **head_fields,
) -> Signature:
    """A head's signature (status `status`, approved by default) whose list got `outcome`.

    The list is tied to an official list of its commune; when elected (majorité, opposition)
    its head is an elected councillor, the mayor by default for a majorité. For a « non élue »
    list the commune's results exist but none of its candidates is in the council.
    Returns the Signature; its list is `signature.electoral_list`.
    """
    commune = commune or make_commune(population=5000, votes_by_list=True)
    head = make_candidate(commune=commune, **head_fields)
    pledge = make_pledge(head, codes=codes, status=status)
    electoral_list = pledge.electoral_list
    official_list = make_official_list(
        commune, name=electoral_list.name, head=(head.first_name, head.last_name)
    )
    link_official_list(electoral_list=electoral_list, official_list=official_list)
    if outcome in ELECTED:
        if head_is_mayor is None:
            head_is_mayor = outcome == ListOutcome.MAJORITY
        councillor = make_councillor(
            commune,
            head.first_name,
            head.last_name,
            is_mayor=head_is_mayor,
            official_candidate=official_list.candidates.get(number=1),
        )
        mark_elected(head, councillor)
    else:
        head.elected_match = RosterMatch.NOT_FOUND
        head.save(update_fields=["elected_match"])
    official_list.outcome = outcome
    official_list.save(update_fields=["outcome"])
    electoral_list.refresh_from_db()
    electoral_list.outcome = outcome
    electoral_list.outcome_at = timezone.now()
    electoral_list.save(update_fields=["outcome", "outcome_at"])
    pledge.refresh_from_db()
    return pledge


def make_elected_candidate(
    commune=None,
    *,
    is_mayor: bool = False,
    codes=("1.1", "2.1"),
    status=Signature.Status.APPROVED,
    **candidate_fields,
) -> Signature:
    """An individual candidate's signature (communes under 1,000) who was elected."""
    from tests.factories import make_official_individual

    commune = commune or make_commune(population=500)
    candidate_fields.setdefault("role", Candidate.Role.INDIVIDUAL)
    candidate_fields.setdefault("list_name", "")
    candidate = make_candidate(commune=commune, **candidate_fields)
    pledge = make_pledge(candidate, codes=codes, status=status)
    official = make_official_individual(
        commune, first_name=candidate.first_name, last_name=candidate.last_name
    )
    councillor = make_councillor(
        commune,
        candidate.first_name,
        candidate.last_name,
        is_mayor=is_mayor,
        official_candidate=official,
    )
    mark_elected(candidate, councillor)
    pledge.refresh_from_db()
    return pledge
