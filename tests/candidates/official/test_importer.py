"""import_candidatures on files in the Ministry's exact format (written by files.py)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from candidates.official import importer as importer_module
from candidates.official.importer import import_candidatures
from candidates.official.ministry_file import column_key
from candidates.official.models import OfficialCandidate, OfficialList, RosterImport, person_key
from candidates.official.signals import roster_imported
from communes.models import Commune, Secteur
from tests.candidates.official.files import (
    INDIVIDUAL_COLUMNS,
    LIST_COLUMNS,
    individual_file_bytes,
    individual_row,
    list_file_bytes,
    list_row,
)

pytestmark = pytest.mark.django_db


def ambérieu_lists():
    """Two lists in Ambérieu-en-Bugey (01004): three and two candidates."""
    return [
        list_row(
            "004",
            "01",
            1,
            1,
            "DUPRÉ",
            "Hélène",
            dep_name="Ain",
            commune_name="Ambérieu-en-Bugey",
            short_name="AMBÉRIEU ÉCOLO",
            name="Ambérieu écologique et solidaire",
            nuance="LDVG",
        ),
        list_row(
            "004",
            "01",
            1,
            2,
            "LEFÈVRE",
            "François",
            name="Ambérieu écologique et solidaire",
            short_name="AMBÉRIEU ÉCOLO",
            nuance="LDVG",
        ),
        list_row(
            "004",
            "01",
            1,
            3,
            "NGUYÊN",
            "Thu",
            name="Ambérieu écologique et solidaire",
            short_name="AMBÉRIEU ÉCOLO",
            nuance="LDVG",
        ),
        list_row(
            "004", "01", 2, 1, "MARTIN", "Jean-Noël", name="Ensemble pour Ambérieu", nuance="LDVD"
        ),
        list_row("004", "01", 2, 2, "GARÇON", "Zoé", name="Ensemble pour Ambérieu", nuance="LDVD"),
    ]


def write(tmp_path, data: bytes, name="livre-des-listes.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def run(path, *args, tour=1):
    out = StringIO()
    call_command(
        "import_candidatures", str(path), "--tour", str(tour), *args, stdout=out, stderr=StringIO()
    )
    return out.getvalue()


def latest():
    return RosterImport.objects.order_by("-pk").first()


# --- The format -------------------------------------------------------------------------------


def test_latin1_file_with_preamble_blank_line_and_trailing_tab(tmp_path):
    data = list_file_bytes(ambérieu_lists())
    assert data.startswith(b"Elections municipales 2020")
    assert b"\r\n\r\nCode du d\xe9partement\t" in data  # Latin-1, the blank line
    assert data.endswith(b"\tO\t\r\n")  # the empty trailing column
    output = run(write(tmp_path, data))

    ambérieu = Commune.objects.get(insee_code="01004")
    lists = OfficialList.objects.filter(commune=ambérieu).order_by("panel_number")
    assert [
        (lst.panel_number, lst.name, lst.nuance, lst.head_name, lst.candidate_count)
        for lst in lists
    ] == [
        (1, "Ambérieu écologique et solidaire", "LDVG", "Hélène DUPRÉ", 3),
        (2, "Ensemble pour Ambérieu", "LDVD", "Jean-Noël MARTIN", 2),
    ]
    first = lists[0]
    assert first.short_name == "AMBÉRIEU ÉCOLO"
    assert first.short_name_key == "amberieuecolo"
    assert first.name_key == "amberieuecologiqueetsolidaire"
    assert first.head_key == person_key("Hélène", "DUPRÉ") == "helenedupre"
    assert first.row_key == "01004|1"
    candidates = list(first.candidates.order_by("number"))
    assert [(c.number, c.first_name, c.last_name, c.is_head) for c in candidates] == [
        (1, "Hélène", "DUPRÉ", True),
        (2, "François", "LEFÈVRE", False),
        (3, "Thu", "NGUYÊN", False),
    ]
    assert candidates[0].row_key == "L|01004|1|1"
    assert candidates[0].sex == "F" and candidates[0].nationality == "FRA"
    assert candidates[0].communautaire is True
    assert all(c.kind == "listes" and c.tour == 1 and c.secteur is None for c in candidates)
    roster_import = latest()
    assert roster_import.encoding == "latin-1"
    assert (
        roster_import.rows_read,
        roster_import.lists_added,
        roster_import.candidates_added,
        roster_import.unplaced,
    ) == (5, 2, 5, 0)
    assert len(roster_import.file_sha256) == 64
    ambérieu.refresh_from_db()
    assert ambérieu.votes_by_list is True
    assert "Listes : 2 ajoutée(s)" in output
    assert "Candidat·es : 5 ajouté·es" in output


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [("utf-8", b"", "utf-8"), ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"), ("cp1252", b"", "cp1252")],
)
def test_encodings(tmp_path, encoding, bom, expected):
    rows = [list_row("004", "01", 1, 1, "L’HÔTE", "Œdipe", name="Cœur d’Ambérieu")]
    run(write(tmp_path, bom + list_file_bytes(rows, encoding=encoding)))
    assert latest().encoding == expected
    official_list = OfficialList.objects.get()
    assert (official_list.name, official_list.head_name) == ("Cœur d’Ambérieu", "Œdipe L’HÔTE")


def test_lf_line_endings_and_no_preamble(tmp_path):
    run(write(tmp_path, list_file_bytes(ambérieu_lists(), preamble=False, newline="\n")))
    assert OfficialCandidate.objects.count() == 5


def test_columns_found_by_name_in_any_order_and_spelling(tmp_path):
    header = [
        "Prenom candidat",
        "NOM CANDIDAT",
        "code departement",
        "Code Commune",
        "Numéro Panneau Liste",
        "N° Candidat",
        "Libelle etendu liste",
        "Nuance liste",
    ]
    rows = [
        {
            "Prenom candidat": "Hélène",
            "NOM CANDIDAT": "DUPRÉ",
            "code departement": "01",
            "Code Commune": "004",
            "Numéro Panneau Liste": "7",
            "N° Candidat": "1",
            "Libelle etendu liste": "Liste sept",
            "Nuance liste": "LDIV",
        }
    ]
    run(write(tmp_path, list_file_bytes(rows, header=header)))
    official_list = OfficialList.objects.get()
    assert (official_list.panel_number, official_list.name, official_list.head_name) == (
        7,
        "Liste sept",
        "Hélène DUPRÉ",
    )


def test_column_key():
    assert (
        column_key("N° Panneau Liste")
        == column_key("Numéro panneau liste")
        == ("numero panneau liste")
    )
    assert column_key("Code du département") == "code departement"


def test_plurinominal_file(tmp_path):
    rows = [
        individual_row("001", "01", 1, "CLÉMENT", "Gisèle", commune_name="L'Abergement-Clémenciat"),
        individual_row("001", "01", 2, "BOULANGER", "Rémi", sex="M"),
    ]
    data = individual_file_bytes(rows)
    assert b"N\xb0 Panneau Candidat" in data
    output = run(write(tmp_path, data, "livre-des-candidats.txt"))
    assert "Livre des candidats, scrutin plurinominal" in output
    assert not OfficialList.objects.exists()
    candidates = OfficialCandidate.objects.order_by("panel_number")
    assert [
        (c.kind, c.row_key, c.first_name, c.last_name, c.sex, c.official_list, c.number)
        for c in candidates
    ] == [
        ("plurinominal", "P|01001|1", "Gisèle", "CLÉMENT", "F", None, None),
        ("plurinominal", "P|01001|2", "Rémi", "BOULANGER", "M", None, None),
    ]
    assert Commune.objects.get(insee_code="01001").votes_by_list is False
    assert latest().kind == "plurinominal"


def test_plurinominal_columns_in_2014_order(tmp_path):
    """The columns are read by name: an order other than files.INDIVIDUAL_COLUMNS works."""
    header = [
        *INDIVIDUAL_COLUMNS[:4],
        "Sexe candidat",
        "Nom candidat",
        "Prénom candidat",
        "N° Panneau Candidat",
        "Nationalité",
    ]
    row = dict(
        zip(
            header,
            ["01", "Ain", "001", "L'Abergement", "M", "PETIT", "Léo", "3", "FRA"],
            strict=True,
        )
    )
    run(write(tmp_path, individual_file_bytes([row], header=header)))
    candidate = OfficialCandidate.objects.get()
    assert (candidate.panel_number, candidate.last_name, candidate.sex) == (3, "PETIT", "M")


def test_kind_mismatch_stops(tmp_path):
    path = write(tmp_path, list_file_bytes(ambérieu_lists()))
    with pytest.raises(CommandError, match="ligne 3 : ce fichier est le « Livre des listes"):
        run(path, "--kind", "plurinominal")
    assert not RosterImport.objects.exists()


def test_tour_in_preamble_must_match(tmp_path):
    path = write(tmp_path, list_file_bytes(ambérieu_lists()))  # « 1er tour »
    with pytest.raises(CommandError, match="annonce le tour 1, pas le tour 2"):
        run(path, tour=2)
    assert not OfficialCandidate.objects.exists()


# --- Places -----------------------------------------------------------------------------------


def test_paris_lyon_marseille_secteurs(tmp_path):
    rows = [
        list_row("056SR01", "75", 1, 1, "HIDALGO", "Anne"),  # Paris Centre
        list_row("SR05", "75", 1, 1, "BERTHOUT", "Florence"),  # 5e, city code left out
        list_row("055SR08", "13", 3, 1, "RAVIER", "Stéphane"),  # Marseille 8e secteur
        list_row("123SR04", "69", 2, 1, "MARTIN", "Camille"),
        list_row("056AR03", "75", 2, 1, "DUPONT", "Léa"),  # arrondissement 3 → Paris Centre
        list_row("056SR02", "75", 4, 1, "NULLE", "Part"),  # no secteur 2 in Paris since 2020
        list_row("004SR01", "01", 1, 1, "PAS", "Secteur"),  # Ambérieu has no secteur
    ]
    run(write(tmp_path, list_file_bytes(rows)))
    placed = {
        (lst.commune.insee_code, lst.secteur.code, lst.panel_number): lst.row_key
        for lst in OfficialList.objects.select_related("commune", "secteur")
    }
    assert placed == {
        ("75056", "75056-01", 1): "75056-01|1",
        ("75056", "75056-05", 1): "75056-05|1",
        ("13055", "13055-08", 3): "13055-08|3",
        ("69123", "69123-04", 2): "69123-04|2",
        ("75056", "75056-01", 2): "75056-01|2",
    }
    assert Secteur.objects.get(code="75056-01").official_lists.count() == 2
    report = latest().report
    assert latest().unplaced == 2
    assert "ligne 9 : secteur inconnu SR02 dans la commune 75056" in report
    assert "ligne 10 : secteur inconnu SR01 dans la commune 01004" in report
    assert Commune.objects.get(insee_code="75056").votes_by_list is True


def test_corsica_and_overseas(tmp_path):
    rows = [
        list_row("004", "2A", 1, 1, "SIMEONI", "Laurent"),  # Ajaccio
        list_row("033", "2B", 1, 1, "SAVELLI", "Pierre"),  # Bastia
        list_row("101", "ZA", 1, 1, "ÉRIC", "Jalton"),  # Les Abymes, Guadeloupe
        list_row("411", "ZD", 2, 1, "BELLO", "Ericka"),  # Saint-Denis, La Réunion
        list_row("11", "976", 1, 1, "KAMARDINE", "Ambdilwahedou"),  # Mamoudzou, by number
        list_row("502", "ZS", 1, 1, "CLAIREAUX", "Karine"),  # Saint-Pierre
        list_row("127", "ZX", 1, 1, "GIBBS", "Daniel"),  # Saint-Martin: no commune
    ]
    run(write(tmp_path, list_file_bytes(rows)))
    assert sorted(OfficialList.objects.values_list("commune__insee_code", flat=True)) == [
        "2A004",
        "2B033",
        "97101",
        "97411",
        "97502",
        "97611",
    ]
    assert latest().unplaced == 1
    assert "ligne 10 : commune inconnue ZX127" in latest().report


def test_whole_insee_code_in_code_commune(tmp_path):
    """Another year's file may give the whole INSEE code: it must be in the département."""
    rows = [
        list_row("01004", "01", 1, 1, "DUPRÉ", "Hélène"),
        list_row("2B033", "2B", 1, 1, "SAVELLI", "Pierre"),
        list_row("97101", "ZA", 1, 1, "JALTON", "Éric"),
        list_row("02004", "01", 2, 1, "AILLEURS", "Jean"),
    ]
    run(write(tmp_path, list_file_bytes(rows)))
    assert sorted(OfficialList.objects.values_list("commune__insee_code", flat=True)) == [
        "01004",
        "2B033",
        "97101",
    ]
    assert "ligne 7 : code commune hors du département « 01 » / « 02004 »" in latest().report


