"""config/site.py: the one reading of the client's address and of the site's address, and
e-mail subjects that no stored text can break."""

import pytest
from django.test import RequestFactory

from candidates.models import Candidate
from config.site import absolute_url, client_ip, one_line_subject
from pledges.signing.emails import send_pledge_received
from tests.config.test_settings import run_python
from tests.factories import make_candidate, make_pledge, make_user
from tests.pledges.signing.test_staff_digest import send_digest_now


def test_the_client_address_is_the_one_the_trusted_proxy_appended(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4"
    )
    assert client_ip(request) == "198.51.100.4"


def test_without_a_trusted_proxy_the_client_address_is_the_connections(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "192.0.2.1"


def test_an_address_that_cannot_be_read_is_none(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert client_ip(request) is None


def test_absolute_urls_start_with_the_sites_address(settings):
    settings.SITE_URL = "https://engagements.example.org/"
    assert absolute_url("/communes/42218/") == "https://engagements.example.org/communes/42218/"


@pytest.mark.django_db
@pytest.mark.parametrize("first_name", ["Jean\rDupont", "Jean\x0b\x1c\x85\u2028Dupont"])
def test_a_stored_name_with_control_characters_gives_a_one_line_subject(
    settings, mailoutbox, first_name
):
    # Rows stored before the forms refused control characters, or edited around them.
    pledge = make_pledge(make_candidate(last_name="Martin"))
    Candidate.objects.filter(pk=pledge.candidate.pk).update(first_name=first_name)
    pledge.candidate.refresh_from_db()
    mailoutbox.clear()
    settings.STAFF_NOTIFICATION_EMAILS = ["equipe@coorace.test"]

    send_digest_now()

    (message,) = mailoutbox
    assert message.subject.startswith("Nouvelle signature à vérifier")
    assert "Jean Dupont Martin (" in message.subject
    assert "Subject: " in message.message().as_string()  # no BadHeaderError


@pytest.mark.django_db
def test_a_stored_line_feed_ends_the_subject_without_breaking_it(settings, mailoutbox):
    # The template's first line is the subject: a line feed inside a name ends it early,
    # the subject stays a valid header.
    pledge = make_pledge(make_candidate(last_name="Martin"))
    Candidate.objects.filter(pk=pledge.candidate.pk).update(first_name="Jean\r\nBcc: x@x.test")
    pledge.candidate.refresh_from_db()
    mailoutbox.clear()
    settings.STAFF_NOTIFICATION_EMAILS = ["equipe@coorace.test"]

    send_digest_now()

    (message,) = mailoutbox
    assert message.subject.endswith("Jean")
    assert "Bcc" not in message.message().as_string().split("\n\n")[0]


def test_a_subject_keeps_french_no_break_spaces():
    assert one_line_subject(" Votre signature\u202f!\r\n ") == "Votre signature\u202f!"


@pytest.mark.django_db
def test_the_sites_e_mails_say_reply_to_this_e_mail_and_carry_a_reply_to(settings, mailoutbox):
    # They leave from a no-reply address; « répondez à ce courriel » reaches REPLY_TO_EMAIL.
    settings.REPLY_TO_EMAIL = "equipe-campagne@coorace.test"
    pledge = make_pledge(make_candidate(user=make_user("lea@exemple.test")))
    mailoutbox.clear()

    send_pledge_received(pledge)

    (message,) = mailoutbox
    assert "répondez à ce courriel" in message.body
    assert message.from_email.endswith("<ne-pas-repondre@coorace.org>")
    assert message.reply_to == ["equipe-campagne@coorace.test"]
    assert "Reply-To: equipe-campagne@coorace.test" in message.message().as_string()


def test_the_reply_to_address_and_the_site_name_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.REPLY_TO_EMAIL, s.SITE_NAME, sep='|')"
    )
    contact = {"SITE_CONTACT_EMAIL": "contact@coorace.test"}
    # Unset or empty, replies go to the contact address; set, to the address given.
    for reply_to in ({}, {"REPLY_TO_EMAIL": ""}):
        result = run_python(code, **contact, **reply_to, SITE_NAME="Coorace #Municipales2026")
        assert result.stdout.strip() == "contact@coorace.test|Coorace #Municipales2026"
    result = run_python(code, **contact, REPLY_TO_EMAIL="campagne@coorace.test")
    assert result.stdout.strip().startswith("campagne@coorace.test|")
