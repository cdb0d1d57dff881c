"""« Envois aux signataires » in the admin: the form, the count and the preview, the
confirmation, the permissions and the régions of a regional moderator."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from pledges.models import AuditEntry, Mailing, MailingDelivery
from tests.factories import make_moderator
from tests.pledges.mailings.data import AURA, BRETAGNE, draft, regional_moderator, signatories

pytestmark = pytest.mark.django_db

ADD = reverse("admin:pledges_mailing_add")
CHANGELIST = reverse("admin:pledges_mailing_changelist")


def plain(value: str) -> str:
    return value.replace("\u202f", " ").replace("\u00a0", " ")


def text(response) -> str:
    """The page's text: tags dropped, spaces normalised."""
    return " ".join(re.sub(r"<[^>]+>", " ", plain(response.content.decode())).split())


def change_url(mailing) -> str:
    return reverse("admin:pledges_mailing_change", args=[mailing.pk])


def send_url(mailing) -> str:
    return reverse("admin:pledges_mailing_send", args=[mailing.pk])


def form_data(**fields) -> dict:
    return {
        "audience": "signatories",
        "subject": "Merci {prénom}",
        "body": "Bonjour {prénom} {nom}, de {commune}, liste {liste}.",
        **fields,
    }


@pytest.fixture
def people():
    return signatories()


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@coorace.test", "x")


def test_a_draft_is_written_then_counted_and_previewed_with_a_real_recipients_fields(
    client, superuser, people
):
    client.force_login(superuser)
    response = client.post(ADD, form_data(regions=[AURA], _continue="1"))
    mailing = Mailing.objects.get()
    assert response.status_code == 302
    assert mailing.filters["regions"] == [AURA]
    assert mailing.author == superuser and mailing.state == Mailing.State.DRAFT
    page = plain(client.get(change_url(mailing)).content.decode())
    assert "2 destinataires" in page
    # The first recipient is the head of the Saint-Étienne list.
    assert "Aperçu tel que le lira Alice Durand (Saint-Étienne)" in page
    assert "Merci Alice" in page
    assert "Bonjour Alice Durand, de Saint-Étienne, liste Saint-Étienne solidaire." in page
    assert send_url(mailing) in page


def test_the_preview_says_how_many_unsubscribed_addresses_are_set_aside(client, superuser, people):
    from pledges.mailings.services import opt_out

    opt_out(email="dalila@exemple.test")
    client.force_login(superuser)
    mailing = draft(superuser, regions=[AURA])
    assert "1 destinataire — 1 désinscrit·e écarté·e" in text(client.get(change_url(mailing)))


def test_an_unknown_merge_field_is_an_error_at_the_form(client, superuser, people):
    client.force_login(superuser)
    response = client.post(
        ADD, form_data(body="Bonjour {prenom} {{ request.user.password }} {age}")
    )
    assert response.status_code == 200
    page = plain(response.content.decode())
    assert "Champ inconnu : { request.user.password }, {age}." in page
    assert "Les champs possibles sont {prénom}, {nom}, {commune}, {liste}." in page
    assert not Mailing.objects.exists()


def test_a_merge_value_is_copied_never_run_as_a_template(superuser, people):
    from pledges.mailings import services

    people.head_loire.first_name = "{% debug %}{{ settings.SECRET_KEY }}<b>"
    people.head_loire.save()
    mailing = draft(superuser, regions=[AURA])
    preview = services.preview(mailing, superuser)
    assert preview.subject == "Bonjour {% debug %}{{ settings.SECRET_KEY }}<b>"
    message = services.build_message(mailing, preview.recipient, email="alice@exemple.test")
    assert message.subject == "Bonjour {% debug %}{{ settings.SECRET_KEY }}<b>"
    html = message.alternatives[0][0]
    assert "Bonjour {% debug %}{{ settings.SECRET_KEY }}&lt;b&gt;" in html
    assert "<b>" not in html


def test_the_confirmation_page_then_the_send_creates_one_delivery_per_address_and_audits(
    client, superuser, people, settings
):
    settings.MAILING_RATE_PER_MINUTE = 120
    client.force_login(superuser)
    mailing = draft(superuser)
    page = plain(client.get(send_url(mailing)).content.decode())
    assert "4 destinataires" in page
    assert "Confirmer l’envoi" in page
    assert not MailingDelivery.objects.exists()  # nothing before the confirmation

    response = client.post(send_url(mailing))
    assert response.status_code == 302
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT  # the immediate backend ran the job
    assert mailing.recipient_count == mailing.sent_count == 4
    assert MailingDelivery.objects.filter(mailing=mailing).count() == 4
    entry = AuditEntry.objects.get(action=AuditEntry.Action.MAILING_SENT)
    assert entry.actor == superuser and entry.changes["recipients"] == 4 and entry.scope == ""

    # Kept, read only, with its deliveries' states.
    page = plain(client.get(change_url(mailing)).content.decode())
    assert "envoyé : 4" in page
    assert 'name="subject"' not in page
    assert client.post(send_url(mailing)).status_code == 302
    assert MailingDelivery.objects.filter(mailing=mailing).count() == 4  # not twice


