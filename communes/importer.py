"""Load the régions, départements, communes, arrondissements and secteurs from the CSV files.

The contract: every file is read and checked before anything is written; a problem
stops the import with the file name, the line number and the reason, and writes
nothing. The write is one transaction that creates what is new, updates what changed
and leaves the rest alone, so running the same import twice changes nothing.
Communes missing from the file are kept (candidates may stand in them) and counted.
"""

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from communes.grammar import Tncc, tncc_from_name
from communes.models import Arrondissement, Commune, Departement, PostalCode, Region, Secteur
from communes.search import normalize_name

DATA_DIR = Path(__file__).resolve().parent / "data"
VINTAGES = ("2020", "latest")

# Villages destroyed in 1916, kept by INSEE with no inhabitant: a commission appointed
# by the préfet runs them, and no municipal election takes place there.
MORTS_POUR_LA_FRANCE = frozenset({"55039", "55050", "55139", "55189", "55239", "55307"})

_REGION_CODE = re.compile(r"(0[1-6]|[1-9][0-9]|97[5-8]|98[0-9])")
_DEPARTEMENT_CODE = re.compile(r"(0[1-9]|[1-8][0-9]|9[0-5]|2[AB]|97[1-8]|98[0-9])")
_INSEE_CODE = re.compile(r"(?:[0-9]{2}|2[AB])[0-9]{3}")
_POSTAL_CODE = re.compile(r"[0-9]{5}")
_BATCH = 5000
_TNCC_VALUES = frozenset(str(value) for value in Tncc.values)


class ImportFileError(Exception):
    """A file that cannot be imported: says which file, which line and why."""

    def __init__(self, path: Path, line: int | None, reason: str):
        self.path, self.line, self.reason = path, line, reason
        where = f"{path}, ligne {line}" if line else str(path)
        super().__init__(f"{where} : {reason}.")


@dataclass(frozen=True)
class VintageFiles:
    regions: Path
    departements: Path
    communes: Path
    arrondissements: Path
    # The electoral secteurs of the 2020 elections, whatever the vintage of the communes.
    secteurs: Path = DATA_DIR / "secteurs-2020.csv"
    # The article of every commune's name (INSEE's tncc), by code and name, both vintages;
    # a name it lacks (another communes file) takes the article its spelling shows.
    tncc: Path = DATA_DIR / "communes-tncc.csv"

    @classmethod
    def for_vintage(cls, vintage: str) -> "VintageFiles":
        return cls(
            regions=DATA_DIR / "regions.csv",
            departements=DATA_DIR / "departements.csv",
            communes=DATA_DIR / f"communes-{vintage}.csv",
            arrondissements=DATA_DIR / f"arrondissements-{vintage}.csv",
        )


@dataclass
class ModelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    absent: int = 0  # in the database but not in the file: kept

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


@dataclass
class ImportReport:
    counts: dict[str, ModelCounts] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(count.changed for count in self.counts.values())


# ---------------------------------------------------------------- reading and checking


