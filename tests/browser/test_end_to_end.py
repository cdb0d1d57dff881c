"""The whole story in one browser run: a candidate signs, a moderator approves, a voter
finds the commune, opens the candidate, downloads the certificate and checks it."""

import re
import shutil
import subprocess

import pytest

from tests.browser.conftest import RESULTS
from tests.browser.journeys import consent_and_submit, fill_profile, sign_up_and_verify
from tests.factories import PASSWORD, make_moderator

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_approve_find_download_verify(browser, page, mailoutbox, tmp_path):
    # 1. A candidate signs.
    sign_up_and_verify(page, mailoutbox, "alix.martin@exemple.test")
    fill_profile(
        page,
        first_name="Alix",
        last_name="Martin",
        commune_typed="saint etien",
        commune_option="^Saint-Étienne Loire",
        commune_chosen="Saint-Étienne (42)",
        list_name="Saint-Étienne en commun",
    )
    page.get_by_role("button", name="Tout cocher (proposition #8)").click()
    page.get_by_label(re.compile("^9\\.3 Je m’engage à désigner")).check()
    consent_and_submit(page)
    page.get_by_role("link", name="Se déconnecter").click()
    page.get_by_role("button", name=re.compile("Se déconnecter|Déconnexion")).click()

    # 2. A moderator approves it.
    make_moderator("nadia", first_name="Nadia", last_name="Benali")
    page.goto(page.base_url + "/admin/")
    page.get_by_label("Nom d’utilisateur").fill("nadia")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.goto(page.base_url + "/admin/pledges/signature/?status__exact=pending")
    page.get_by_role("link", name="Alix Martin").click()
    page.get_by_role("button", name="Valider", exact=True).click()
    page.get_by_text(
        "Signature validée : la personne candidate est prévenue par courriel."
    ).wait_for()
    assert any(m.subject == "Votre signature est validée et publiée" for m in mailoutbox)

    # 3. A voter, in a fresh browser without any session, finds the commune.
    voter = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    voter.set_default_timeout(10_000)
    visit = voter.new_page()
    visit.goto(page.base_url + "/")
    visit.get_by_label("Commune, candidat·e ou liste").fill("saint etienne")
    visit.get_by_role("button", name="Rechercher").first.click()
    visit.get_by_role("region", name="Communes").get_by_role(
        "link", name="Saint-Étienne", exact=True
    ).click()
    grid = visit.get_by_role("table", name=re.compile("^Les engagements signés à Saint-Étienne"))
    # The row is the list's; its page names the head who signed for it.
    grid.get_by_role("link", name="Saint-Étienne en commun").click()
    visit.get_by_role("heading", name="Saint-Étienne en commun", level=1).wait_for()
    visit.get_by_role("link", name="Alix Martin").first.click()
    visit.get_by_role("heading", name="Alix Martin", level=1).wait_for()
    assert visit.get_by_text("4 engagements signés").is_visible()

    # 4. … downloads the certificate and checks it on the verification page.
    with visit.expect_download() as download_info:
        visit.get_by_role("link", name="Télécharger l’attestation (PDF)").click()
    download = download_info.value
    assert re.fullmatch(
        r"attestation-coorace-saint-etienne-en-commun-CRC-\w{4}-\w{4}\.pdf",
        download.suggested_filename,
    )
    pdf_path = tmp_path / download.suggested_filename
    download.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        pytest.skip("reading the certificate back needs pdftotext (apt-get install poppler-utils)")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"], capture_output=True, text=True
    ).stdout
    assert "Je m’engage à désigner un-e élu-e en charge de l’ESS." in " ".join(text.split())
    url = re.search(r"https?://\S+/verifier/CRC-\w{4}-\w{4}/", text).group(0)
    path = url.split("/verifier/", 1)[1]
    visit.goto(page.base_url + "/verifier/" + path)
    visit.get_by_text("Attestation valide et à jour").wait_for()
    assert visit.get_by_text("4 engagements sur 20").is_visible()
    visit.screenshot(path=str(RESULTS / "end-to-end-verification.png"), full_page=True)
    voter.close()