def test_unknown_commune_is_reported_not_dropped(tmp_path):
    rows = [*ambérieu_lists(), list_row("999", "01", 1, 1, "NULLEPART", "Personne")]
    output = run(write(tmp_path, list_file_bytes(rows)))
    roster_import = latest()
    assert roster_import.unplaced == 1
    assert roster_import.candidates_added == 5
    assert "ligne 9 : commune inconnue 01999 (« 01 » / « 999 »)" in roster_import.report
    assert "NULLEPART" in roster_import.report
    assert "Lignes non placées : 1" in output
    assert "ligne 9 : commune inconnue 01999" in output


# --- Awkward rows -----------------------------------------------------------------------------


def test_row_shifted_by_an_extra_empty_cell_is_repaired(tmp_path):
    shifted = list(list_row("004", "01", 1, 2, "LEFÈVRE", "François", name="Ambérieu écologique"))
    shifted.insert(4, "")  # an empty cell before « N° Panneau Liste »
    rows = [list_row("004", "01", 1, 1, "DUPRÉ", "Hélène", name="Ambérieu écologique"), shifted]
    run(write(tmp_path, list_file_bytes(rows)))
    assert OfficialList.objects.get().candidate_count == 2
    candidate = OfficialCandidate.objects.get(number=2)
    assert (candidate.panel_number, candidate.last_name, candidate.communautaire) == (
        1,
        "LEFÈVRE",
        True,
    )
    assert latest().unplaced == 0
    assert "ligne 5 : colonnes décalées d’une case : cellule vide en trop en colonne 5" in (
        latest().report
    )


