"""Every admin URL, for a moderator limited to Auvergne-Rhône-Alpes, with the same data in
Hauts-de-France (tests/pledges/moderation/regional.py): whatever is registered in
`admin.site` — including the admins other parts add later — is visited here.

For each registered model: its changelist (with each filter it offers, and with another
région's codes) lists only rows of the moderator's régions; each object's change, history
and delete pages are a 404 or 403 outside them; every custom URL of its ModelAdmin, with
another région's ids, shows nothing and, when posted to, changes nothing (no audit entry,
no e-mail, the rows as they were); every bulk action on another région's ids changes
nothing; the admin's autocomplete lists only rows of the moderator's régions. Pages shown
to the moderator never contain « Horschamp », the name every row outside carries.

The moderator holds the « Modération » group and every « view » permission, so that the
admins they could reach only through an extra grant are visited too (the jobs, the roster
imports, the accounts stay closed to a scoped account whatever it holds).
"""

import itertools
import json

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core import mail
from django.forms.models import model_to_dict
from django.urls import NoReverseMatch, reverse

from pledges.models import AuditEntry, RejectionReason
from tests.pledges.moderation.regional import (
    HIDDEN,
    INSIDE,
    MARK,
    NATIONAL,
    REGION_OF,
    VISIBLE_IF,
    build_world,
    classified,
    make_regional_moderator,
    visible,
)

pytestmark = pytest.mark.django_db

# Words only a page about the other région holds.
OUTSIDE_WORDS = (MARK, "Hauts-de-France", "Lille", "Amiens")
STANDARD = {"changelist", "add", "history", "delete", "change"}
# What a slug or str segment of a custom URL may say (decisions, for instance).
SLUGS = (
    "valider", "completer", "refuser", "depublier", "reemettre", "confirmer", "donner",
    "clore", "approuver", "publier", "rejeter", "accepter", "envoyer", "inviter",
)  # fmt: skip


def _labels():
    return sorted(model._meta.label for model in admin.site._registry)


def _admin_of(label):
    model = apps.get_model(label)
    return model, admin.site._registry[model]


def _regional(label) -> bool:
    return label in REGION_OF or label in VISIBLE_IF


def _shown(label) -> bool:
    """A changelist that shows a scoped account rows of régions, or none at all."""
    return label not in NATIONAL


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def regional(client):
    moderator = make_regional_moderator(INSIDE)
    moderator.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    client.force_login(moderator)
    client.user = moderator
    return client


def _name(model, suffix):
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{suffix}"


