"""Elected signatures, their authors and documents for the follow-up's tests."""

import io

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pledges.follow_up.services import post_update
from pledges.models import FollowUpStatus, SignedCommitment
from tests.factories import make_user
from tests.pledges.directory.lists_data import add_member
from tests.pledges.outcomes.factories import make_elected_candidate, make_elected_list

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXPLANATION = "Le conseil municipal a voté la gratuité du réseau le 12 octobre 2020."


def png_bytes(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 110, 79)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def elected_list(codes=("3.1", "1.1"), **fields):
    """An elected list's signature (majorité), its head's account is `signature.candidate.user`."""
    return make_elected_list(codes=codes, **fields)


def member_of(signature, *, confirm=True):
    """A colistier of the signature's list: confirmed (True), refused (False), waiting (None)."""
    return add_member(signature.electoral_list, confirm=confirm)


def elected_individual(codes=("3.1", "1.1")):
    return make_elected_candidate(codes=codes)


def signed(signature, code: str) -> SignedCommitment:
    return next(
        s
        for s in signature.signed_commitments.select_related("commitment__proposal")
        if s.commitment.code == code
    )


def member_structure(email="structure@coorace.test"):
    """An account staff allowed to post (a Coorace member structure), not staff."""
    user = make_user(email)
    user.user_permissions.add(Permission.objects.get(codename="post_follow_up"))
    return type(user).objects.get(pk=user.pk)  # without the cached permissions


def post(signature, code="3.1", *, author=None, status=FollowUpStatus.IN_PROGRESS, **fields):
    fields.setdefault("text", EXPLANATION)
    return post_update(
        signed_commitment=signed(signature, code),
        author=author or signature.candidate.user,
        status=status,
        **fields,
    )