def test_row_missing_its_nuance_cell_is_repaired(tmp_path):
    row = list(list_row("004", "01", 1, 1, "DUPRÉ", "Hélène", name="Ambérieu écologique"))
    del row[7]  # the (empty) nuance cell is missing
    run(write(tmp_path, list_file_bytes([row])))
    assert OfficialCandidate.objects.get().last_name == "DUPRÉ"
    assert "cellule manquante en colonne 8" in latest().report


def test_shifted_row_that_cannot_be_repaired_is_reported(tmp_path):
    # A tab inside the name: « DUPONT » « MORETTI » — no reading of it is certain.
    shifted = list(list_row("004", "01", 1, 2, "DUPONT", "Léa", name="Ambérieu écologique"))
    shifted[10:11] = ["DUPONT", "MORETTI"]
    # Two empty cells in a row too many: « Libellé abrégé » or « Nuance » could be either.
    ambiguous = list(list_row("004", "01", 1, 3, "ROUX", "Ana", name="Ambérieu", short_name=""))
    ambiguous.insert(7, "")
    ambiguous.insert(5, "X")
    rows = [
        list_row("004", "01", 1, 1, "DUPRÉ", "Hélène", name="Ambérieu écologique"),
        shifted,
        ambiguous,
    ]
    run(write(tmp_path, list_file_bytes(rows)))
    assert list(OfficialCandidate.objects.values_list("last_name", flat=True)) == ["DUPRÉ"]
    roster_import = latest()
    assert roster_import.unplaced == 2
    assert "ligne 5 : 15 colonnes au lieu de 14, aucune lecture sûre" in roster_import.report
    assert "ligne 6 : 16 colonnes au lieu de 14" in roster_import.report