def _read_rows(path: Path, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    """Yield (line number, row) with the exact expected header, or raise ImportFileError."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise ImportFileError(path, None, f"fichier illisible ({error.strerror})") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise ImportFileError(path, 1, "le fichier est vide")
            header = [name.strip().lstrip("\ufeff") for name in header]
            missing = [name for name in columns if name not in header]
            if missing:
                raise ImportFileError(path, 1, f"colonne(s) manquante(s) : {', '.join(missing)}")
            index = [header.index(name) for name in columns]
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise ImportFileError(path, line, f"{len(row)} champs au lieu de {len(header)}")
                yield line, {name: row[i].strip() for name, i in zip(columns, index, strict=True)}
        except UnicodeDecodeError:
            raise ImportFileError(path, None, "le fichier n’est pas encodé en UTF-8") from None
        except csv.Error as error:
            raise ImportFileError(path, reader.line_num, f"CSV mal formé ({error})") from None


def _check(path: Path, line: int, condition: bool, reason: str) -> None:
    if not condition:
        raise ImportFileError(path, line, reason)


def _code(path, line, row, column, pattern, label) -> str:
    value = row[column]
    _check(path, line, bool(pattern.fullmatch(value)), f"{label} invalide : « {value} »")
    return value


def _name(path, line, row) -> str:
    value = row["name"]
    _check(path, line, bool(value), "nom vide")
    _check(path, line, len(value) <= 100, f"nom trop long ({len(value)} caractères, 100 au plus)")
    return value


def _population(path, line, row) -> int | None:
    value = row["population"]
    if not value:
        return None
    _check(path, line, value.isascii() and value.isdigit(), f"population invalide : « {value} »")
    return int(value)


def _postal_codes(path, line, row) -> str:
    codes = row["postal_codes"].split()
    for code in codes:
        _check(path, line, bool(_POSTAL_CODE.fullmatch(code)), f"code postal invalide : « {code} »")
    return " ".join(codes)


def _tncc_value(path, line, row) -> int:
    value = row["tncc"]
    _check(path, line, value in _TNCC_VALUES, f"tncc invalide : « {value} » (de 0 à 8)")
    return int(value)


def _unique(path, line, seen, code: str) -> None:
    _check(path, line, code not in seen, f"code « {code} » en double")


def read_vintage(files: VintageFiles) -> dict[str, dict[str, dict]]:
    """Read and check the files; return the wanted rows keyed by code."""
    regions, departements, communes, arrondissements = {}, {}, {}, {}

    path = files.regions
    for line, row in _read_rows(path, ("code", "name")):
        code = _code(path, line, row, "code", _REGION_CODE, "code de région")
        _unique(path, line, regions.keys(), code)
        regions[code] = {"name": _name(path, line, row)}

    path = files.departements
    for line, row in _read_rows(path, ("code", "name", "region_code", "tncc")):
        code = _code(path, line, row, "code", _DEPARTEMENT_CODE, "code de département")
        _unique(path, line, departements.keys(), code)
        region = row["region_code"]
        _check(path, line, region in regions, f"région inconnue : « {region} »")
        departements[code] = {
            "name": _name(path, line, row),
            "region_id": region,
            "tncc": _tncc_value(path, line, row),
        }

    articles = {}
    path = files.tncc
    for line, row in _read_rows(path, ("insee_code", "name", "tncc")):
        articles[(row["insee_code"], row["name"])] = _tncc_value(path, line, row)

    path = files.communes
    columns = (
        "insee_code",
        "name",
        "departement_code",
        "region_code",
        "postal_codes",
        "population",
    )
    for line, row in _read_rows(path, columns):
        code = _code(path, line, row, "insee_code", _INSEE_CODE, "code INSEE")
        _unique(path, line, communes.keys(), code)
        departement = row["departement_code"]
        _check(path, line, departement in departements, f"département inconnu : « {departement} »")
        _check(
            path,
            line,
            departements[departement]["region_id"] == row["region_code"],
            f"la région « {row['region_code']} » n’est pas celle du département {departement}",
        )
        name = _name(path, line, row)
        communes[code] = {
            "name": name,
            "tncc": articles.get((code, name), tncc_from_name(name)),
            "departement_id": departement,
            "postal_codes": _postal_codes(path, line, row),
            "population": _population(path, line, row),
            "elects_council": code not in MORTS_POUR_LA_FRANCE,
        }

    path = files.arrondissements
    columns = ("insee_code", "name", "commune_insee_code", "postal_codes", "population")
    for line, row in _read_rows(path, columns):
        code = _code(path, line, row, "insee_code", _INSEE_CODE, "code INSEE")
        _unique(path, line, arrondissements.keys(), code)
        commune = row["commune_insee_code"]
        _check(path, line, commune in communes, f"commune inconnue : « {commune} »")
        arrondissements[code] = {
            "name": _name(path, line, row),
            "commune_code": commune,
            "postal_codes": _postal_codes(path, line, row),
            "population": _population(path, line, row),
        }

    secteurs = {}
    path = files.secteurs
    columns = ("commune_insee_code", "secteur", "name", "arrondissement_insee_codes")
    for line, row in _read_rows(path, columns):
        commune = row["commune_insee_code"]
        _check(path, line, commune in communes, f"commune inconnue : « {commune} »")
        number = row["secteur"]
        _check(path, line, number.isdigit(), f"numéro de secteur invalide : « {number} »")
        code = Secteur.code_for(commune, int(number))
        _unique(path, line, secteurs.keys(), code)
        covered = row["arrondissement_insee_codes"].split()
        unknown = [code for code in covered if code not in arrondissements]
        _check(path, line, bool(covered) and not unknown, "arrondissement inconnu ou absent")
        secteurs[code] = {
            "name": _name(path, line, row),
            "commune_code": commune,
            "number": int(number),
            "arrondissement_codes": " ".join(covered),
        }

    return {
        "regions": regions,
        "departements": departements,
        "communes": communes,
        "arrondissements": arrondissements,
        "secteurs": secteurs,
    }


# ---------------------------------------------------------------- writing


def _sync(model, key: str, wanted: dict[str, dict], counts: ModelCounts, progress) -> dict:
    """Create or update `model` rows so that they hold `wanted`; return code → pk."""
    fields = list(next(iter(wanted.values()), {}).keys())
    existing = {getattr(obj, key): obj for obj in model.objects.all()}
    to_create, to_update = [], []
    for code, values in wanted.items():
        obj = existing.get(code)
        if obj is None:
            to_create.append(model(**{key: code}, **values))
        elif any(getattr(obj, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(obj, name, value)
            to_update.append(obj)
    for start in range(0, len(to_create), _BATCH):
        model.objects.bulk_create(to_create[start : start + _BATCH])
        progress(model, start + len(to_create[start : start + _BATCH]), len(to_create))
    if to_update:
        # An upsert on the natural key: one statement per batch, where bulk_update's
        # CASE expressions take tens of seconds for a whole new vintage.
        model.objects.bulk_create(
            to_update,
            batch_size=_BATCH,
            update_conflicts=True,
            unique_fields=[key],
            update_fields=fields,
        )
    counts.created += len(to_create)
    counts.updated += len(to_update)
    counts.unchanged += len(wanted) - len(to_create) - len(to_update)
    counts.absent += len(existing.keys() - wanted.keys())
    return dict(model.objects.values_list(key, "pk"))


def _with_derived_fields(rows: dict[str, dict]) -> dict[str, dict]:
    return {
        code: {**values, "slug": slugify(values["name"])[:100]} for code, values in rows.items()
    }


def _sync_postal_codes(communes: dict[str, dict], pks: dict[str, int], counts: ModelCounts):
    wanted = {
        (code, pks[insee])
        for insee, values in communes.items()
        for code in values["postal_codes"].split()
    }
    commune_pks = {pks[insee] for insee in communes}
    existing = {
        (code, commune_id): pk
        for pk, code, commune_id in PostalCode.objects.values_list("pk", "code", "commune_id")
        if commune_id in commune_pks
    }
    stale = [pk for pair, pk in existing.items() if pair not in wanted]
    if stale:
        PostalCode.objects.filter(pk__in=stale).delete()
    new = sorted(wanted - existing.keys())
    PostalCode.objects.bulk_create(
        [PostalCode(code=code, commune_id=commune_id) for code, commune_id in new],
        batch_size=_BATCH,
    )
    counts.created += len(new)
    counts.updated += len(stale)
    counts.unchanged += len(wanted) - len(new)


def import_vintage(
    files: VintageFiles, *, progress: Callable[[type, int, int], None] | None = None
) -> ImportReport:
    """Check the files, then write them in one transaction. Raises ImportFileError."""
    data = read_vintage(files)
    progress = progress or (lambda model, done, total: None)
    report = ImportReport(
        counts={
            name: ModelCounts()
            for name in (
                "régions",
                "départements",
                "communes",
                "codes postaux",
                "arrondissements",
                "secteurs",
            )
        }
    )
    communes = {
        code: {**values, "search_key": normalize_name(values["name"])}
        for code, values in _with_derived_fields(data["communes"]).items()
    }
    with transaction.atomic():
        _sync(
            Region,
            "code",
            {
                code: {**values, "sort_key": normalize_name(values["name"])}
                for code, values in _with_derived_fields(data["regions"]).items()
            },
            report.counts["régions"],
            progress,
        )
        _sync(
            Departement,
            "code",
            _with_derived_fields(data["departements"]),
            report.counts["départements"],
            progress,
        )
        commune_pks = _sync(Commune, "insee_code", communes, report.counts["communes"], progress)
        _sync_postal_codes(communes, commune_pks, report.counts["codes postaux"])
        arrondissements = {
            code: {
                "name": values["name"],
                "commune_id": commune_pks[values["commune_code"]],
                "postal_codes": values["postal_codes"],
                "population": values["population"],
            }
            for code, values in data["arrondissements"].items()
        }
        _sync(
            Arrondissement,
            "insee_code",
            arrondissements,
            report.counts["arrondissements"],
            progress,
        )
        secteurs = {
            code: {
                "commune_id": commune_pks[values["commune_code"]],
                "number": values["number"],
                "name": values["name"],
                "arrondissement_codes": values["arrondissement_codes"],
            }
            for code, values in data["secteurs"].items()
        }
        _sync(Secteur, "code", secteurs, report.counts["secteurs"], progress)
    return report
