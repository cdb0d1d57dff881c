"""Staff and the elected, in the admin (pledges.outcomes.admin, the queue's « élu·es » filter)
and the decisions behind it (pledges.outcomes.decisions)."""

import pytest
from django.urls import reverse

from candidates.models import Candidate, ElectedCouncillor, ListOutcome, RosterMatch
from communes.models import Region
from pledges.models import AuditEntry, ModeratorScope
from tests.candidates.official.elected_files import elu
from tests.factories import make_moderator, make_official_list
from tests.pledges.outcomes.test_matching import ambérieu, import_elus, signed_list

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:pledges_signature_changelist")


@pytest.fixture
def staff(client):
    moderator = make_moderator(first_name="Nadia", last_name="Benali")
    client.force_login(moderator)
    client.user = moderator
    return client


@pytest.fixture
def homonyms(tmp_path):
    """Ambérieu: two Jean-Noël Martin elected, one on each list; list B's head signed."""
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
            elu("004", "01", "MARTIN", "Jean-Noël", sex="M", born="30/11/1955"),
            elu("004", "01", "MARTIN", "Jean-Noël", sex="M", born="02/02/1990"),
        ],
    )
    return pledge


def plain(content: bytes) -> str:
    """The page's text with its no-break spaces (French typography) read as spaces."""
    return content.decode().replace("\u202f", " ").replace("\xa0", " ")


def change_url(pledge):
    return reverse("admin:pledges_signature_change", args=[pledge.pk])


def elected_url(pledge):
    return reverse("admin:pledges_signature_elected", args=[pledge.pk])


def test_nothing_before_the_results(staff):
    pledge = signed_list(make_official_list(ambérieu(), name="Liste A"))
    page = staff.get(change_url(pledge)).content.decode()
    assert "Élu·es (répertoire national des élus)" not in page


def test_staff_choose_among_homonyms(staff, homonyms, tmp_path):
    page = plain(staff.get(change_url(homonyms)).content)
    assert "2 élu·es possibles (homonymes)" in page
    assert "né·e le 30 novembre 1955" in page
    listed = staff.get(CHANGELIST, {"elu": "a-verifier"}).context["cl"].result_list
    assert list(listed) == [homonyms]

    older = ElectedCouncillor.objects.get(birth_date__year=1955)
    response = staff.post(
        elected_url(homonyms),
        {"decision": "confirmer", "councillor": older.pk, "note": "vu sur le site de la mairie"},
    )
    assert response.status_code == 302
    head = Candidate.objects.get(pk=homonyms.candidate_id)
    assert head.elected_councillor == older and head.elected_match == RosterMatch.CONFIRMED
    assert head.elected_checked_by == staff.user and head.elected_checked_at is not None
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ELECTED_DECIDED)
    assert entry.pledge == homonyms and entry.actor == staff.user
    assert entry.changes == {
        "elected_councillor": [None, older.pk],
        "elected_match": [RosterMatch.AMBIGUOUS, RosterMatch.CONFIRMED],
    }
    assert entry.note == "vu sur le site de la mairie"
    assert not staff.get(CHANGELIST, {"elu": "a-verifier"}).context["cl"].result_list
    assert list(staff.get(CHANGELIST, {"elu": "elu"}).context["cl"].result_list) == [homonyms]

    # A newer file never undoes it.
    import_elus(
        tmp_path,
        [
            elu("004", "01", "DUPRÉ", "Hélène", function="Maire"),
            elu("004", "01", "MARTIN", "Jean-Noël", sex="M", born="30/11/1955"),
            elu("004", "01", "MARTIN", "Jean-Noël", sex="M", born="02/02/1990"),
            elu("004", "01", "PETIT", "Paul", sex="M"),
        ],
        name="elus-2021.csv",
    )
    head.refresh_from_db()
    assert head.elected_councillor == older and head.elected_match == RosterMatch.CONFIRMED

    # Handed back to the comparison: ambiguous again.
    staff.post(elected_url(homonyms), {"decision": "recomparer"})
    head.refresh_from_db()
    assert head.elected_match == RosterMatch.AMBIGUOUS and head.elected_checked_at is None