def test_extra_empty_cell_with_two_valid_readings_is_not_repaired(tmp_path):
    row = list(list_row("004", "01", 1, 1, "DUPRÉ", "Hélène", short_name="UNION", name="AVENIR"))
    # Columns 6 to 9 now read « », « UNION », « AVENIR », « »: without the first empty cell
    # « AVENIR » is the list's name; without the last, « UNION » is and « AVENIR » its nuance.
    row.insert(5, "")
    run(write(tmp_path, list_file_bytes([row, list_row("004", "01", 2, 1, "B", "A")])))
    assert latest().unplaced == 1
    assert "ligne 4 : colonnes décalées, réparation incertaine (2 lectures possibles)" in (
        latest().report
    )


def test_truncated_last_line_is_reported_not_fatal(tmp_path):
    data = list_file_bytes(ambérieu_lists())
    cut = data[: data.rindex(b"GAR") + 2]  # the download stopped inside « GARÇON »
    output = run(write(tmp_path, cut))
    roster_import = latest()
    assert roster_import.candidates_added == 4
    assert roster_import.unplaced == 1
    assert "ligne 8 : ligne tronquée" in roster_import.report
    assert "ligne 8 : ligne tronquée" in output


def test_last_line_without_line_break_but_complete_is_imported(tmp_path):
    data = list_file_bytes(ambérieu_lists())
    run(write(tmp_path, data.removesuffix(b"\r\n")))
    assert latest().candidates_added == 5 and latest().unplaced == 0


