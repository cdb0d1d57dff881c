"""manage.py import_elus on files in the RNE's shape (tests/candidates/official/elected_files)."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from candidates.models import ElectedCouncillor, ElectedImport
from candidates.official.signals import elected_imported
from tests.candidates.official.elected_files import RNE_COLUMNS, elu, rne_file_bytes

pytestmark = pytest.mark.django_db


def ambérieu_council():
    """Ambérieu-en-Bugey (01004): a mayor, an adjointe, two conseillers, accents."""
    return [
        elu("004", "01", "DUPRÉ", "Hélène", function="Maire", born="12/06/1968"),
        elu("004", "01", "LEFÈVRE", "François", sex="M", function="1er adjoint au maire"),
        elu("004", "01", "NGUYÊN", "Thu", born="01/01/1990"),
        elu("004", "01", "MARTIN", "Jean-Noël", sex="M", born="30/11/1955"),
    ]


def write(tmp_path, data: bytes, name="elus-municipaux-cm.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def run(path, *args):
    out = StringIO()
    call_command("import_elus", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def latest():
    return ElectedImport.objects.order_by("-pk").first()


def councillor(last_name):
    return ElectedCouncillor.objects.get(last_name=last_name)


# --- The format -------------------------------------------------------------------------------


def test_tab_separated_utf8_file(tmp_path):
    output = run(write(tmp_path, rne_file_bytes(ambérieu_council())))
    assert ElectedCouncillor.objects.count() == 4
    mayor = councillor("DUPRÉ")
    assert mayor.first_name == "Hélène"
    assert mayor.name_key == "helenedupre"
    assert mayor.commune.insee_code == "01004"
    assert mayor.is_mayor and mayor.function == "Maire"
    assert mayor.birth_date == datetime.date(1968, 6, 12)
    assert mayor.mandate_start == datetime.date(2020, 5, 23)
    assert mayor.sex == "F"
    assert mayor.row_key == "01004|helenedupre|1968-06-12"
    adjoint = councillor("LEFÈVRE")
    assert not adjoint.is_mayor and adjoint.function == "1er adjoint au maire"
    assert councillor("NGUYÊN").function == ""
    run_ = latest()
    assert (run_.rows_read, run_.added, run_.updated, run_.gone, run_.unplaced) == (4, 4, 0, 0, 0)
    assert (run_.delimiter, run_.encoding) == ("\t", "utf-8")
    assert "4 ajouté·es" in output and "séparateur tabulation" in output


@pytest.mark.parametrize(
    ("delimiter", "encoding", "bom", "expected_encoding"),
    [
        (";", "utf-8", False, "utf-8"),
        (";", "utf-8", True, "utf-8-sig"),
        ("\t", "utf-8", True, "utf-8-sig"),
        (";", "latin-1", False, "latin-1"),
        ("\t", "latin-1", False, "latin-1"),
        (";", "cp1252", False, "cp1252"),
    ],
)
def test_delimiters_and_encodings(tmp_path, delimiter, encoding, bom, expected_encoding):
    rows = ambérieu_council()
    if encoding == "cp1252":  # a character Latin-1 does not have
        rows[3] = elu("004", "01", "CŒUR", "Jean-Noël", sex="M")
    data = rne_file_bytes(rows, delimiter=delimiter, encoding=encoding, bom=bom)
    run(write(tmp_path, data))
    assert latest().encoding == expected_encoding
    assert latest().delimiter == delimiter
    assert councillor("DUPRÉ").first_name == "Hélène"
    assert councillor("LEFÈVRE").first_name == "François"
    assert ElectedCouncillor.objects.filter(first_name="Jean-Noël").count() == 1


def test_latin1_bytes_as_published(tmp_path):
    """Byte for byte: « DUPRÉ » is one byte 0xC9 in Latin-1, semicolons, CRLF."""
    header = ";".join(RNE_COLUMNS).encode("latin-1")
    line = (
        b"01;Ain;;;004;Amb\xe9rieu-en-Bugey;DUPR\xc9;H\xe9l\xe8ne;F;12/06/1968;;;"
        b"23/05/2020;Maire;23/05/2020;FR"
    )
    run(write(tmp_path, header + b"\r\n" + line + b"\r\n"))
    mayor = councillor("DUPRÉ")
    assert (mayor.first_name, mayor.is_mayor, latest().encoding) == ("Hélène", True, "latin-1")


def test_lf_and_quoted_semicolon_cells(tmp_path):
    rows = [
        elu("004", "01", "DUPRÉ", "Hélène", function="Maire"),
        '01;Ain;;;004;Ambérieu-en-Bugey;"MARTIN; dit JN";Jean-Noël;M;30/11/1955;;;23/05/2020;;;FR',
    ]
    run(write(tmp_path, rne_file_bytes(rows, delimiter=";", newline="\n")))
    assert councillor("MARTIN; dit JN").first_name == "Jean-Noël"


def test_whole_insee_code_corsica_and_overseas(tmp_path):
    rows = [
        elu("01004", "01", "DUPRÉ", "Hélène"),
        elu("004", "2A", "SIMEONI", "Laurent", sex="M"),  # Ajaccio
        elu("2B033", "2B", "SAVELLI", "Pierre", sex="M"),  # Bastia
        elu("101", "ZA", "JALTON", "Éric", sex="M"),  # Les Abymes
        elu("97411", "974", "BELLO", "Ericka"),  # Saint-Denis (La Réunion)
        elu("11", "976", "KAMARDINE", "Ambdilwahedou", sex="M"),  # Mamoudzou
    ]
    run(write(tmp_path, rne_file_bytes(rows)))
    assert latest().unplaced == 0, latest().report
    assert sorted(ElectedCouncillor.objects.values_list("commune__insee_code", flat=True)) == [
        "01004",
        "2A004",
        "2B033",
        "97101",
        "97411",
        "97611",
    ]


# --- Bad lines --------------------------------------------------------------------------------


def test_bad_lines_are_reported_with_their_number_and_reason(tmp_path):
    rows = [
        *ambérieu_council(),  # lines 2 to 5
        elu("999", "01", "NULLEPART", "Personne"),  # line 6
        elu("004", "01", "TARDIF", "Léa", born="31/02/1980"),  # line 7
        elu("004", "01", "PRESSÉ", "Marc", mandate="2020-05-2x"),  # line 8
        "01\tAin\t004\tAmbérieu-en-Bugey\tCOURT\tPaul",  # line 9: 6 columns
        elu("004", "01", "", "Sansnom"),  # line 10
        elu("004", "01", "DUPRÉ", "Hélène", function="Maire", born="12/06/1968"),  # line 11
    ]
    run(write(tmp_path, rne_file_bytes(rows)))
    run_ = latest()
    assert ElectedCouncillor.objects.count() == 4
    assert (run_.rows_read, run_.added, run_.unplaced) == (10, 4, 6)
    report = run_.report
    assert "ligne 6 : commune inconnue 01999" in report
    assert "ligne 7 : date de naissance illisible « 31/02/1980 » (attendu : jj/mm/aaaa)" in report
    assert "ligne 8 : date de début du mandat illisible « 2020-05-2x »" in report
    assert f"ligne 9 : 6 colonnes au lieu de {len(RNE_COLUMNS)}" in report
    assert "ligne 10 : nom ou prénom de l’élu·e manquant" in report
    assert (
        "ligne 11 : élu·e en double (même commune, même nom, même date de naissance "
        "qu’à la ligne 2)" in report
    )


def test_a_trailing_delimiter_is_not_a_bad_line(tmp_path):
    data = rne_file_bytes(ambérieu_council()).replace(b"\r\n", b"\t\r\n")
    run(write(tmp_path, data))
    assert latest().unplaced == 0
    assert ElectedCouncillor.objects.count() == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "fichier vide"),
        (b"\xff\xfeC\x00o\x00", "fichier en UTF-16"),
        (b"Nom;Pr\xe9nom\r\nDUPONT;Jean\r\n", "en-tête introuvable"),
        (
            "Code du département\tCode de la commune\tNom de l'élu\r\n01\t004\tX\r\n".encode(),
            "colonne(s) manquante(s) dans l’en-tête : « Prénom de l'élu », « Date de naissance »",
        ),
        (
            rne_file_bytes([elu("999", "01", "NULLEPART", "Personne")]),
            "aucune des 1 lignes n’a pu être placée",
        ),
        (rne_file_bytes([]), "aucun·e élu·e après l’en-tête"),
    ],
)
def test_unreadable_file_stops_and_writes_nothing(tmp_path, data, message):
    path = write(tmp_path, data)
    with pytest.raises(CommandError) as error:
        run(path)
    assert str(error.value).startswith("Import annulé, rien n’a été écrit.")
    assert message in str(error.value)
    assert not ElectedImport.objects.exists()
    assert not ElectedCouncillor.objects.exists()


def test_missing_file_stops(tmp_path):
    with pytest.raises(CommandError, match=r"Import annulé, rien n’a été écrit\..*illisible"):
        run(tmp_path / "absent.csv")


def test_error_while_writing_rolls_everything_back(tmp_path, monkeypatch):
    from candidates.official import elected_importer

    def broken(self):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(elected_importer.ElectedImporter, "report", broken)
    with pytest.raises(RuntimeError):
        run(write(tmp_path, rne_file_bytes(ambérieu_council())))
    assert not ElectedImport.objects.exists()
    assert not ElectedCouncillor.objects.exists()


# --- Runs -------------------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_sends_nothing(tmp_path):
    received = []
    elected_imported.connect(received.append, dispatch_uid="test-dry-run")
    try:
        output = run(write(tmp_path, rne_file_bytes(ambérieu_council())), "--dry-run")
    finally:
        elected_imported.disconnect(dispatch_uid="test-dry-run")
    assert "4 ajouté·es" in output and "rien n’a été écrit" in output
    assert not ElectedImport.objects.exists() and not ElectedCouncillor.objects.exists()
    assert received == []


def test_signal_sent_once_committed(tmp_path):
    """Sent after the import's transaction (tests/conftest.py runs on_commit callbacks when
    the outermost block that is not the test's own commits)."""
    from django.db import connection

    received = []

    def receiver(sender, *, elected_import, **kwargs):
        committed = all(getattr(b, "_from_testcase", False) for b in connection.atomic_blocks)
        received.append((elected_import, committed, ElectedCouncillor.objects.count()))

    elected_imported.connect(receiver, dispatch_uid="test-signal")
    try:
        run(write(tmp_path, rne_file_bytes(ambérieu_council())))
    finally:
        elected_imported.disconnect(dispatch_uid="test-signal")
    assert received == [(latest(), True, 4)]


