"""A candidate's signature of the charter, the commitments it signs, its dated history."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Value, Window
from django.db.models.functions import Upper
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate
from pledges.models.charter import Campaign, Commitment


class SignatureQuerySet(models.QuerySet):
    def public(self):
        """The pledges anyone may see: approved by staff, or approved then withdrawn."""
        return self.filter(
            models.Q(status=Signature.Status.APPROVED)
            | models.Q(status=Signature.Status.WITHDRAWN, approved_at__isnull=False)
        )

    # « Possible duplicate », two precise rules that the moderation queue's column, its
    # filters and the detail page share:
    # - « même personne deux fois » (`person`): another signature of the same campaign in
    #   the same commune by a person of the same first and last names, compared without
    #   regard to case (PostgreSQL folds every letter, SQLite only a-z). A key: two
    #   signatures sharing it are possible duplicates.
    # - « même liste revendiquée deux fois » (`list`): a list's signature whose list someone
    #   else claimed to head (an open ListClaim) or that is flagged for staff (its
    #   `review_note`: two heads found by the migration, a headless list taken over…). Read
    #   from the few claimed or flagged lists, not by comparing typed names row by row.
    DUPLICATE_KEYS = {
        # (field path, compared without regard to case)
        "person": (
            ("campaign_id", False),
            ("candidate__commune_id", False),
            ("candidate__first_name", True),
            ("candidate__last_name", True),
        ),
    }
    DUPLICATE_KINDS = {
        "person": _("même personne deux fois"),
        "list": _("même liste revendiquée deux fois"),
    }

    @classmethod
    def _key(cls, name: str, value=F) -> list:
        return [
            Upper(value(path)) if fold else value(path) for path, fold in cls.DUPLICATE_KEYS[name]
        ]

    @staticmethod
    def contested_lists():
        """The lists claimed twice (an open claim) or flagged for staff (`review_note`)."""
        from pledges.models.lists import ElectoralList, ListClaim

        open_claim = ListClaim.objects.filter(
            electoral_list=OuterRef("pk"), settled_at__isnull=True
        )
        return ElectoralList.objects.filter(Exists(open_claim) | ~Q(review_note=""))

    def _same_person_pks(self):
        """The pks of all signatures sharing the person key with another one: one window
        count (one sort of the table, no query and no self-join per row)."""
        return (
            Signature.objects.annotate(
                sharing=Window(Count("pk"), partition_by=self._key("person"))
            )
            .filter(sharing__gt=1)
            .values("pk")
        )

    def with_duplicate_flag(self) -> "SignatureQuerySet":
        """Each row gets `same_person`, `list_claimed_twice` and `has_duplicate` (either).

        Correlated EXISTS, computed only for the rows a page shows (after the ORDER BY and
        LIMIT that the queue's index serves); a filter uses possible_duplicates(). The row's
        own candidate is joined inside the subquery, so that the outer query (and the
        paginator's COUNT) needs no join.
        """
        mine = "candidate__commune__candidates__"  # from another signature: the row's candidate

        def own(path):
            if path.startswith("candidate__"):
                return F(path.replace("candidate__", mine, 1))
            return OuterRef(path)

        same_person = Exists(
            self._sharing(
                "person", self._key("person", own), Q(**{f"{mine}id": OuterRef("candidate_id")})
            ).exclude(pk=OuterRef("pk"))
        )
        claimed_twice = Exists(self.contested_lists().filter(pk=OuterRef("electoral_list_id")))
        return self.annotate(
            same_person=same_person,
            list_claimed_twice=claimed_twice,
            has_duplicate=same_person | claimed_twice,
        )

    def possible_duplicates(self, kind: str | None = None) -> "SignatureQuerySet":
        """Signatures with a possible duplicate of `kind` (« person », « list »), or of either."""
        same_list = Signature.objects.filter(
            electoral_list__in=self.contested_lists().values("pk")
        ).values("pk")
        if kind == "person":
            return self.filter(pk__in=self._same_person_pks())
        if kind == "list":
            return self.filter(pk__in=same_list)
        # One IN over a UNION: an OR of the two IN made PostgreSQL test both for every row.
        return self.filter(pk__in=self._same_person_pks().order_by().union(same_list.order_by()))

    def possible_duplicates_of(self, signature: "Signature") -> "SignatureQuerySet":
        """The other signatures by the same person as `signature` (its values folded by the
        database, as the keys of the others are). A list claimed twice is read from its
        claims and its review note (the list's admin page settles them)."""
        values = {
            "campaign_id": signature.campaign_id,
            "candidate__commune_id": signature.candidate.commune_id,
            "candidate__first_name": signature.candidate.first_name,
            "candidate__last_name": signature.candidate.last_name,
        }
        same = self._sharing("person", self._key("person", lambda path: Value(values[path])))
        return same.exclude(pk=signature.pk).select_related("candidate")

    def _sharing(self, name: str, key: list, *joined: Q) -> "SignatureQuerySet":
        """The signatures whose `name` key equals `key` (one expression per part); `joined`
        conditions go in the same filter(), on the same joins."""
        equal = [Exact(theirs, own) for theirs, own in zip(self._key(name), key, strict=True)]
        return Signature.objects.filter(*equal, *joined)


class SignatureStatus(models.TextChoices):
    """`Signature.Status`; at module level so that Meta's constraints can name it."""

    PENDING = "pending", _("en attente de validation")
    CHANGES_REQUESTED = "changes_requested", _("à compléter")
    APPROVED = "approved", _("validée")
    REJECTED = "rejected", _("refusée")
    UNPUBLISHED = "unpublished", _("dépubliée")
    WITHDRAWN = "withdrawn", _("retirée")


Status = SignatureStatus

# The moderation queue's order: awaiting a decision first, then to complete, then the rest;
# oldest first within each. An index on these expressions lets a page of the queue be read
# without sorting every signature.
QUEUE_RANK = models.Case(
    models.When(status=Status.PENDING, then=Value(0)),
    models.When(status=Status.CHANGES_REQUESTED, then=Value(1)),
    default=Value(2),
    output_field=models.IntegerField(),
)
QUEUE_ORDER = ("queue_rank", "submitted_at", "pk")


class Signature(models.Model):
    """A candidate's signature of a campaign's charter, with its consents and status."""

    Status = SignatureStatus
    QUEUE_RANK = QUEUE_RANK
    QUEUE_ORDER = QUEUE_ORDER

    # A withdrawn signature stays on the public record (« signature retirée le … ») only if
    # staff had approved it; `approved_at` tells which.
    EDITABLE_STATUSES = (Status.PENDING, Status.CHANGES_REQUESTED)

    # The one table of status changes, for the candidate (signing) and staff (moderation):
    # from each status, the statuses a signature may take next. Pending → pending is an edit
    # before moderation. A withdrawn signature may be signed again (→ pending) only if staff
    # had never approved it: see next_statuses().
    TRANSITIONS = {
        Status.PENDING: frozenset(
            {
                Status.PENDING,
                Status.APPROVED,
                Status.CHANGES_REQUESTED,
                Status.REJECTED,
                Status.WITHDRAWN,
            }
        ),
        Status.CHANGES_REQUESTED: frozenset({Status.PENDING, Status.REJECTED, Status.WITHDRAWN}),
        Status.APPROVED: frozenset({Status.UNPUBLISHED, Status.WITHDRAWN}),
        Status.REJECTED: frozenset(),
        Status.UNPUBLISHED: frozenset(),
        Status.WITHDRAWN: frozenset({Status.PENDING}),
    }

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.PROTECT, related_name="signatures"
    )
    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidat·e"), on_delete=models.CASCADE, related_name="signatures"
    )
    # A head's signature is their list's: one signature per list.
    electoral_list = models.OneToOneField(
        "pledges.ElectoralList",
        verbose_name=_("liste"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signature",
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    submitted_at = models.DateTimeField(_("envoyée le"))
    approved_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("retirée le"), null=True, blank=True)
    # The relay whose personal link brought this signature (shown to staff, never public).
    relay = models.ForeignKey(
        "pledges.Relay",
        verbose_name=_("venue par le relais"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signatures",
    )
    consent_candidacy_text = models.TextField(_("attestation de candidature (texte)"))
    consent_candidacy_at = models.DateTimeField(_("attestation de candidature (date)"))
    consent_publication_text = models.TextField(_("consentement à la publication (texte)"))
    consent_publication_at = models.DateTimeField(_("consentement à la publication (date)"))

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-submitted_at"]
        permissions = [
            ("moderate_pledge", _("Peut valider, refuser ou dépublier une signature")),
            ("export_pledges", _("Peut exporter les signataires avec leurs coordonnées")),
        ]
        indexes = [
            models.Index(QUEUE_RANK, F("submitted_at"), F("id"), name="signature_queue_order"),
            # The dashboard's counts (pledges.moderation.campaign_stats) read these columns
            # alone (COUNT(id) included): an index-only scan instead of the wide rows
            # (consent texts and all), and the oldest pending signatures in order.
            models.Index(
                fields=[
                    "status",
                    "submitted_at",
                    "campaign",
                    "approved_at",
                    "candidate",
                    "relay",
                    "electoral_list",
                    "id",
                ],
                name="signature_counts",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "candidate"],
                name="one_pledge_per_candidate_and_campaign",
                violation_error_message=_("Cette candidature a déjà signé la charte."),
            ),
            # Each status and its dates, as the signing and moderation services write them.
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="signature_status_is_known",
                violation_error_message=_("Ce statut de signature n’existe pas."),
            ),
            models.CheckConstraint(
                condition=Q(status=Status.WITHDRAWN, withdrawn_at__isnull=False)
                | (~Q(status=Status.WITHDRAWN) & Q(withdrawn_at__isnull=True)),
                name="signature_withdrawn_iff_dated",
                violation_error_message=_(
                    "Une signature retirée porte sa date de retrait, et seule une signature "
                    "retirée en porte une."
                ),
            ),
            models.CheckConstraint(
                # approved or unpublished ⇒ dated; pending, changes requested or rejected ⇒
                # not; a withdrawal keeps whichever it had.
                condition=(
                    ~Q(status__in=[Status.APPROVED, Status.UNPUBLISHED])
                    | Q(approved_at__isnull=False)
                )
                & (
                    ~Q(status__in=[Status.PENDING, Status.CHANGES_REQUESTED, Status.REJECTED])
                    | Q(approved_at__isnull=True)
                ),
                name="signature_approval_dated_by_status",
                violation_error_message=_(
                    "Une signature validée ou dépubliée porte sa date de validation ; une "
                    "signature en attente, à compléter ou refusée n’en porte pas."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.candidate} — {self.get_status_display()}"

    def get_absolute_url(self):
        """The public page of the signatory (a 404 unless the pledge is public)."""
        return reverse("pledges:signatory", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def was_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED or (
            self.status == self.Status.WITHDRAWN and self.was_approved
        )

    def next_statuses(self) -> frozenset:
        """The statuses this signature may take next, from TRANSITIONS."""
        allowed = self.TRANSITIONS[self.status]
        if self.status == self.Status.WITHDRAWN and self.was_approved:
            # Its withdrawal is on the public record: it is not signed anew.
            allowed = allowed - {self.Status.PENDING}
        return allowed

    def check_transition(self, new_status: str, *, message: str | None = None) -> None:
        """Raise a French ValidationError unless the table allows `status` → `new_status`.

        `message` replaces the default one and may name `%(current)s` and `%(new)s`.
        """
        if new_status in self.next_statuses():
            return
        params = {
            "current": self.get_status_display(),
            "new": self.Status(new_status).label,
        }
        template = message or _(
            "Cette signature est « %(current)s » : elle ne peut pas devenir « %(new)s »."
        )
        raise ValidationError(str(template) % params, code="invalid_transition")

    def active_signatures(self):
        return self.signed_commitments.filter(withdrawn_at__isnull=True)


class FollowUpStatus(models.TextChoices):
    """Where an elected signatory's commitment stands (pledges.models.follow_up)."""

    NOT_STARTED = "not_started", _("pas encore commencé")
    IN_PROGRESS = "in_progress", _("en cours")
    DONE = "done", _("réalisé")
    ABANDONED = "abandoned", _("abandonné")


class SignedCommitment(models.Model):
    """One commitment signed within a pledge; withdrawn ones stay, dated."""

    pledge = models.ForeignKey(
        Signature,
        verbose_name=_("signature"),
        on_delete=models.CASCADE,
        related_name="signed_commitments",
    )
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("engagement"),
        on_delete=models.PROTECT,
        related_name="signed_commitments",
    )
    signed_at = models.DateTimeField(_("signé le"))
    withdrawn_at = models.DateTimeField(_("retiré le"), null=True, blank=True)
    # After the vote (pledges.models.follow_up): the status of its last approved update, so
    # that bilans count without reading the updates. Changed only by approving an update.
    follow_up_status = models.CharField(
        _("suivi"),
        max_length=12,
        choices=FollowUpStatus.choices,
        default=FollowUpStatus.NOT_STARTED,
        editable=False,
    )
    follow_up_at = models.DateTimeField(_("suivi mis à jour le"), null=True, blank=True)

    class Meta:
        verbose_name = _("engagement signé")
        verbose_name_plural = _("engagements signés")
        ordering = ["commitment__proposal__number", "commitment__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "commitment"],
                name="one_signature_per_commitment",
                violation_error_message=_("Cet engagement figure déjà dans la signature."),
            ),
        ]

    def __str__(self):
        return f"{self.pledge_id} — {self.commitment_id}"


class SignatureEvent(models.Model):
    """The dated history of a pledge. Public events are shown in the directory."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("signature envoyée")
        EDITED = "edited", _("signature modifiée avant validation")
        RESUBMITTED = "resubmitted", _("signature complétée et renvoyée")
        APPROVED = "approved", _("signature validée")
        CHANGES_REQUESTED = "changes_requested", _("compléments demandés")
        REJECTED = "rejected", _("signature refusée")
        UNPUBLISHED = "unpublished", _("signature dépubliée")
        COMMITMENT_ADDED = "commitment_added", _("engagement ajouté")
        COMMITMENT_WITHDRAWN = "commitment_withdrawn", _("engagement retiré")
        WITHDRAWN = "withdrawn", _("signature retirée")

    # Once staff have approved a signature, these events are part of its public record;
    # before that, and any other kind (a request for changes, a refusal, a note), never.
    PUBLIC_KINDS = frozenset(
        {Kind.APPROVED, Kind.COMMITMENT_ADDED, Kind.COMMITMENT_WITHDRAWN, Kind.WITHDRAWN}
    )

    pledge = models.ForeignKey(
        Signature, verbose_name=_("signature"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("engagement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("date"))
    is_public = models.BooleanField(_("public"), default=False)
    note = models.TextField(_("message"), blank=True)
    reason = models.ForeignKey(
        "RejectionReason",
        verbose_name=_("motif"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("historique")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.at:%d/%m/%Y} {self.get_kind_display()}"

    @classmethod
    def is_public_kind(cls, kind: str, *, signature: Signature) -> bool:
        """The one rule of what the public history shows (signature as it is after the event)."""
        return signature.was_approved and kind in cls.PUBLIC_KINDS


class SignatureTrace(models.Model):
    """What staff keep of an erased account: no name, no contact, only what was decided."""

    pseudonym = models.CharField(_("pseudonyme"), max_length=32, unique=True)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.PROTECT, related_name="+"
    )
    commune_insee_code = models.CharField(_("code INSEE de la commune"), max_length=5)
    last_status = models.CharField(
        _("dernier statut"), max_length=20, choices=Signature.Status.choices
    )
    submitted_at = models.DateTimeField(_("envoyée le"))
    approved_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    decisions = models.JSONField(_("décisions"), default=list)
    erased_at = models.DateTimeField(_("effacée le"))

    class Meta:
        verbose_name = _("trace pseudonyme")
        verbose_name_plural = _("traces pseudonymes (comptes supprimés)")
        ordering = ["-erased_at"]

    def __str__(self):
        return self.pseudonym