def test_duplicate_candidate_is_reported(tmp_path):
    rows = [*ambérieu_lists(), list_row("004", "01", 2, 2, "AUTRE", "Zoé")]
    run(write(tmp_path, list_file_bytes(rows)))
    assert latest().unplaced == 1
    assert "ligne 9 : candidat·e en double" in latest().report
    assert OfficialCandidate.objects.get(row_key="L|01004|2|2").last_name == "GARÇON"


def test_list_without_head_is_noted(tmp_path):
    run(write(tmp_path, list_file_bytes([list_row("004", "01", 5, 2, "SECOND", "Sam")])))
    official_list = OfficialList.objects.get()
    assert (official_list.head_key, official_list.candidate_count) == ("", 1)
    assert "ligne 4 : la liste n° 5 n’a pas de candidat·e n° 1" in latest().report


# --- Bad files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "fichier vide"),
        (b"\r\n\r\n  \r\n", "fichier vide"),
        (
            "Titre\r\n\r\n".encode("latin-1")
            + b"\t".join(c.encode("latin-1") for c in LIST_COLUMNS)
            + b"\t\r\n",
            "ligne 3 : aucune candidature après l’en-tête",
        ),
        (b"PK\x03\x04\x14\x00\x00\x00", "ligne 1 : octet nul"),
        ("\ufeffCode du département".encode("utf-16"), "ligne 1 : fichier en UTF-16"),
        (b"nom;prenom;commune\r\n" * 20, "ligne 10 : en-tête introuvable"),
        (b"a\tb\r\n", "en-tête introuvable"),
    ],
)
def test_bad_file_stops_with_file_line_and_reason(tmp_path, data, message):
    path = write(tmp_path, data)
    with pytest.raises(CommandError) as error:
        run(path)
    assert str(error.value).startswith(f"Import annulé, rien n’a été écrit. {path}")
    assert message in str(error.value)
    assert not RosterImport.objects.exists()


def test_missing_column_stops(tmp_path):
    header = [c for c in LIST_COLUMNS if c != "N° candidat"]
    path = write(tmp_path, list_file_bytes([], header=header))
    with pytest.raises(
        CommandError,
        match="ligne 3 : colonne\\(s\\) manquante\\(s\\) dans l’en-tête : « N° candidat »",
    ):
        run(path)


def test_missing_file_stops(tmp_path):
    with pytest.raises(CommandError, match=r"absent\.txt : fichier illisible"):
        run(tmp_path / "absent.txt")


