"""Certificate rendering and download times.

Usage: .venv/bin/python benchmarks/certificate.py [--runs 15]

In one process, on a throw-away SQLite database: the median time to render our
certificate (10 and 20 commitments) against a minimal one-page WeasyPrint document, and
the median time of a download once the PDF is in storage (through Django's test client,
so the whole request path is counted, without a network).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_ms(function, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="coorace-bench-")
    os.environ.update(
        DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3",
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="1",
        DJANGO_MEDIA_ROOT=f"{folder}/media",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from candidates.models import Candidate
    from communes.models import Commune, Departement, Region
    from pledges.certificates.pdf import render_certificate_pdf, render_pdf
    from pledges.certificates.services import certificate_pdf
    from pledges.models import Certificate, Commitment
    from pledges.moderation.services import approve_pledge
    from pledges.signing.services import submit_pledge

    call_command("migrate", verbosity=0)
    call_command("load_charter", verbosity=0)
    region = Region.objects.create(code="84", name="Auvergne-Rhône-Alpes", slug="ara")
    departement = Departement.objects.create(code="42", name="Loire", slug="loire", region=region)
    commune = Commune.objects.create(
        insee_code="42218",
        name="Saint-Étienne",
        slug="saint-etienne",
        departement=departement,
        population=173821,
        search_key="saintetienne",
    )
    moderator = User.objects.create_user("moderation", is_staff=True)
    all_commitments = list(Commitment.objects.select_related("proposal"))
    certificates = {}
    for count in (10, 20):
        user = User.objects.create_user(f"c{count}", f"c{count}@exemple.test")
        candidate = Candidate.objects.create(
            user=user,
            first_name="Léa",
            last_name="Dupré-Lefèvre",
            commune=commune,
            role="head_of_list",
            list_name="Saint-Étienne solidaire",
        )
        pledge = submit_pledge(candidate=candidate, commitments=all_commitments[:count])
        approve_pledge(pledge=pledge, moderator=moderator)
        certificates[count] = Certificate.objects.get(pledge=pledge)

    minimal = "<html lang='fr'><body><p>Bonjour</p></body></html>"
    render_pdf(minimal)  # warm up fonts and caches
    render_certificate_pdf(certificates[10])
    rows = [
        (
            "Minimal one-page WeasyPrint document",
            median_ms(lambda: render_pdf(minimal), options.runs),
        ),
        (
            "Our certificate, 10 commitments (1 page)",
            median_ms(lambda: render_certificate_pdf(certificates[10]), options.runs),
        ),
        (
            "Our certificate, 20 commitments (2 pages)",
            median_ms(lambda: render_certificate_pdf(certificates[20]), options.runs),
        ),
    ]
    certificate_pdf(certificates[10])  # in storage from now on
    client = Client()
    url = f"/signataires/{certificates[10].pledge_id}/attestation.pdf"

    def download():
        response = client.get(url)
        assert response.status_code == 200
        b"".join(response.streaming_content)

    rows.append(
        ("Download of a stored certificate (whole request)", median_ms(download, options.runs * 4))
    )
    base = rows[0][1]
    print(f"Median of {options.runs} runs (downloads: {options.runs * 4}), one process.\n")
    print("| What | Median | Ratio to the minimal document |")
    print("|---|---:|---:|")
    for label, value in rows:
        print(f"| {label} | {value:.1f} ms | {value / base:.1f} |")


if __name__ == "__main__":
    main()
