"""Certificates: issued and re-issued, rendered as real PDF bytes, verified, downloaded."""

import re
import shutil
import subprocess
import unicodedata

import pytest
from django.urls import reverse

from candidates.models import Candidate
from communes.models import Commune, Secteur
from pledges.certificates import pdf as pdf_module
from pledges.certificates.pdf import SafeFetcher, render_pdf
from pledges.certificates.services import (
    certificate_pdf,
    fingerprint_of,
    normalize_reference,
    verify,
)
from pledges.models import AuditEntry, Certificate, Signature
from pledges.moderation.services import (
    edit_candidate_identity,
    reissue_certificate,
    unpublish_pledge,
)
from pledges.signing.services import add_commitment, withdraw_commitment, withdraw_pledge
from tests.factories import (
    approve,
    commitments,
    make_candidate,
    make_commune,
    make_moderator,
    make_pledge,
    make_user,
)

pytestmark = pytest.mark.django_db

ALL_CODES = ("1.1", "1.2", "2.1", "2.2", "2.3", "3.1", "3.2", "4.1", "5.1", "6.1",
             "7.1", "7.2", "8.1", "8.2", "8.3", "9.1", "9.2", "9.3", "10.1", "10.2")  # fmt: skip


def approved(codes=("1.1", "4.1", "9.3"), **candidate_fields):
    candidate_fields.setdefault("first_name", "Léa")
    candidate_fields.setdefault("last_name", "Dupré-Lefèvre")
    return approve(make_pledge(make_candidate(**candidate_fields), codes=codes))


def current(pledge) -> Certificate:
    return pledge.certificates.current().get()


def require_poppler():
    if shutil.which("pdftotext") is None:
        pytest.skip("reading PDFs back needs poppler's pdftotext (apt-get install poppler-utils)")


def pdf_text(data: bytes, tmp_path) -> str:
    require_poppler()
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    # Undo the font's typographic ligatures (ﬁ, ﬂ…) but keep « … » and ’ as they are.
    text = "".join(
        unicodedata.normalize("NFKC", char) if "\ufb00" <= char <= "\ufb06" else char
        for char in text
    )
    text = " ".join(text.split())
    # A line may break after a real hyphen (« éco-|responsables »): WeasyPrint does not
    # hyphenate words itself, so rejoin them.
    return re.sub(r"(\w)- (\w)", r"\1-\2", text)