def test_nothing_placed_stops(tmp_path):
    path = write(tmp_path, list_file_bytes([list_row("999", "01", 1, 1, "A", "B")]))
    with pytest.raises(CommandError, match="aucune des 1 lignes n’a pu être placée"):
        run(path)


def test_fatal_error_late_in_the_file_writes_nothing(tmp_path):
    good = list_file_bytes(ambérieu_lists())
    run(write(tmp_path, good, "premier.txt"))
    before = list(OfficialCandidate.objects.values_list("row_key", "last_name", "gone_at"))
    newer = list_file_bytes([list_row("004", "01", 9, 1, "NOUVELLE", "Liste")] * 1)
    path = write(tmp_path, newer + b"\x00garbage\r\n")
    with pytest.raises(CommandError, match="ligne 5 : octet nul"):
        run(path)
    assert list(OfficialCandidate.objects.values_list("row_key", "last_name", "gone_at")) == before
    assert RosterImport.objects.count() == 1


def test_error_while_writing_rolls_everything_back(tmp_path, monkeypatch):
    """Atomicity: candidates already sent to the database (a batch of bulk_create, or COPY's
    first lines on PostgreSQL) are not kept when a later row fails."""
    run(write(tmp_path, list_file_bytes(ambérieu_lists()[:2]), "premier.txt"))
    calls = []
    real_person_key = importer_module.person_key

    def failing_person_key(first_name, last_name):
        calls.append(last_name)
        if last_name == "NOM4":
            raise RuntimeError("disque plein")
        return real_person_key(first_name, last_name)

    monkeypatch.setattr(importer_module, "person_key", failing_person_key)
    monkeypatch.setattr(importer_module, "COPY_CHUNK", 10)
    sent = []
    real_bulk_create = importer_module.Importer._bulk_create_candidates
    real_reader = importer_module._LinesReader.read

    def counting_bulk_create(self, rows):
        sent.extend(rows)
        return real_bulk_create(self, rows)

    def counting_read(self, size=-1):
        text = real_reader(self, size)
        sent.append(text)
        return text

    monkeypatch.setattr(importer_module.Importer, "_bulk_create_candidates", counting_bulk_create)
    monkeypatch.setattr(importer_module._LinesReader, "read", counting_read)
    rows = [list_row("004", "01", 3, number, f"NOM{number}", "Prénom") for number in (1, 2, 3, 4)]
    with pytest.raises(RuntimeError):
        import_candidatures(path=write(tmp_path, list_file_bytes(rows)), tour=1, batch_size=2)
    assert calls == ["NOM1", "NOM1", "NOM2", "NOM3", "NOM4"]  # the list's head, then each row
    assert sent  # something reached the database before the failure
    assert sorted(OfficialCandidate.objects.values_list("row_key", flat=True)) == [
        "L|01004|1|1",
        "L|01004|1|2",
    ]
    assert OfficialCandidate.objects.filter(gone_at__isnull=False).count() == 0
    assert OfficialList.objects.count() == 1
    assert RosterImport.objects.count() == 1


# --- Runs after the first ---------------------------------------------------------------------


def test_same_file_again_changes_nothing(tmp_path):
    path = write(tmp_path, list_file_bytes(ambérieu_lists()))
    run(path)
    snapshot = list(OfficialCandidate.objects.values().order_by("pk"))
    lists = list(OfficialList.objects.values().order_by("pk"))
    run(path)
    second = latest()
    assert (
        second.lists_added,
        second.lists_updated,
        second.lists_gone,
        second.candidates_added,
        second.candidates_updated,
        second.candidates_gone,
    ) == (0, 0, 0, 0, 0, 0)
    assert list(OfficialCandidate.objects.values().order_by("pk")) == snapshot
    assert list(OfficialList.objects.values().order_by("pk")) == lists


