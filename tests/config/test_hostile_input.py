"""Hostile input everywhere: no URL and no form answers with a server error.

Hypothesis generates the values: long and odd Unicode, control characters, HTML and SQL
fragments, wrong ids and wrong query parameters. Every URL pattern of the site (but the
Django admin's) is visited with values its regex accepts, and every form is posted,
anonymously and as a signed-in candidate; every field of « Ma candidature » and of the
correction request gets control characters inside otherwise valid input; the moderation
queue is visited by a moderator with hostile filters and hostile bulk-action ids.
"""

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candidates.models import Candidate
from candidates.validators import has_control_characters
from tests.candidates.test_views import profile_data
from tests.factories import approve, make_candidate, make_moderator, make_pledge

pytestmark = pytest.mark.django_db

FRAGMENTS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "'; DROP TABLE communes_commune; --",
    "%00",
    "\x00",
    "../../etc/passwd",
    "{{ 7*7 }}",
    "${jndi:ldap://x}",
    "\u202e\u200b\ufeff",
    "🏳️‍🌈" * 20,
    "A" * 5000,
    "é" * 700,
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "true",
    "[]",
    "{}",
    "CRC-0000-0000",
    "2A004",
    "75056",
]

hostile_text = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(min_size=0, max_size=300),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),  # control characters
    st.text(alphabet=st.characters(min_codepoint=0x10000), max_size=30),  # astral planes
)
query_names = st.sampled_from(
    ["q", "limit", "tri", "page", "reference", "region", "departement", "o", "next", "format",
     "_changelist_filters", "commune", "x" * 300]
)  # fmt: skip
hostile_query = st.dictionaries(query_names, hostile_text, max_size=4)

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


def public_patterns():
    """(regex, name) of every URL pattern outside the admin."""

    def walk(patterns, prefix):
        for pattern in patterns:
            regex = prefix + pattern.pattern.regex.pattern.lstrip("^")
            if isinstance(pattern, URLResolver):
                if pattern.pattern.describe().startswith("'admin/'"):
                    continue
                yield from walk(pattern.url_patterns, regex.rstrip("$").replace("\\Z", ""))
            elif isinstance(pattern, URLPattern):
                yield "^" + regex, pattern.name or pattern.lookup_str

    return list(walk(get_resolver().url_patterns, ""))


PATTERNS = public_patterns()


def test_the_site_has_many_public_patterns():
    names = {name for _, name in PATTERNS}
    assert {"home", "commune", "signatory", "verify", "sign", "account_login"} <= names
    assert not any("admin" in regex for regex, _ in PATTERNS)


def path_for(regex: str):
    """Paths that the pattern accepts, with hostile values where it accepts anything."""
    cleaned = regex.replace("\\Z", "$").replace("(?s)", "")
    if not cleaned.endswith("$"):
        cleaned += "$"
    return st.from_regex(re.compile(cleaned), fullmatch=True).map(lambda path: "/" + path)


@pytest.fixture
def data(db):
    """A public signatory (so that ids and references exist to be mangled)."""
    return approve(make_pledge(make_candidate(phone="06 99 88 77 66")))


@pytest.mark.parametrize(("regex", "name"), PATTERNS, ids=[name for _, name in PATTERNS])
def test_no_url_pattern_answers_with_a_server_error(client, data, regex, name):
    @SETTINGS
    @given(path=path_for(regex), query=hostile_query)
    def visit(path, query):
        try:
            response = client.get(path, query)
        except UnicodeEncodeError:
            return  # the test client can't even send it: no server would receive it
        assert response.status_code < 500, (path, query, response.status_code)

    visit()


CANDIDATE_PAGES = [
    "/mon-espace/",
    "/ma-candidature/",
    "/signer/",
    "/mon-espace/demander-une-correction/",
    "/mon-espace/supprimer-mon-compte/",
    "/mon-espace/retirer-ma-signature/",
    "/mon-espace/mes-donnees.json",
    "/mon-espace/attestation.pdf",
]


@pytest.mark.parametrize("url", CANDIDATE_PAGES)
def test_a_signed_in_candidate_reaches_their_pages_with_hostile_queries(client, data, url):
    client.force_login(data.candidate.user)

    @SETTINGS
    @given(query=hostile_query)
    def visit(query):
        try:
            response = client.get(url, query)
        except UnicodeEncodeError:
            return
        assert response.status_code < 500, (url, query, response.status_code)

    visit()


FORMS = {
    "/compte/inscription/": ["email", "password1", "password2"],
    "/compte/connexion/": ["login", "password", "remember"],
    "/compte/mot-de-passe/oubli/": ["email"],
    "/verifier/": ["reference"],
    "/recherche/": ["q"],
    "/communes/": ["q"],
    "/api/communes/": ["q", "limit"],
}
CANDIDATE_FORMS = {
    "/ma-candidature/": [
        "first_name", "last_name", "commune_query", "commune", "role", "list_name",
        "political_label", "website", "statement", "phone",
    ],
    "/signer/": ["commitments", "consent_candidacy", "consent_publication"],
    "/mon-espace/demander-une-correction/": ["message"],
    "/mon-espace/supprimer-mon-compte/": ["password"],
    "/mon-espace/retirer-ma-signature/": [],
}  # fmt: skip


def form_data(fields):
    return st.fixed_dictionaries(
        {field: st.one_of(hostile_text, st.lists(hostile_text, max_size=3)) for field in fields}
    )


