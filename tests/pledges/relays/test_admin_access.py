"""A relay account in the admin: every admin URL (Django's own list of them, with their
actions, custom views, exports and the dashboard) sends it to the admin's login or refuses
it — never a page of data — and its own relay's objects as much as any other."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, URLPattern, URLResolver, reverse

from pledges.relays.links import link_for
from tests.factories import approve, make_candidate, make_pledge
from tests.pledges.relays.conftest import make_relay, official_list_in, relay_account

pytestmark = pytest.mark.django_db

# The admin's own pages anyone reaches: the login form and the logout (POST only).
OPEN = {"admin:login", "admin:logout"}
SAMPLE_VALUES = ["1", "pledges", "candidates", "communes", "x"]


def admin_url_names() -> list[str]:
    """« admin:<name> » of every named admin URL pattern (admin.site.get_urls())."""

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern

    return sorted({f"admin:{p.name}": p for p in walk(admin.site.get_urls())}.items())


def concrete(name: str, pattern: URLPattern, ids: dict[str, str]) -> str:
    """A path of this pattern, with the ids of real objects where it takes one."""
    groups = list(pattern.pattern.regex.groupindex)
    if not groups:
        return reverse(name)
    for value in [ids.get(name, "1"), *SAMPLE_VALUES]:
        kwargs = dict.fromkeys(groups, value)
        for group in groups:
            if group == "app_label":
                kwargs[group] = "pledges"
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise AssertionError(f"no path for {name}")


PATTERNS = admin_url_names()


def test_there_are_many_admin_urls_including_the_relays():
    names = [name for name, _ in PATTERNS]
    assert len(names) > 100
    assert {
        "admin:pledges_relay_changelist",
        "admin:pledges_relay_change",
        "admin:pledges_relaylink_changelist",
        "admin:pledges_signature_dashboard",
        "admin:pledges_signature_change",
        "admin:candidates_officiallist_letter",
        "admin:index",
    } <= set(names)


@pytest.fixture
def relay_with_data(client):
    relay = make_relay(departements=["42"])
    official_list = official_list_in("42218", name="Saint-Étienne demain")
    link_for(relay, official_list)
    signature = approve(make_pledge(make_candidate()))
    account = relay_account(relay)
    client.force_login(account)
    return relay, official_list, signature


def test_a_relay_account_reaches_no_admin_url(client, relay_with_data):
    relay, official_list, signature = relay_with_data
    ids = {
        "admin:pledges_relay_change": str(relay.pk),
        "admin:pledges_relay_history": str(relay.pk),
        "admin:pledges_relay_delete": str(relay.pk),
        "admin:candidates_officiallist_change": str(official_list.pk),
        "admin:candidates_officiallist_letter": str(official_list.pk),
        "admin:pledges_signature_change": str(signature.pk),
    }
    login = reverse("admin:login")
    checked = 0
    for name, pattern in PATTERNS:
        if name in OPEN:
            continue
        path = concrete(name, pattern, ids)
        for method in (client.get, client.post):
            response = method(path)
            status = response.status_code
            if status == 302:
                assert response["Location"].startswith(f"{login}?next="), (name, path)
            else:
                assert status in (403, 404, 405), (name, path, status)
            checked += 1
    assert checked > 200


def test_the_admin_login_page_is_only_the_login_form(client, relay_with_data):
    response = client.get(reverse("admin:login"))
    content = response.content.decode()
    assert 'id="login-form"' in content
    assert "Saint-Étienne demain" not in content and "Coorace Loire" not in content


def test_a_regional_moderator_sees_only_the_relays_of_their_regions(client):
    from pledges.models import ModeratorScope
    from tests.factories import make_moderator

    loire = make_relay(name="Coorace Loire", departements=["42"])
    paris = make_relay(name="Relais parisien", communes=["75056"])
    national = make_relay(name="Fédération Île-de-France", regions=["11"])
    moderator = make_moderator()
    ModeratorScope.objects.create(user=moderator).regions.set(["11"])
    client.force_login(moderator)
    response = client.get(reverse("admin:pledges_relay_changelist"))
    shown = {relay.name for relay in response.context["cl"].result_list}
    assert shown == {paris.name, national.name}
    response = client.get(reverse("admin:pledges_relay_change", args=[loire.pk]))
    assert response.status_code == 404
    assert "Coorace Loire" not in response.content.decode()
