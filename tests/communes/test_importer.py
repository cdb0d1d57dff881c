import shutil

import pytest
from django.core.management import CommandError, call_command

from communes.importer import DATA_DIR, ImportFileError, VintageFiles, import_vintage
from communes.models import Arrondissement, Commune, Departement, PostalCode, Region, Secteur

pytestmark = pytest.mark.django_db

COMMUNES_HEADER = "insee_code,name,departement_code,region_code,postal_codes,population\n"


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Region, Departement, Commune, PostalCode, Arrondissement)
    }


def test_the_2020_vintage_is_loaded_whole():
    # conftest runs `import_communes` with its defaults before the tests.
    assert Commune.objects.count() == 35_051
    assert Commune.objects.electing().count() == 35_045
    assert Departement.objects.count() == 104
    assert Region.objects.count() == 21
    assert Arrondissement.objects.count() == 45


def test_paris_has_its_21_postal_codes_and_20_arrondissements():
    paris = Commune.objects.get(insee_code="75056")
    assert len(paris.postal_code_list) == 21
    assert "75116" in paris.postal_code_list
    assert PostalCode.objects.filter(commune=paris).count() == 21
    assert paris.arrondissements.count() == 20
    assert Commune.objects.get(insee_code="13055").arrondissements.count() == 16
    assert Commune.objects.get(insee_code="69123").arrondissements.count() == 9


def test_paris_lyon_and_marseille_have_their_2020_secteurs():
    assert Secteur.objects.filter(commune__insee_code="75056").count() == 17
    assert Secteur.objects.filter(commune__insee_code="13055").count() == 8
    assert Secteur.objects.filter(commune__insee_code="69123").count() == 9
    centre = Secteur.objects.get(code="75056-01")
    assert centre.name.startswith("Paris Centre")
    assert centre.arrondissement_codes.split() == ["75101", "75102", "75103", "75104"]
    assert not Secteur.objects.filter(commune__insee_code="75056", number__in=[2, 3, 4]).exists()
    paris, lille = Commune.objects.get(insee_code="75056"), Commune.objects.get(insee_code="59350")
    assert paris.votes_by_secteur and paris.list_ballot_hint
    assert not lille.votes_by_secteur and lille.list_ballot_hint


def test_a_secteur_covering_an_unknown_arrondissement_stops_the_import(tmp_path):
    files = write_files(tmp_path, shipped_communes_with())
    secteurs = (DATA_DIR / "secteurs-2020.csv").read_text(encoding="utf-8")
    (tmp_path / "secteurs.csv").write_text(
        secteurs + '69123,10,"Lyon 10e",69390\n', encoding="utf-8"
    )
    files = VintageFiles(**{**files.__dict__, "secteurs": tmp_path / "secteurs.csv"})
    with pytest.raises(ImportFileError) as error:
        import_vintage(files)
    assert "ligne 36" in str(error.value)
    assert "arrondissement inconnu" in str(error.value)


def test_the_six_meuse_villages_elect_no_council():
    without_council = Commune.objects.filter(elects_council=False)
    assert set(without_council.values_list("insee_code", flat=True)) == {
        "55039", "55050", "55139", "55189", "55239", "55307",
    }  # fmt: skip


def test_overseas_collectivities_use_their_com_code_as_departement_and_region():
    papeete = Commune.objects.select_related("departement__region").get(insee_code="98735")
    assert papeete.departement.code == "987"
    assert papeete.departement.region.code == "987"


def test_names_keep_their_accents_and_apostrophes():
    assert Commune.objects.get(insee_code="42218").name == "Saint-Étienne"
    assert Commune.objects.get(insee_code="94038").name == "L'Haÿ-les-Roses"
    assert Commune.objects.get(insee_code="42218").slug == "saint-etienne"


def test_a_second_run_changes_nothing_and_says_so(capsys):
    before = table_counts()
    paris = Commune.objects.values().get(insee_code="75056")
    call_command("import_communes")
    output = capsys.readouterr().out
    assert "Rien à changer : la base est déjà à jour" in output
    assert "communes : 0 créé(s), 0 modifié(s), 35051 inchangé(s)" in output
    assert table_counts() == before
    assert Commune.objects.values().get(insee_code="75056") == paris