def test_same_file_again_changes_nothing(tmp_path):
    path = write(tmp_path, rne_file_bytes(ambérieu_council()))
    run(path)
    before = list(ElectedCouncillor.objects.values().order_by("pk"))
    run(path)
    second = latest()
    assert (second.added, second.updated, second.gone) == (0, 0, 0)
    assert list(ElectedCouncillor.objects.values().order_by("pk")) == before


def test_newer_file_updates_adds_and_marks_gone(tmp_path):
    run(write(tmp_path, rne_file_bytes(ambérieu_council())))
    first = latest()
    rows = ambérieu_council()
    rows[1] = elu("004", "01", "LEFÈVRE", "François", sex="M", function="Maire")  # now mayor
    rows[0] = elu("004", "01", "DUPRÉ", "Hélène", born="12/06/1968")  # no longer mayor
    del rows[3]  # MARTIN resigned
    rows.append(elu("004", "01", "GARÇON", "Zoé", born="05/05/1985"))  # his replacement
    run(write(tmp_path, rne_file_bytes(rows), name="elus-2021.csv"))
    second = latest()
    assert (second.added, second.updated, second.gone) == (1, 2, 1)
    assert councillor("LEFÈVRE").is_mayor and not councillor("DUPRÉ").is_mayor
    assert councillor("LEFÈVRE").last_import == second
    assert councillor("LEFÈVRE").first_import == first
    assert councillor("NGUYÊN").last_import == first
    gone = councillor("MARTIN")
    assert gone.gone_at is not None and gone.last_import == second
    assert set(ElectedCouncillor.objects.sitting().values_list("last_name", flat=True)) == {
        "DUPRÉ",
        "LEFÈVRE",
        "NGUYÊN",
        "GARÇON",
    }
    # Back in a later file: sitting again.
    run(write(tmp_path, rne_file_bytes(ambérieu_council()), name="elus-2022.csv"))
    assert councillor("MARTIN").gone_at is None
    assert councillor("GARÇON").gone_at is not None


def test_homonyms_of_a_council_are_two_councillors(tmp_path):
    rows = [
        *ambérieu_council(),
        elu("004", "01", "MARTIN", "Jean-Noël", sex="M", born="02/02/1990"),
    ]
    run(write(tmp_path, rne_file_bytes(rows)))
    assert ElectedCouncillor.objects.filter(name_key="jeannoelmartin").count() == 2