def test_newer_file_updates_adds_and_reports_what_disappeared(tmp_path):
    run(write(tmp_path, list_file_bytes(ambérieu_lists()), "v1.txt"))
    first = latest()
    rows = ambérieu_lists()[:2]  # list 1 loses its n° 3, list 2 is gone
    rows[1] = list_row(
        "004",
        "01",
        1,
        2,
        "LEFÈVRE-DURAND",
        "François",
        name="Ambérieu écologique et solidaire",
        short_name="AMBÉRIEU ÉCOLO",
        nuance="LDVG",
    )
    rows.append(list_row("004", "01", 3, 1, "NOUVEAU", "Paul", name="Troisième voie"))
    output = run(write(tmp_path, list_file_bytes(rows), "v2.txt"))
    second = latest()
    assert (second.lists_added, second.lists_updated, second.lists_gone) == (1, 1, 1)
    assert (second.candidates_added, second.candidates_updated, second.candidates_gone) == (1, 1, 3)
    assert "Listes : 1 ajoutée(s), 1 modifiée(s), 1 disparue(s)" in output
    lists = {lst.panel_number: lst for lst in OfficialList.objects.all()}
    assert lists[1].candidate_count == 2 and lists[1].gone_at is None
    assert lists[1].last_import == second and lists[1].first_import == first
    assert lists[2].gone_at is not None and lists[2].last_import == second
    assert OfficialList.objects.standing().count() == 2
    renamed = OfficialCandidate.objects.get(row_key="L|01004|1|2")
    assert (renamed.last_name, renamed.name_key, renamed.gone_at) == (
        "LEFÈVRE-DURAND",
        "francoislefevredurand",
        None,
    )
    head = OfficialCandidate.objects.get(row_key="L|01004|1|1")
    assert head.last_import == first  # unchanged, not rewritten
    assert set(
        OfficialCandidate.objects.filter(gone_at__isnull=False).values_list("row_key", flat=True)
    ) == {"L|01004|1|3", "L|01004|2|1", "L|01004|2|2"}

    # The first file again: what was gone stands again, nothing is added twice.
    run(tmp_path / "v1.txt")
    third = latest()
    assert (third.lists_added, third.lists_updated, third.lists_gone) == (0, 2, 1)
    assert (third.candidates_added, third.candidates_updated, third.candidates_gone) == (0, 4, 1)
    assert OfficialCandidate.objects.count() == 6
    assert OfficialCandidate.objects.standing().count() == 5


def test_a_file_much_smaller_than_the_round_is_refused_unless_allowed(tmp_path, monkeypatch):
    """An extract (a département's file) would mark the rest of the country gone."""
    monkeypatch.setattr(importer_module, "SHRINK_CHECK_FROM", 5)  # 1,000 in earnest
    run(write(tmp_path, list_file_bytes(ambérieu_lists()), "national.txt"))
    extract = write(tmp_path, list_file_bytes(ambérieu_lists()[:2]), "extrait.txt")
    with pytest.raises(CommandError, match="ne compte que 2 candidatures placées, contre 5"):
        run(extract)
    assert OfficialCandidate.objects.standing().count() == 5
    run(extract, "--allow-shrink")
    assert latest().candidates_gone == 3
    assert OfficialCandidate.objects.standing().count() == 2


def test_plurinominal_import_leaves_list_candidates_alone(tmp_path):
    run(write(tmp_path, list_file_bytes(ambérieu_lists()), "listes.txt"))
    run(
        write(
            tmp_path,
            individual_file_bytes([individual_row("001", "01", 1, "SEUL", "Solo")]),
            "pluri.txt",
        )
    )
    assert latest().candidates_gone == 0
    assert OfficialCandidate.objects.standing().count() == 6


def test_dry_run_writes_nothing(tmp_path):
    path = write(tmp_path, list_file_bytes(ambérieu_lists()))
    received = []
    roster_imported.connect(received.append, dispatch_uid="test-dry-run")
    try:
        output = run(path, "--dry-run")
    finally:
        roster_imported.disconnect(dispatch_uid="test-dry-run")
    assert "Candidat·es : 5 ajouté·es" in output
    assert "Essai à blanc terminé" in output and "rien n’a été écrit" in output
    assert not RosterImport.objects.exists()
    assert not OfficialList.objects.exists() and not OfficialCandidate.objects.exists()
    assert Commune.objects.get(insee_code="01004").votes_by_list is None
    assert received == []