def test_a_changed_row_is_updated_and_reported(capsys):
    Commune.objects.filter(insee_code="42218").update(name="Saint-Etienne", population=1)
    call_command("import_communes")
    output = capsys.readouterr().out
    assert "communes : 0 créé(s), 1 modifié(s), 35050 inchangé(s)" in output
    assert "Import terminé" in output
    commune = Commune.objects.get(insee_code="42218")
    assert (commune.name, commune.population) == ("Saint-Étienne", 173_821)


def test_the_latest_vintage_renames_and_keeps_communes_absent_from_it(capsys):
    call_command("import_communes", "--vintage", "latest")
    output = capsys.readouterr().out
    # 104 codes of 2020 are gone in 2026: kept, since candidates may stand there.
    assert "104 absent(s) du fichier conservé(s)" in output
    assert Commune.objects.count() == 35_051 + 11
    assert Commune.objects.get(insee_code="75056").population == 2_103_778


def write_files(tmp_path, communes_csv: str) -> VintageFiles:
    """The shipped 2020 files, but with the given communes file."""
    files = VintageFiles.for_vintage("2020")
    for name in ("regions", "departements", "arrondissements"):
        shutil.copy(getattr(files, name), tmp_path / getattr(files, name).name)
    (tmp_path / "communes.csv").write_text(communes_csv, encoding="utf-8")
    return VintageFiles(
        regions=tmp_path / "regions.csv",
        departements=tmp_path / "departements.csv",
        communes=tmp_path / "communes.csv",
        arrondissements=tmp_path / "arrondissements-2020.csv",
    )


def shipped_communes_with(*lines: str) -> str:
    """The shipped communes file with `lines` put after its first two data rows."""
    rows = (DATA_DIR / "communes-2020.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join([*rows[:3], *(line + "\n" for line in lines), *rows[3:]])


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ("2B9999,Nulle-Part,2B,94,20000,10", "code INSEE invalide : « 2B9999 »"),
        ("01999,Nulle-Part,01,84,01000,dix", "population invalide : « dix »"),
        ("01999,Nulle-Part,01,84,01000,-3", "population invalide : « -3 »"),
        ("01999,Nulle-Part,01,84,1000,10", "code postal invalide : « 1000 »"),
        ("01999,Nulle-Part,00,84,01000,10", "département inconnu : « 00 »"),
        ("01999,Nulle-Part,01,11,01000,10", "la région « 11 » n’est pas celle du département 01"),
        ("01999,Nulle-Part,01,84,01000", "5 champs au lieu de 6"),
        ("01001,Doublon,01,84,01000,10", "code « 01001 » en double"),
        ("01999,,01,84,01000,10", "nom vide"),
    ],
)
def test_a_malformed_row_stops_the_import_with_file_line_and_reason(tmp_path, bad_line, reason):
    before = table_counts()
    files = write_files(tmp_path, shipped_communes_with("01998,Nouvelle,01,84,01000,5", bad_line))
    with pytest.raises(ImportFileError) as error:
        import_vintage(files)
    assert str(error.value) == f"{files.communes}, ligne 5 : {reason}."
    assert table_counts() == before
    assert not Commune.objects.filter(insee_code="01998").exists()


def test_a_missing_column_is_named(tmp_path):
    header = "insee_code,name,departement_code,postal_codes,population\n"
    files = write_files(tmp_path, header + "01001,L'Abergement-Clémenciat,01,01400,779\n")
    with pytest.raises(
        ImportFileError, match=r"ligne 1 : colonne\(s\) manquante\(s\) : region_code"
    ):
        import_vintage(files)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    files = write_files(tmp_path, "")
    files.communes.write_bytes(
        COMMUNES_HEADER.encode() + "01999,Écoute,01,84,01000,5\n".encode("latin-1")
    )
    with pytest.raises(ImportFileError, match="n’est pas encodé en UTF-8"):
        import_vintage(files)


def test_the_command_reports_a_bad_file_and_writes_nothing(tmp_path):
    before = table_counts()
    files = write_files(tmp_path, COMMUNES_HEADER + "01999,Nulle-Part,01,84,01000,beaucoup\n")
    with pytest.raises(CommandError) as error:
        call_command("import_communes", "--communes", str(files.communes), verbosity=0)
    assert str(error.value) == (
        f"Import annulé, rien n’a été écrit. {files.communes}, ligne 2 : "
        "population invalide : « beaucoup »."
    )
    assert table_counts() == before


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(CommandError, match="fichier illisible"):
        call_command("import_communes", "--communes", str(tmp_path / "absent.csv"), verbosity=0)
