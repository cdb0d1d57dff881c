"""What moderation records: the reasons for a refusal, and the audit log of decisions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from communes.models import Region
from pledges.models.signatures import Signature


class RejectionReason(models.Model):
    """A reason staff give when they refuse a signature; its text is sent to the candidate."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    label = models.CharField(_("libellé"), max_length=200)
    candidate_text = models.TextField(
        _("texte envoyé à la personne candidate"),
        help_text=_("Repris dans le courriel qui annonce le refus."),
    )
    requires_free_text = models.BooleanField(
        _("précision obligatoire"),
        default=False,
        help_text=_("L’équipe doit alors écrire une précision (motif « autre »)."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("motif de refus")
        verbose_name_plural = _("motifs de refus")
        ordering = ["position", "label"]

    def __str__(self):
        return self.label

    def is_used(self) -> bool:
        return self.pk is not None and self.events.exists()


class AuditEntryQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for entry in objs:
            entry.record_scope()
        return super().bulk_create(objs, *args, **kwargs)


class AuditEntry(models.Model):
    """Who did what to which signature, when, from where, with the values before and after.

    Entries outlive the account they are about: the candidate's name is not copied here,
    only a pseudonym of the pledge, so that the trail stays after an erasure.
    """

    class Action(models.TextChoices):
        APPROVED = "approved", _("validation")
        CHANGES_REQUESTED = "changes_requested", _("demande de compléments")
        REJECTED = "rejected", _("refus")
        UNPUBLISHED = "unpublished", _("dépublication")
        IDENTITY_EDITED = "identity_edited", _("modification de l’identité par l’équipe")
        CERTIFICATE_REISSUED = "certificate_reissued", _("réémission de l’attestation")
        LIST_EDITED = "list_edited", _("modification de la liste par l’équipe")
        CLAIM_SETTLED = "claim_settled", _("revendication de tête de liste tranchée")
        JOIN_DECIDED = "join_decided", _("adhésion à une liste décidée par l’équipe")
        LIST_INVITED = "list_invited", _("invitation d’une liste officielle")
        LIST_DECLINED = "list_declined", _("refus d’une liste officielle enregistré")
        ROSTER_DECIDED = "roster_decided", _("correspondance officielle tranchée par l’équipe")
        SIGNING_OVERRIDDEN = "signing_overridden", _("ouverture des signatures décidée")
        ELECTED_DECIDED = "elected_decided", _("correspondance avec les élu·es tranchée")
        OUTCOME_SET = "outcome_set", _("résultat d’une liste fixé par l’équipe")
        FOLLOW_UP_DECIDED = "follow_up_decided", _("mise à jour du suivi modérée")
        FOLLOW_UP_POSTED = "follow_up_posted", _("mise à jour du suivi publiée par l’équipe")
        RELAY_INVITED = "relay_invited", _("relais invité")
        MAILING_SENT = "mailing_sent", _("envoi aux signataires")

    at = models.DateTimeField(_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("membre de l’équipe"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    actor_name = models.CharField(_("nom du membre de l’équipe"), max_length=150)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    pledge = models.ForeignKey(
        Signature,
        verbose_name=_("signature"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    pledge_pseudonym = models.CharField(_("pseudonyme de la signature"), max_length=32)
    changes = models.JSONField(_("valeurs avant → après"), default=dict, blank=True)
    note = models.TextField(_("message ou motif"), blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    # The régions the actor was limited to when deciding (ModeratorScope), « » for all.
    scope = models.CharField(_("périmètre"), max_length=300, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal des décisions")
        ordering = ["-at", "-pk"]
        # The log's order, and the dashboard's decisions per day read from the index alone.
        indexes = [models.Index(fields=["at", "action"], name="auditentry_at_action")]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_name} — {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.record_scope()
        super().save(*args, **kwargs)

    def record_scope(self) -> None:
        """The actor's régions, as pledges.moderation.scope reads them (kept on the user
        object: no query when the request already read them). Every new entry, whichever
        service writes it (save and bulk_create both come here)."""
        if self.scope or self.actor_id is None:
            return
        from pledges.moderation.scope import scope_label

        self.scope = scope_label(self.actor)[: self._meta.get_field("scope").max_length]


class ModeratorScope(models.Model):
    """A staff account limited to some régions (a regional federation's moderators).

    Without a scope a staff account sees every région (as superusers always do); with one, it
    sees, filters, decides and exports only what lies in these régions (pledges.moderation.scope).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        on_delete=models.CASCADE,
        related_name="moderator_scope",
    )
    regions = models.ManyToManyField(Region, verbose_name=_("régions"), related_name="+")
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("périmètre d’un·e modérateur·rice")
        verbose_name_plural = _("périmètres des modérateur·rices")

    def __str__(self):
        return str(self.user)