def _content(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _assert_nothing_outside(response, where):
    content = _content(response)
    for word in OUTSIDE_WORDS:
        assert word not in content, f"{where}: « {word} » shown to a regional moderator"


def _outside_rows(user):
    """Every row of a regional model that the moderator may not see, with its values."""
    rows = {}
    for label in [*REGION_OF, *VISIBLE_IF]:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        for obj in model._default_manager.all():
            if not visible(label, obj, user):
                rows[(label, obj.pk)] = model_to_dict(obj)
    return rows


def _side_effects(user):
    return AuditEntry.objects.count(), len(mail.outbox), _outside_rows(user)


def test_every_registered_admin_is_classified():
    """A new ModelAdmin must say here whether its rows lie in régions (and how)."""
    unknown = [label for label in _labels() if not classified(label)]
    assert unknown == [], "classify these models in tests/pledges/moderation/regional.py"


@pytest.mark.parametrize("label", [label for label in _labels() if _shown(label)])
def test_the_changelist_and_its_filters_show_only_the_moderators_regions(regional, world, label):
    model, _model_admin = _admin_of(label)
    url = reverse(_name(model, "changelist"))
    response = regional.get(url)
    if label in HIDDEN:
        assert response.status_code == 403
        return
    assert response.status_code in (200, 403), url
    if response.status_code == 403:
        return
    changelist = response.context["cl"]
    shown = set(changelist.result_list)
    assert all(visible(label, obj, regional.user) for obj in shown), url
    expected = {o for o in model._default_manager.all() if visible(label, o, regional.user)}
    if len(expected) <= changelist.list_per_page:
        assert shown == expected, url
    _assert_nothing_outside(response, url)
    # Each filter's every choice: still only the moderator's rows, and nothing outside offered.
    for spec in changelist.filter_specs:
        for choice in spec.choices(changelist):
            query = choice.get("query_string") or ""
            filtered = regional.get(f"{url}{query}" if query.startswith("?") else url, follow=True)
            assert filtered.status_code == 200, query
            if filtered.context and "cl" in filtered.context:
                rows = filtered.context["cl"].result_list
                assert all(visible(label, obj, regional.user) for obj in rows), query
            _assert_nothing_outside(filtered, f"{url}{query}")
    # Another région's codes in the usual parameters: refused or empty, never its rows.
    for query in (
        {"region": "32"},
        {"departement": "59"},
        {"commune": "59350"},
        {"q": MARK.lower()},
    ):
        other = regional.get(url, query, follow=True)
        assert other.status_code in (200, 403), query
        if other.status_code == 200 and other.context and "cl" in other.context:
            rows = other.context["cl"].result_list
            assert all(visible(label, obj, regional.user) for obj in rows), query
            _assert_nothing_outside(other, f"{url}?{query}")


@pytest.mark.parametrize("label", _labels())
def test_each_object_page_outside_the_scope_is_a_404_or_403(regional, world, label):
    model, _model_admin = _admin_of(label)
    objects = list(
        model._default_manager.all()[:1] if label in NATIONAL else model._default_manager.all()
    )
    before = _side_effects(regional.user)
    for obj, suffix in itertools.product(objects, ("change", "history", "delete")):
        url = reverse(_name(model, suffix), args=[obj.pk])
        response = regional.get(url)
        if label in HIDDEN:
            assert response.status_code in (403, 404), url
        elif visible(label, obj, regional.user):
            assert response.status_code in (200, 302, 403), url
        else:
            assert response.status_code in (403, 404), f"{url}: {response.status_code}"
            _assert_nothing_outside(response, url)
            # Posting a form to it changes nothing either.
            posted = regional.post(url, {"post": "yes"})
            assert posted.status_code in (403, 404), f"POST {url}: {posted.status_code}"
    assert _side_effects(regional.user) == before


def _custom_urls(model_admin):
    standard = {f"{model_admin.opts.app_label}_{model_admin.opts.model_name}_{s}" for s in STANDARD}
    for pattern in model_admin.get_urls():
        if pattern.name and pattern.name not in standard and hasattr(pattern, "pattern"):
            yield pattern


def _fillings(pattern, model, label, world, user):
    """Keyword arguments naming another région's objects, for each of the URL's segments."""
    outside = world.outside
    by_name = {
        "pledge_id": [outside.pending.pk, outside.approved.pk],
        "list_id": [outside.electoral_list.pk, outside.approved.electoral_list.pk],
        "membership_id": [outside.membership.pk],
        "claim_id": [outside.claim.pk],
    }
    own = [o.pk for o in model._default_manager.all() if not visible(label, o, user)]
    choices = []
    for name, converter in pattern.pattern.converters.items():
        kind = type(converter).__name__
        if kind in ("SlugConverter", "StringConverter") and name not in ("pk", "object_id"):
            choices.append([(name, slug) for slug in SLUGS])
        else:
            choices.append([(name, value) for value in by_name.get(name, own)])
    for combination in itertools.product(*choices):
        yield dict(combination)


@pytest.mark.parametrize(
    "label", [label for label in _labels() if any(_custom_urls(_admin_of(label)[1]))]
)
def test_every_custom_url_shows_and_changes_nothing_outside_the_scope(regional, world, label):
    model, model_admin = _admin_of(label)
    reason = RejectionReason.objects.filter(is_active=True, requires_free_text=False).first()
    data = {
        "message": "Un message.",
        "reason": str(reason.pk),
        "details": "",
        "decision": "introuvable",
        "note": "Une note.",
        "email": "liste@exemple.test",
        "text": "Un texte.",
        "status": "done",
        "confirm": "1",
        "apply": "1",
        "at": "2020-02-10",
        "channel": "letter",
        "post": "yes",
    }
    before = _side_effects(regional.user)
    for pattern in _custom_urls(model_admin):
        if not pattern.pattern.converters:
            url = reverse(f"admin:{pattern.name}")
            response = regional.get(url)
            assert response.status_code in (200, 302, 403, 404, 405), url
            if response.status_code == 200:
                _assert_nothing_outside(response, url)
            continue
        for kwargs in _fillings(pattern, model, label, world, regional.user):
            try:
                url = reverse(f"admin:{pattern.name}", kwargs=kwargs)
            except NoReverseMatch:
                continue
            response = regional.get(url)
            assert response.status_code in (302, 403, 404, 405), (
                f"GET {url}: {response.status_code}"
            )
            _assert_nothing_outside(response, url)
            response = regional.post(url, data)
            assert response.status_code in (302, 403, 404, 405), (
                f"POST {url}: {response.status_code}"
            )
            _assert_nothing_outside(response, url)
    assert _side_effects(regional.user) == before


@pytest.mark.parametrize("label", [label for label in _labels() if _regional(label)])
def test_no_bulk_action_reaches_another_regions_rows(regional, world, label):
    model, model_admin = _admin_of(label)
    outside = [o.pk for o in model._default_manager.all() if not visible(label, o, regional.user)]
    assert outside, f"the world has no {label} outside the moderator's régions"
    url = reverse(_name(model, "changelist"))
    listed = regional.get(url)
    assert listed.status_code == 200, url
    reason = RejectionReason.objects.filter(is_active=True, requires_free_text=False).first()
    before = _side_effects(regional.user)
    for action in model_admin.get_actions(listed.wsgi_request):
        response = regional.post(
            url,
            {
                "action": action,
                ACTION_CHECKBOX_NAME: outside,
                "index": "0",
                "confirm": "1",
                "apply": "1",
                "post": "yes",
                "at": "2020-02-10",
                "channel": "letter",
                "reason": reason.pk,
            },
        )
        assert response.status_code in (200, 302), action
        assert response.get("Content-Type", "").startswith("text/html") or (
            response.status_code == 302
        ), f"{action} returned a file for another région's rows"
        _assert_nothing_outside(response, action)
    assert _side_effects(regional.user) == before


def _foreign_keys_to(model):
    for source in apps.get_models():
        for field in source._meta.get_fields():
            if (
                field.is_relation
                and not field.auto_created
                and field.concrete
                and getattr(field.remote_field, "model", None) is model
            ):
                yield source, field


def _autocompleted():
    """Regional models whose admin searches, with a foreign key that points at them."""
    for label in _labels():
        model, model_admin = _admin_of(label)
        if _regional(label) and model_admin.search_fields and any(_foreign_keys_to(model)):
            yield label


@pytest.mark.parametrize("label", list(_autocompleted()))
def test_the_autocomplete_lists_only_the_moderators_regions(regional, world, label):
    model, _model_admin = _admin_of(label)
    source, field = next(_foreign_keys_to(model))
    for term in ("", MARK, "Dedanchamp"):
        response = regional.get(
            reverse("admin:autocomplete"),
            {
                "app_label": source._meta.app_label,
                "model_name": source._meta.model_name,
                "field_name": field.name,
                "term": term,
            },
        )
        assert response.status_code in (200, 403), term
        if response.status_code == 403:
            return
        found = [result["id"] for result in json.loads(response.content)["results"]]
        rows = model._default_manager.filter(pk__in=found)
        assert all(visible(label, obj, regional.user) for obj in rows), term
        assert MARK not in response.content.decode()