def test_the_moderation_group_prepares_but_cannot_send(client, people):
    moderator = make_moderator()
    client.force_login(moderator)
    assert client.get(ADD).status_code == 200
    client.post(ADD, form_data())
    mailing = Mailing.objects.get()
    page = plain(client.get(change_url(mailing)).content.decode())
    assert "4 destinataires" in page
    assert send_url(mailing) not in page
    assert client.get(send_url(mailing)).status_code == 403
    assert client.post(send_url(mailing)).status_code == 403
    assert not MailingDelivery.objects.exists()


def test_a_regional_moderator_is_offered_only_their_regions_and_a_forged_region_is_refused(
    client, people
):
    moderator = regional_moderator(BRETAGNE)
    client.force_login(moderator)
    page = client.get(ADD).content.decode()
    assert f'value="{BRETAGNE}"' in page
    assert f'value="{AURA}"' not in page
    response = client.post(ADD, form_data(regions=[AURA]))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in plain(response.content.decode())
    response = client.post(ADD, form_data(departements=["42"]))
    assert response.status_code == 200
    assert not Mailing.objects.exists()


def test_a_regional_moderators_draft_is_bound_to_their_regions_and_sent_within_them(client, people):
    moderator = regional_moderator(BRETAGNE)
    client.force_login(moderator)
    client.post(ADD, form_data())
    mailing = Mailing.objects.get()
    assert mailing.filters["regions"] == [BRETAGNE]
    assert mailing.scope == "Bretagne"
    client.post(send_url(mailing))
    assert list(MailingDelivery.objects.values_list("email", flat=True)) == ["bruno@exemple.test"]
    assert AuditEntry.objects.get(action=AuditEntry.Action.MAILING_SENT).scope == "Bretagne"


def test_a_regional_moderator_neither_sees_nor_sends_a_mailing_beyond_their_regions(
    client, superuser, people
):
    national = draft(superuser, subject="À toute la France")
    elsewhere = draft(superuser, subject="Aux Ligériens", regions=[AURA])
    own = draft(regional_moderator(BRETAGNE, username="autre-breton"), subject="Aux Bretons")
    moderator = regional_moderator(BRETAGNE)
    client.force_login(moderator)
    listing = text(client.get(CHANGELIST))
    assert "Aux Bretons" in listing
    assert "À toute la France" not in listing and "Aux Ligériens" not in listing
    assert client.get(change_url(own)).status_code == 200
    for mailing in (national, elsewhere):
        assert client.get(change_url(mailing)).status_code == 404
        assert client.get(send_url(mailing)).status_code == 404
        assert client.post(send_url(mailing)).status_code == 404
    assert not MailingDelivery.objects.exists()


def test_the_send_service_refuses_a_mailing_beyond_the_senders_regions(superuser, people):
    from django.core.exceptions import PermissionDenied

    from pledges.mailings.services import send_mailing

    mailing = draft(superuser, regions=[AURA, BRETAGNE])
    with pytest.raises(PermissionDenied):
        send_mailing(mailing=mailing, actor=regional_moderator(BRETAGNE))
    with pytest.raises(PermissionDenied):
        send_mailing(mailing=draft(superuser), actor=make_moderator())  # no permission
    assert not MailingDelivery.objects.exists()


def test_deliveries_are_listed_within_the_moderators_regions(client, superuser, people):
    mailing = draft(superuser)
    from pledges.mailings.services import send_mailing

    send_mailing(mailing=mailing, actor=superuser)
    deliveries = reverse("admin:pledges_mailingdelivery_changelist")
    client.force_login(superuser)
    page = client.get(deliveries + f"?mailing__id__exact={mailing.pk}").content.decode()
    assert "bruno@exemple.test" in page and "alice@exemple.test" in page
    moderator = regional_moderator(BRETAGNE)
    moderator.user_permissions.add(Permission.objects.get(codename="view_mailingdelivery"))
    client.force_login(moderator)
    page = client.get(deliveries).content.decode()
    assert "alice@exemple.test" not in page  # a national mailing: none of it