def pdf_info(data: bytes, tmp_path) -> dict:
    require_poppler()
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    output = subprocess.run(
        ["pdfinfo", "-enc", "UTF-8", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return dict(line.split(":", 1) for line in output.splitlines() if ":" in line)


# ---------------------------------------------------------------- issue and re-issue


def test_approval_issues_version_one_with_a_reference_and_a_fingerprint():
    pledge = approved()
    certificate = current(pledge)
    assert certificate.version == 1
    assert re.fullmatch(r"CRC-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", certificate.reference)
    assert certificate.fingerprint == fingerprint_of(
        reference=certificate.reference,
        version=1,
        issued_at=certificate.issued_at,
        content=certificate.content,
    )
    assert [c["code"] for c in certificate.content["engagements"]] == ["1.1", "4.1", "9.3"]
    assert certificate.content["nombre_engagements"] == 20


def test_a_pending_pledge_has_no_certificate():
    assert not make_pledge().certificates.exists()


def test_references_are_unique_and_not_sequential():
    references = {current(approved()).reference for _ in range(20)}
    assert len(references) == 20


@pytest.mark.parametrize("change", ["add", "withdraw", "name", "list", "commune"])
def test_each_change_of_what_is_certified_issues_a_new_version(change):
    pledge = approved(codes=("1.1", "2.1"))
    first = current(pledge)
    moderator = make_moderator("corrector")
    if change == "add":
        add_commitment(pledge=pledge, commitment=commitments("5.1")[0])
    elif change == "withdraw":
        withdraw_commitment(pledge=pledge, commitment=commitments("1.1")[0])
    else:
        value = {
            "name": ("last_name", "Dupont"),
            "list": ("list_name", "Nouvelle liste"),
            "commune": ("commune", Commune.objects.get(insee_code="69123")),
        }[change]
        edit_candidate_identity(
            candidate=pledge.candidate, moderator=moderator, changes=dict([value])
        )
    second = current(pledge)
    first.refresh_from_db()
    assert second.version == 2 and second.reference != first.reference
    assert first.superseded_at is not None
    assert second.fingerprint != first.fingerprint


def test_an_edit_that_the_certificate_does_not_show_issues_nothing():
    pledge = approved()
    pledge.candidate.statement = "Une nouvelle déclaration."
    pledge.candidate.save()
    edit_candidate_identity(
        candidate=pledge.candidate,
        moderator=make_moderator(),
        changes={"last_name": "Dupré-Lefèvre"},
    )
    assert pledge.certificates.count() == 1


def test_staff_can_reissue_and_it_is_audited():
    pledge = approved()
    moderator = make_moderator()
    certificate = reissue_certificate(pledge=pledge, moderator=moderator)
    assert certificate.version == 2
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CERTIFICATE_REISSUED)
    assert entry.note == certificate.reference


# ---------------------------------------------------------------- the PDF


def test_the_pdf_carries_the_exact_texts_and_the_proofs(tmp_path):
    pledge = approved(
        codes=("1.1", "4.1", "9.3"),
        list_name="Saint-Étienne solidaire",
        commune=Commune.objects.get(insee_code="42218"),
    )
    certificate = certificate_pdf(current(pledge))
    data = certificate.pdf.read()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    for commitment in commitments("1.1", "4.1", "9.3"):
        assert commitment.text in text
    assert "Attestation d’engagement" in text
    assert "S’engager pour les territoires inclusifs de demain !" in text
    # A head signs for their list: « La liste X, conduite par Y, à Z ».
    assert "Coorace atteste que la liste « Saint-Étienne solidaire »" in text
    assert "conduite par Léa Dupré-Lefèvre, à Saint-Étienne" in text
    assert "2020, Loire (42), code INSEE 42218," in text
    assert "par sa tête de liste, les engagements suivants" in text
    assert "3 engagements sur 20" in text
    assert "#4. Développement Durable et Économie Circulaire" in text
    assert certificate.reference in text
    assert certificate.fingerprint in text.replace(" ", "")
    assert f"/verifier/{certificate.reference}/" in text
    info = pdf_info(data, tmp_path)
    assert info["Title"].strip() == (
        f"Attestation d’engagement {certificate.reference} — liste "
        f"«\u202fSaint-Étienne solidaire\u202f»"
    )
    assert info["Author"].strip() == "Coorace"
    assert info["Pages"].strip() == "1"


def test_a_list_in_a_secteur_is_certified_with_its_secteur(tmp_path):
    secteur = Secteur.objects.get(commune__insee_code="13055", number=1)
    pledge = approved(
        list_name="Marseille en commun", commune=secteur.commune, secteur=secteur, codes=("2.1",)
    )
    certificate = current(pledge)
    assert certificate.content["liste"] == {
        "nom": "Marseille en commun",
        "tete": {"prenom": "Léa", "nom": "Dupré-Lefèvre"},
        "secteur": secteur.name,
        "lieu": f"Marseille, {secteur.name}",
    }
    text = pdf_text(certificate_pdf(certificate).pdf.read(), tmp_path)
    assert f"conduite par Léa Dupré-Lefèvre, à Marseille, {secteur.name}" in text
    assert "1 engagement sur 20" in text


def test_an_individual_candidate_is_certified_in_their_own_name(tmp_path):
    pledge = approved(
        role=Candidate.Role.INDIVIDUAL, list_name="", commune=make_commune(name="Lucciana")
    )
    certificate = current(pledge)
    assert "liste" not in certificate.content
    text = pdf_text(certificate_pdf(certificate).pdf.read(), tmp_path)
    assert "Coorace atteste que Léa Dupré-Lefèvre" in text
    assert "Candidat·e à titre individuel" in text
    assert "moins de 1 000 habitants" not in text  # the form's hint, not the role
    assert "candidat·e aux élections municipales de 2020 à Lucciana" in text
    assert "conduite par" not in text


def test_ten_commitments_fit_one_page_and_twenty_two(tmp_path):
    ten = certificate_pdf(current(approved(codes=ALL_CODES[:10]))).pdf.read()
    twenty = certificate_pdf(current(approved(codes=ALL_CODES))).pdf.read()
    assert pdf_info(ten, tmp_path)["Pages"].strip() == "1"
    assert pdf_info(twenty, tmp_path)["Pages"].strip() == "2"
    assert "20 engagements sur 20" in pdf_text(twenty, tmp_path)


def test_the_shipped_fonts_are_embedded(tmp_path):
    require_poppler()
    data = certificate_pdf(current(approved())).pdf.read()
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "Lato" in fonts
    assert all(" yes " in line for line in fonts.splitlines()[2:])


@pytest.mark.parametrize("role", [Candidate.Role.HEAD_OF_LIST, Candidate.Role.INDIVIDUAL])
def test_what_a_candidate_wrote_is_printed_as_text_never_run(tmp_path, role):
    hostile = '<img src="http://evil.example/x.png"></style><script>x()</script>'
    pledge = approved(list_name=hostile, role=role)
    certificate = current(pledge)
    html = pdf_module.render_certificate_html(certificate)
    assert "&lt;img src=&quot;http://evil.example/x.png&quot;&gt;&lt;/style&gt;" in html
    fetcher = SafeFetcher()
    data = render_pdf(html, fetcher=fetcher)
    assert fetcher.refused == []  # nothing tried to load the candidate's URL
    # The list's name is printed large, and may wrap where it has a space.
    assert hostile.replace(" ", "") in pdf_text(data, tmp_path).replace(" ", "")


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/logo.png",
        "https://example.org/font.ttf",
        "ftp://example.org/x",
        "file:///etc/passwd",
        "file:///work/main/config/settings.py",
        "data:image/png;base64,AAAA",
    ],
)
def test_the_fetcher_refuses_the_network_and_files_outside_static(url):
    fetcher = SafeFetcher()
    with pytest.raises(ValueError, match="certificates load only shipped files"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_refuses_a_path_that_climbs_out_of_the_fonts_folder():
    fetcher = SafeFetcher()
    escape = (pdf_module.STATIC_DIR / "fonts").as_uri() + "/../../config/settings.py"
    with pytest.raises(ValueError):
        fetcher.fetch(escape)


def test_the_fetcher_serves_the_shipped_fonts():
    url = (pdf_module.STATIC_DIR / "fonts" / "Lato-Regular.ttf").as_uri()
    response = SafeFetcher().fetch(url)
    assert response is not None


def test_a_document_asking_for_remote_resources_renders_without_them(tmp_path):
    fetcher = SafeFetcher()
    html = (
        '<html><head><link rel="stylesheet" href="https://cdn.example/x.css"></head>'
        '<body><img src="http://tracker.example/p.gif"><p>Bonjour</p></body></html>'
    )
    data = render_pdf(html, fetcher=fetcher)
    assert "Bonjour" in pdf_text(data, tmp_path)
    assert set(fetcher.refused) == {"https://cdn.example/x.css", "http://tracker.example/p.gif"}


# ---------------------------------------------------------------- verification


def page(response):
    return response.content.decode()


def test_a_current_certificate_is_valid(client):
    certificate = current(approved())
    response = client.get(certificate.get_absolute_url())
    assert response.status_code == 200
    content = page(response)
    assert "Attestation valide et à jour" in content
    assert "Je m’engage à désigner un-e élu-e en charge de l’ESS." in content
    assert certificate.fingerprint in content


def test_a_superseded_certificate_links_to_the_current_one(client):
    pledge = approved(codes=("1.1", "2.1"))
    old = current(pledge)
    add_commitment(pledge=pledge, commitment=commitments("3.1")[0])
    new = current(pledge)
    content = page(client.get(old.get_absolute_url()))
    assert "Attestation remplacée par une version plus récente" in content
    assert f'href="/verifier/{new.reference}/"' in content
    assert "version 2" in content


def test_a_withdrawn_signature_invalidates_its_certificate(client):
    pledge = approved()
    certificate = current(pledge)
    withdraw_pledge(pledge=pledge)
    pledge.refresh_from_db()
    content = page(client.get(certificate.get_absolute_url()))
    assert "Cette attestation n’est plus valide" in content
    assert "La personne signataire a retiré sa signature le" in content
    assert verify(certificate.reference).state == "revoked"


def test_an_unpublished_signature_invalidates_its_certificate(client):
    pledge = approved()
    certificate = current(pledge)
    unpublish_pledge(pledge=pledge, moderator=make_moderator(), reason="Liste retirée.")
    content = page(client.get(certificate.get_absolute_url()))
    assert "Cette attestation n’est plus valide" in content
    assert "Coorace a dépublié cette signature le" in content


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/verifier/CRC-0000-0000/",
            "Aucune attestation publiée ne porte la référence CRC-0000-0000",
        ),
        ("/verifier/n'importe-quoi/", "n’est pas une référence d’attestation"),
        ("/verifier/%3Cscript%3E/", "n’est pas une référence d’attestation"),
        ("/verifier/?reference=ABC", "n’est pas une référence d’attestation"),
    ],
)
def test_an_unknown_or_malformed_reference_is_a_clear_404(client, path, message):
    response = client.get(path)
    assert response.status_code == 404
    assert message in page(response)
    assert "<script>" not in page(response)