def test_signal_sent_after_commit(tmp_path):
    """Sent once the import's transaction is over (the test's own is all that is left)."""
    path = write(tmp_path, list_file_bytes(ambérieu_lists()))
    received = []
    outside = len(connection.atomic_blocks)

    def receiver(sender, roster_import, **kwargs):
        received.append(
            (roster_import.pk, roster_import.candidates_added, len(connection.atomic_blocks))
        )

    roster_imported.connect(receiver, dispatch_uid="test-signal")
    try:
        run(path)
        with pytest.raises(CommandError):
            run(write(tmp_path, b"", "vide.txt"))
    finally:
        roster_imported.disconnect(dispatch_uid="test-signal")
    assert received == [(latest().pk, 5, outside)]


def test_progress_bar_on_stderr_when_asked(tmp_path):
    err = StringIO()
    call_command(
        "import_candidatures",
        str(write(tmp_path, list_file_bytes(ambérieu_lists()))),
        "--tour",
        "1",
        "--progress",
        stdout=StringIO(),
        stderr=err,
    )
    assert "Vérification" in err.getvalue() and "Écriture" in err.getvalue()
    assert "100%" in err.getvalue()
    quiet = StringIO()
    call_command(
        "import_candidatures",
        str(tmp_path / "livre-des-listes.txt"),
        "--tour",
        "1",
        stdout=StringIO(),
        stderr=quiet,
    )
    assert quiet.getvalue() == ""  # not a terminal, not asked


# --- Round 2 ----------------------------------------------------------------------------------


def test_second_round_links_continued_and_merged_lists(tmp_path):
    run(write(tmp_path, list_file_bytes(ambérieu_lists()), "tour1.txt"))
    round1 = {lst.panel_number: lst for lst in OfficialList.objects.filter(tour=1)}
    preamble = "Elections municipales 2020 - 2nd tour - Livre des listes et candidats"
    merged = [  # list 1's head and n° 2 with list 2's head and n° 2: a fusion
        list_row("004", "01", 1, 1, "DUPRÉ", "Hélène", name="Ambérieu rassemblée"),
        list_row("004", "01", 1, 2, "MARTIN", "Jean-Noël", name="Ambérieu rassemblée"),
        list_row("004", "01", 1, 3, "LEFÈVRE", "François", name="Ambérieu rassemblée"),
        list_row("004", "01", 1, 4, "GARÇON", "Zoé", name="Ambérieu rassemblée"),
    ]
    path = write(tmp_path, list_file_bytes(merged, preamble=preamble), "tour2.txt")
    with pytest.raises(CommandError, match="annonce le tour 2, pas le tour 1"):
        run(path, tour=1)
    run(path, tour=2)
    round2 = OfficialList.objects.get(tour=2)
    assert round2.row_key == "01004|1"
    assert set(round2.merged_from.all()) == {round1[1], round1[2]}
    assert round2.continues == round1[1]
    assert OfficialList.objects.filter(tour=1, gone_at__isnull=True).count() == 2
    assert OfficialCandidate.objects.filter(tour=2).count() == 4

    # A newer round-2 file where list 2's people left: the list only continues list 1.
    run(
        write(tmp_path, list_file_bytes(merged[:1] + merged[2:3], preamble=preamble), "v2.txt"),
        tour=2,
    )
    round2.refresh_from_db()
    assert list(round2.merged_from.all()) == []
    assert round2.continues == round1[1]


def test_backslash_in_a_name_is_kept(tmp_path):
    """COPY's text format (PostgreSQL) escapes backslashes; the name comes back as written."""
    rows = [list_row("004", "01", 1, 1, "O\\BRIEN", "Seán\\", name="Liste \\ deux")]
    run(write(tmp_path, list_file_bytes(rows)))
    candidate = OfficialCandidate.objects.get()
    assert (candidate.last_name, candidate.first_name) == ("O\\BRIEN", "Seán\\")
    assert candidate.secteur is None and candidate.communautaire is True
    assert candidate.official_list.name == "Liste \\ deux"
