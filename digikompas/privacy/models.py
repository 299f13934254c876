"""The audit log: who viewed or exported personal data or small-group results, and every export,
erasure and retention clean-up of personal data.

An event outlives the login that caused it: `user` is set to NULL when the login is deleted, and
`actor_email` keeps who it was. What an event is about is described by text (type, id, label),
not by a foreign key, so the record stays when the object goes; an erasure blanks the label of
the events about the erased person (see privacy.erasure).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEWED_PERSON = "viewed_person", _("Viewed a person")
    VIEWED_STAFF_LIST = "viewed_staff_list", _("Viewed a staff list")
    VIEWED_PARTICIPANTS = "viewed_participants", _("Viewed the participants of a session")
    EXPORTED_PARTICIPANTS = "exported_participants", _("Exported the participants of a session")
    VIEWED_RESULTS = "viewed_results", _("Viewed the results of a small group")
    EXPORTED_RESULTS = "exported_results", _("Exported results")
    EXPORTED_PERSON_DATA = "exported_person_data", _("Exported a person's data")
    ERASED_PERSON = "erased_person", _("Erased a person")
    APPLIED_RETENTION = "applied_retention", _("Removed the personal data of an expired round")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Who it was, also after their login is deleted; empty for the system (commands, tasks).
    actor_email = models.CharField(_("by"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    # What it was about: a model's label (orgs.person), its primary key and its name then.
    object_type = models.CharField(_("type"), max_length=100, blank=True)
    object_id = models.CharField(_("id"), max_length=64, blank=True)
    object_label = models.CharField(_("about"), max_length=300, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("address"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=Action.values), name="audit_action_valid"
            ),
        ]
        indexes = [
            # The audit log page, newest first, filtered by period.
            models.Index(fields=["-at"], name="audit_at"),
            # A person's data export and erasure: the events about one object.
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or '-'} {self.action}"