@pytest.mark.parametrize("url", list(FORMS))
def test_anonymous_forms_never_fail_on_hostile_input(client, data, url):
    @SETTINGS
    @given(values=form_data(FORMS[url]))
    def submit(values):
        for method in (client.post, client.get):
            try:
                response = method(url, values)
            except UnicodeEncodeError:
                continue
            assert response.status_code < 500, (url, values, response.status_code)

    submit()


@pytest.mark.parametrize("url", list(CANDIDATE_FORMS))
def test_a_candidates_forms_never_fail_on_hostile_input(client, url):
    candidate = make_candidate(phone="06 11 11 11 11")
    make_pledge(candidate)
    client.force_login(candidate.user)

    @SETTINGS
    @given(values=form_data(CANDIDATE_FORMS[url]))
    def submit(values):
        try:
            response = client.post(url, values)
        except UnicodeEncodeError:
            return
        assert response.status_code < 500, (url, values, response.status_code)

    submit()


@pytest.mark.parametrize(
    "path",
    [
        "/mon-espace/engagements/999999/ajouter/",
        "/mon-espace/engagements/0/retirer/",
        "/mon-espace/engagements/99999999999999999999/ajouter/",
        "/signataires/99999999999999999999/",
        "/signataires/0/attestation.pdf",
        "/propositions/99999999999999999999/",
    ],
)
def test_wrong_ids_are_404_not_500(client, data, path):
    client.force_login(data.candidate.user)
    assert client.post(path).status_code in (404, 405)
    assert client.get(path).status_code in (404, 405)


# ---------------------------------------------------------------- control characters

control_characters = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0x1F),
        st.characters(min_codepoint=0x7F, max_codepoint=0x9F),
        st.sampled_from(["\u2028", "\u2029"]),
    ),
    min_size=1,
    max_size=3,
)
# Control characters inside a value that would otherwise be accepted, where the stripping
# of leading and trailing whitespace cannot remove them.
laced = st.tuples(st.integers(min_value=1, max_value=5), control_characters)
PROFILE_FIELDS = list(profile_data())
SINGLE_LINE = ["first_name", "last_name", "list_name", "political_label", "website", "phone"]


def lace(value: str, cut: int, controls: str) -> str:
    return value[:cut] + controls + value[cut:]


@pytest.mark.parametrize("field", PROFILE_FIELDS)
def test_every_profile_field_with_control_characters_is_a_message_not_a_500(client, field):
    candidate = make_candidate()
    client.force_login(candidate.user)

    @SETTINGS
    @given(cut_and_controls=laced)
    def submit(cut_and_controls):
        data = profile_data(**{field: lace(profile_data()[field], *cut_and_controls)})
        response = client.post("/ma-candidature/", data)
        assert response.status_code < 500, (field, data, response.status_code)
        stored = Candidate.objects.get(pk=candidate.pk)
        for name in SINGLE_LINE:
            assert not has_control_characters(getattr(stored, name)), (name, stored)
        assert not has_control_characters(stored.statement, multiline=True)

    submit()


def test_a_correction_request_with_control_characters_is_a_message_not_a_500(
    client, settings, mailoutbox
):
    settings.STAFF_NOTIFICATION_EMAILS = ["equipe@coorace.test"]
    candidate = make_candidate()
    approve(make_pledge(candidate))
    client.force_login(candidate.user)
    url = reverse("candidates:correction")

    @SETTINGS
    @given(cut_and_controls=laced)
    def submit(cut_and_controls):
        message = lace("Mon nom s’écrit Martin.", *cut_and_controls)
        response = client.post(url, {"message": message})
        assert response.status_code < 500, (message, response.status_code)

    submit()
    for request in candidate.correction_requests.all():
        assert not has_control_characters(request.message, multiline=True)


# ---------------------------------------------------------------- the moderation queue

CHANGELIST = "/admin/pledges/signature/"
admin_query_names = st.sampled_from(
    ["q", "o", "p", "e", "status__exact", "region", "departement", "candidate__role__exact",
     "attente", "doublon", "all", "_changelist_filters", "\x00"]
)  # fmt: skip
admin_values = st.one_of(hostile_text, st.sampled_from(["84", "42", "pending", "oui", "1"]))
hostile_ids = st.lists(
    st.one_of(
        hostile_text,
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(["abc", str(2**66), "\x00", "1.5", ""]),
    ),
    min_size=1,
    max_size=3,
)


@pytest.fixture
def moderator(client, data):
    client.force_login(make_moderator())
    return client


def test_the_moderation_queue_never_fails_on_hostile_parameters(moderator):
    @SETTINGS
    @given(query=st.dictionaries(admin_query_names, admin_values, max_size=4))
    def visit(query):
        for url in (CHANGELIST, CHANGELIST + "export/"):
            try:
                response = moderator.get(url, query)
            except UnicodeEncodeError:
                return
            assert response.status_code < 500, (url, query, response.status_code)

    visit()


@pytest.mark.parametrize("action", ["approve_selected", "reject_selected"])
def test_bulk_actions_never_fail_on_hostile_ids(moderator, data, action):
    @SETTINGS
    @given(ids=hostile_ids, index=st.one_of(hostile_text, st.just("0")))
    def submit(ids, index):
        values = {"action": action, ACTION_CHECKBOX_NAME: [str(data.pk), *ids], "index": index}
        try:
            response = moderator.post(CHANGELIST, values)
        except UnicodeEncodeError:
            return
        assert response.status_code < 500, (values, response.status_code)

    submit()
