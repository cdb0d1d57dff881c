"""Seeded demo candidates have e-mails and phones: no public response or export shows one."""

import re
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.core.management import call_command

from candidates.models import Candidate
from pledges.models import Certificate
from tests.pages import PUBLIC_PAGES

pytestmark = pytest.mark.django_db


def variants(phone: str) -> set[str]:
    digits = re.sub(r"\D", "", phone)
    return {phone, digits, " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))}


def test_no_seeded_email_or_phone_appears_in_any_public_response(client):
    call_command("seed_demo", "--signatories", "80", "--seed", "11", verbosity=0)
    candidates = list(Candidate.objects.select_related("user", "commune"))
    emails = {c.user.email for c in candidates}
    phones = set().union(*(variants(c.phone) for c in candidates if c.phone))
    assert len(emails) == 80 and len(phones) > 20

    # Every page the sitemaps list (the index, then each of its sections).
    def locations(path: str) -> list[str]:
        tree = ElementTree.fromstring(client.get(path).getvalue())
        urls = [e.text for e in tree.iter() if e.tag.endswith("loc")]
        return ["/" + url.split("://", 1)[1].split("/", 1)[1] for url in urls]

    sections = locations("/sitemap.xml")
    assert len(sections) >= 6
    communes = {c.commune for c in candidates}
    paths = {
        *PUBLIC_PAGES,
        *sections,
        *(page for section in sections for page in locations(section)),
        *(f"/api/communes/{commune.insee_code}/signataires/" for commune in communes),
        *(f"/api/communes/{commune.insee_code}/listes/" for commune in communes),
        *(f"/departements/{commune.departement_id}/" for commune in communes),
        *(f"/recherche/?q={candidate.last_name}" for candidate in candidates[:20]),
        *(certificate.get_absolute_url() for certificate in Certificate.objects.all()),
    }
    assert len(paths) > 100
    for path in sorted(paths):
        if path.startswith("/verifier/"):
            cache.clear()  # the verification page allows 30 checks a minute per address
        response = client.get(path)
        assert response.status_code == 200, path
        content = response.getvalue().decode()
        for secret in emails | phones:
            assert secret not in content, (path, secret)
        assert "@demo.coorace.invalid" not in content, path
