"""The charter fixture (fixtures/pledges_charter.json) against its source text.

Candidates sign the commitments word for word, so every text in the fixture must be
the source's own words: the PDF extraction's line breaks joined, line-break
hyphenation undone, nothing else changed.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.core.management import call_command

from pledges.models import Campaign, Commitment, Proposal

pytestmark = pytest.mark.django_db

SOURCE_PATH = "pledges/data/coorace-municipales-2020-source.txt"

EXPECTED_CODES = [
    "1.1", "1.2",
    "2.1", "2.2", "2.3",
    "3.1", "3.2",
    "4.1",
    "5.1",
    "6.1",
    "7.1", "7.2",
    "8.1", "8.2", "8.3",
    "9.1", "9.2", "9.3",
    "10.1", "10.2",
]  # fmt: skip

# Hyphenated words that really are written with a hyphen (not PDF line-break splits).
REAL_HYPHENATED_WORDS = {"éco-responsables", "un-e", "élu-e", "dédié-e"}

SPLIT_HYPHEN = re.compile(r"\w-\s+\w")  # "inser- tion", "inser-\ntion"
HYPHENATED_WORD = re.compile(r"\w+(?:-\w+)+")


@pytest.fixture(autouse=True)
def charter(db):
    """Load the charter unless the project's conftest already did."""
    if Commitment.objects.count() == 0:
        call_command("loaddata", "pledges_charter", verbosity=0)


@pytest.fixture
def normalised_source():
    text = (settings.BASE_DIR / SOURCE_PATH).read_text(encoding="utf-8")
    text = text.replace("-\n", "")  # undo line-break hyphenation
    return " ".join(text.split())  # collapse all whitespace to single spaces


def campaign():
    return Campaign.objects.get(slug="municipales-2020")


def all_texts():
    """(label, text) for every text in the charter, intro paragraph by paragraph."""
    texts = [
        (f"intro §{i}", paragraph)
        for i, paragraph in enumerate(campaign().introduction.split("\n\n"), 1)
    ]
    for proposal in Proposal.objects.all():
        texts.append((f"#{proposal.number} title", proposal.title))
        texts.append((f"#{proposal.number} context", proposal.context))
    for commitment in Commitment.objects.select_related("proposal"):
        texts.append((commitment.code, commitment.text))
    return texts


def test_one_campaign_with_its_values():
    assert Campaign.objects.count() == 1
    c = campaign()
    assert c.pk == 1
    assert c.name == "#Municipales2020"
    assert c.title == "S’engager pour les territoires inclusifs de demain !"
    assert c.organisation == "Coorace"
    assert c.election_name == "élections municipales 2020"
    assert c.first_round_date == datetime.date(2020, 3, 15)
    assert c.second_round_date == datetime.date(2020, 6, 28)
    assert c.is_current is True
    assert c.signing_open is True
    assert Campaign.objects.current() == c


def test_introduction_has_four_paragraphs():
    c = campaign()
    paragraphs = c.introduction.split("\n\n")
    assert len(paragraphs) == 4
    assert c.introduction_paragraphs == paragraphs
    assert paragraphs[0].startswith("Nous, entreprises d’utilité sociale et territoriale")
    assert paragraphs[-1].endswith("construire les territoires inclusifs de demain.")


def test_ten_proposals_numbered_1_to_10():
    proposals = list(Proposal.objects.filter(campaign=campaign()))
    assert [p.number for p in proposals] == list(range(1, 11))
    assert [p.pk for p in proposals] == list(range(1, 11))
    assert proposals[0].title == "Développer des clauses d’insertion dans les marchés publics"


def test_twenty_commitments_with_the_expected_codes():
    commitments = list(Commitment.objects.select_related("proposal"))
    assert len(commitments) == 20
    assert [c.code for c in commitments] == EXPECTED_CODES
    assert [c.pk for c in commitments] == list(range(1, 21))


def test_every_commitment_starts_with_je_m_engage_a():
    for commitment in Commitment.objects.all():
        assert commitment.text.startswith("Je m’engage à"), commitment.code


def test_no_line_break_double_space_or_split_hyphen():
    for label, text in all_texts():
        assert text, label
        assert "\n" not in text and "\r" not in text, label
        assert "  " not in text, label
        assert text == text.strip(), label
        assert not SPLIT_HYPHEN.search(text), f"{label}: {text!r}"
        # A split word whose hyphen was kept but space dropped ("inser-tion")
        # would also show up here.
        assert set(HYPHENATED_WORD.findall(text)) <= REAL_HYPHENATED_WORDS, label


def test_split_hyphen_check_catches_a_split_word():
    assert SPLIT_HYPHEN.search("clauses d’inser- tion")
    assert not SPLIT_HYPHEN.search("Je m’engage à désigner un-e élu-e en charge de l’ESS.")
    assert "inser-tion" not in REAL_HYPHENATED_WORDS


def test_every_text_occurs_verbatim_in_the_source(normalised_source):
    for label, text in all_texts():
        assert text in normalised_source, f"{label} not in source: {text!r}"


def test_exact_texts():
    def text(code):
        number, position = code.split(".")
        return Commitment.objects.get(proposal__number=number, position=position).text

    assert text("9.3") == "Je m’engage à désigner un-e élu-e en charge de l’ESS."
    assert "éco-responsables tels que les ressourceries, recycleries" in text("4.1")
    assert text("4.1").endswith(
        "repair café etc… en lien avec les acteurs engagés de mon territoire."
    )
    assert text("1.1") == (
        "Je m’engage à généraliser l’intégration des clauses d’insertion dans les critères "
        "de sélection des réponses aux Marchés publics. La qualité de l’insertion doit "
        "constituer un élément central de la réponse à l’appel d’offre."
    )
    assert Proposal.objects.get(number=9).title == (
        "Financement des acteurs de l’ESS et élu-e dédié-e à l’ESS"
    )