def test_a_reference_typed_loosely_is_found(client):
    certificate = current(approved())
    loose = certificate.reference.lower().replace("-", " ")
    response = client.get(reverse("pledges:verify_form"), {"reference": loose})
    assert response["Location"] == certificate.get_absolute_url()
    assert normalize_reference("crc 7k3m q9td") == "CRC-7K3M-Q9TD"
    assert normalize_reference("CRC-7K3M-Q9TO") == "CRC-7K3M-Q9T0"  # O read as zero
    assert normalize_reference("CRC-7K3M") is None


def test_verification_is_rate_limited(client):
    for _ in range(30):
        assert client.get("/verifier/CRC-0000-0000/").status_code == 404
    response = client.get("/verifier/CRC-0000-0000/")
    assert response.status_code == 429
    assert "Trop de vérifications d’un coup" in page(response)


def test_a_certificate_of_a_pending_pledge_does_not_exist_publicly(client):
    pledge = make_pledge()
    response = client.get(reverse("pledges:certificate_download", kwargs={"pk": pledge.pk}))
    assert response.status_code == 404


# ---------------------------------------------------------------- downloads


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"list_name": "Saint-Étienne d’abord"}, "saint-etienne-dabord"),
        ({"role": Candidate.Role.INDIVIDUAL, "list_name": ""}, "lea-dupre-lefevre"),
    ],
    ids=["list", "individual"],
)
def test_the_public_download_serves_the_current_pdf_with_a_readable_name(client, fields, name):
    pledge = approved(first_name="Léa", last_name="Dupré-Lefèvre", **fields)
    response = client.get(reverse("pledges:certificate_download", kwargs={"pk": pledge.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reference = current(pledge).reference
    assert response["Content-Disposition"] == (
        f'attachment; filename="attestation-coorace-{name}-{reference}.pdf"'
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_pdf_is_rendered_once_per_version_then_served_from_storage(client, monkeypatch):
    pledge = approved()
    url = reverse("pledges:certificate_download", kwargs={"pk": pledge.pk})
    first = b"".join(client.get(url).streaming_content)
    monkeypatch.setattr(
        pdf_module, "render_certificate_pdf", lambda c: pytest.fail("rendered twice")
    )
    second = b"".join(client.get(url).streaming_content)
    assert first == second
    assert current(pledge).pdf.name.startswith("attestations/")


def test_a_candidate_downloads_their_certificate_from_mon_espace(client):
    pledge = approved()
    client.force_login(pledge.candidate.user)
    assert "Télécharger mon attestation (PDF)" in page(client.get(reverse("pledges:space")))
    response = client.get(reverse("pledges:my_certificate"))
    assert response.status_code == 200
    other = make_user()
    client.force_login(other)
    assert client.get(reverse("pledges:my_certificate")).status_code == 404


def test_withdrawn_or_unpublished_pledges_offer_no_download(client):
    pledge = approved()
    withdraw_pledge(pledge=pledge)
    assert (
        client.get(reverse("pledges:certificate_download", kwargs={"pk": pledge.pk})).status_code
        == 404
    )


def test_the_approval_email_links_to_the_certificate(mailoutbox):
    pledge = make_pledge()
    mailoutbox.clear()
    approve(pledge)
    assert f"/signataires/{pledge.pk}/attestation.pdf" in mailoutbox[0].body


def test_staff_see_every_version_and_can_reissue_in_the_admin(client):
    pledge = approved(codes=("1.1", "2.1"))
    add_commitment(pledge=pledge, commitment=commitments("3.1")[0])
    moderator = make_moderator()
    client.force_login(moderator)
    url = reverse("admin:pledges_signature_change", args=[pledge.pk])
    content = page(client.get(url))
    for certificate in pledge.certificates.all():
        assert certificate.reference in content
    response = client.post(
        reverse("admin:pledges_signature_decide", args=[pledge.pk, "reemettre"]), follow=True
    )
    assert "Attestation réémise" in page(response)
    assert pledge.certificates.count() == 3
    assert Signature.objects.get(pk=pledge.pk).status == Signature.Status.APPROVED
