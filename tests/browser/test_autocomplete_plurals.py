"""The commune autocomplete announces its count in French (0 and 1 singular), its phrases
coming from the JavaScript catalogue (/jsi18n/)."""

import re

from django.conf import settings

from tests.factories import make_user


def test_the_autocomplete_announces_one_commune_in_the_singular(page, client):
    from playwright.sync_api import expect

    client.force_login(make_user())
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": page.base_url}]
    )
    page.goto(page.base_url + "/ma-candidature/")
    # The catalogue is loaded, with the French rule, before the autocomplete runs.
    assert page.evaluate("() => [0, 1, 2].map((n) => django.pluralidx(n))") == [0, 0, 1]
    assert page.evaluate("() => '%(count)s commune proposée.' in django.catalog")
    commune = page.get_by_role("combobox", name=re.compile("Commune où vous êtes candidat"))
    status = page.locator("p.visually-hidden[role=status]")
    commune.press_sequentially("Sargé-lès", delay=30)
    page.get_by_role("option", name=re.compile("Sargé-lès-le-Mans")).wait_for()
    assert status.text_content() == "1 commune proposée."
    commune.fill("")
    commune.press_sequentially("le mans", delay=30)
    page.get_by_role("option", name=re.compile("^Le Mans")).wait_for()
    assert re.fullmatch(r"[2-8] communes proposées\.", status.text_content())
    commune.fill("")
    commune.press_sequentially("zzqq", delay=30)
    expect(status).to_have_text("Aucune commune trouvée.")