def test_staff_mark_not_elected_and_refuse_another_communes_councillor(staff, homonyms):
    other = ElectedCouncillor.objects.create(
        row_key="2A004|x|",
        commune=ambérieu().__class__.objects.get(insee_code="2A004"),
        first_name="Jean-Noël",
        last_name="Martin",
        name_key="jeannoelmartin",
        first_import=ElectedCouncillor.objects.first().first_import,
        last_import=ElectedCouncillor.objects.first().first_import,
    )
    response = staff.post(
        elected_url(homonyms), {"decision": "confirmer", "councillor": other.pk}, follow=True
    )
    assert "n’est pas élu·e dans la commune de cette personne" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ELECTED_DECIDED).exists()
    staff.post(elected_url(homonyms), {"decision": "non-elu"})
    head = Candidate.objects.get(pk=homonyms.candidate_id)
    assert head.elected_match == RosterMatch.NOT_FOUND and head.elected_checked_at is not None
    response = staff.post(
        elected_url(homonyms), {"decision": "confirmer", "councillor": "x"}, follow=True
    )
    assert "Choisissez un·e élu·e dans la liste." in response.content.decode()


def test_staff_set_a_lists_outcome_then_hand_it_back(staff, homonyms, tmp_path):
    electoral_list = homonyms.electoral_list
    electoral_list.refresh_from_db()
    assert electoral_list.outcome == ListOutcome.OPPOSITION
    staff.post(elected_url(homonyms), {"decision": "resultat", "outcome": ListOutcome.MAJORITY})
    electoral_list.refresh_from_db()
    assert electoral_list.outcome == ListOutcome.MAJORITY
    assert electoral_list.outcome_set_by == staff.user
    entry = AuditEntry.objects.get(action=AuditEntry.Action.OUTCOME_SET)
    assert entry.changes["outcome"] == [ListOutcome.OPPOSITION, ListOutcome.MAJORITY]
    page = plain(staff.get(change_url(homonyms)).content)
    assert "d’après le fichier des élu·es : opposition" in page
    import_elus(
        tmp_path, [elu("004", "01", "DUPRÉ", "Hélène", function="Maire")], name="elus-2.csv"
    )
    electoral_list.refresh_from_db()
    assert electoral_list.outcome == ListOutcome.MAJORITY  # staff's, not the file's
    staff.post(elected_url(homonyms), {"decision": "resultat", "outcome": "fichier"})
    electoral_list.refresh_from_db()
    assert electoral_list.outcome == ListOutcome.NOT_ELECTED
    assert electoral_list.outcome_set_by is None
    response = staff.post(
        elected_url(homonyms), {"decision": "resultat", "outcome": "gagnee"}, follow=True
    )
    assert "Ce résultat n’existe pas" in response.content.decode()


def test_unknown_filter_value_is_refused(staff, homonyms):
    response = staff.get(CHANGELIST, {"elu": "nimporte"})
    assert response.status_code == 302 and "e=1" in response.url


def test_a_regional_moderator_outside_the_region_gets_a_404(client, homonyms):
    moderator = make_moderator("regionale")
    scope = ModeratorScope.objects.create(user=moderator)
    scope.regions.set(Region.objects.exclude(code=ambérieu().departement.region_id)[:1])
    client.force_login(moderator)
    response = client.post(elected_url(homonyms), {"decision": "non-elu"})
    assert response.status_code == 404
    assert Candidate.objects.get(pk=homonyms.candidate_id).elected_checked_at is None


def test_only_moderators_decide(client, homonyms):
    viewer = make_moderator("lecteur", group="")
    client.force_login(viewer)
    response = client.post(elected_url(homonyms), {"decision": "non-elu"})
    assert response.status_code in (302, 403)
    assert Candidate.objects.get(pk=homonyms.candidate_id).elected_checked_at is None
