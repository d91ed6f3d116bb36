"""Output serializers and one small input serializer per action."""

from rest_framework import serializers

from itsm.accounts.models import Team, User
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.api import FieldsWorkedOutOnce
from itsm.core.fieldlists import takes_fields
from tickets.api.time import minutes_input_field
from tickets.choices import (
    Channel,
    Impact,
    OnHoldReason,
    Priority,
    ReplyAndSet,
    ResolutionCode,
    TicketStatus,
    Urgency,
)
from tickets.fields import REQUESTER_REPORT_FIELDS, TICKET_CREATE_FIELDS, TICKET_EDITABLE_FIELDS
from tickets.models import Attachment, Category, Comment, Ticket


class TicketSerializer(FieldsWorkedOutOnce, serializers.ModelSerializer):
    requester = serializers.SlugRelatedField(slug_field="email", read_only=True)
    assignee = serializers.SlugRelatedField(allow_null=True, slug_field="email", read_only=True)
    assignment_team = serializers.SlugRelatedField(
        allow_null=True, slug_field="name", read_only=True
    )
    service = serializers.SlugRelatedField(allow_null=True, slug_field="name", read_only=True)
    ci = serializers.SlugRelatedField(allow_null=True, slug_field="name", read_only=True)
    category = serializers.StringRelatedField(allow_null=True)
    subcategory = serializers.StringRelatedField(allow_null=True)
    parent = serializers.SlugRelatedField(allow_null=True, slug_field="number", read_only=True)
    duplicate_of = serializers.SlugRelatedField(
        allow_null=True, slug_field="number", read_only=True
    )
    watchers: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="email", many=True, read_only=True
    )

    class Meta:
        model = Ticket
        fields = [
            "number",
            "kind",
            "status",
            "on_hold_reason",
            "short_description",
            "description",
            "requester",
            "channel",
            "category",
            "subcategory",
            "service",
            "ci",
            "impact",
            "urgency",
            "priority",
            "priority_override_reason",
            "watchers",
            "assignment_team",
            "assignee",
            "reassignment_count",
            "resolution_code",
            "resolution_notes",
            "resolved_at",
            "closed_at",
            "is_first_contact_resolution",
            "parent",
            "duplicate_of",
            "is_major",
            "approval_state",
            "form_data",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


@takes_fields(TICKET_CREATE_FIELDS)
class TicketCreateSerializer(serializers.Serializer):
    short_description = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    requester = serializers.SlugRelatedField(
        slug_field="email",
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="Email of the person affected; defaults to you.",
    )
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    subcategory = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    service = serializers.SlugRelatedField(
        slug_field="name", queryset=Service.objects.all(), required=False, allow_null=True
    )
    ci = serializers.SlugRelatedField(
        slug_field="name", queryset=ConfigurationItem.objects.all(), required=False, allow_null=True
    )
    impact = serializers.ChoiceField(choices=Impact.choices, default=Impact.LOW)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.LOW)
    assignment_team = serializers.SlugRelatedField(
        slug_field="name", queryset=Team.objects.all(), required=False, allow_null=True
    )


@takes_fields(REQUESTER_REPORT_FIELDS)
class SelfServiceCreateSerializer(serializers.Serializer):
    """What anyone outside the desk gives when raising their own ticket: exactly the fields
    of the portal's report form (tickets.forms.PortalIncidentForm), nothing the desk triages.

    Any other field is refused by name rather than dropped: a client that believes it set the
    impact or the team should hear that it did not.
    """

    short_description = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    service = serializers.SlugRelatedField(
        slug_field="name",
        queryset=Service.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.LOW)
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="multipart only"
    )

    def validate(self, attrs):
        refused = sorted(set(self.initial_data) - set(self.fields))
        if refused:
            raise serializers.ValidationError(
                {
                    name: ["Only the service desk sets this; leave it out of your request."]
                    for name in refused
                }
            )
        files = attrs.pop("attachments", [])
        return {**attrs, "channel": Channel.API, "files": files}


@takes_fields("version", TICKET_EDITABLE_FIELDS)
class TicketUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        help_text="The version you read (or send If-Match); missing → 400, stale → 409.",
    )
    requester = serializers.SlugRelatedField(
        slug_field="email",
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="Email of the person affected.",
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    short_description = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    subcategory = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    service = serializers.SlugRelatedField(
        slug_field="name", queryset=Service.objects.all(), required=False, allow_null=True
    )
    ci = serializers.SlugRelatedField(
        slug_field="name", queryset=ConfigurationItem.objects.all(), required=False, allow_null=True
    )
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    watchers = serializers.SlugRelatedField(
        slug_field="email",
        queryset=User.objects.filter(is_active=True),
        many=True,
        required=False,
        help_text="Emails of everyone who follows the ticket (the whole list: it replaces it).",
    )


class TransitionInputSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=TicketStatus.choices)
    version = serializers.IntegerField()
    on_hold_reason = serializers.ChoiceField(choices=OnHoldReason.choices, required=False)
    resolution_code = serializers.ChoiceField(choices=ResolutionCode.choices, required=False)
    resolution_notes = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class AssignInputSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    team = serializers.SlugRelatedField(
        slug_field="name", queryset=Team.objects.all(), allow_null=True
    )
    assignee = serializers.SlugRelatedField(
        slug_field="email",
        required=False,
        allow_null=True,
        queryset=User.objects.filter(is_active=True),
    )


class PriorityInputSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    priority = serializers.ChoiceField(choices=Priority.choices)
    reason = serializers.CharField(max_length=300)


class DuplicateOfInputSerializer(serializers.Serializer):
    duplicate_of = serializers.CharField(
        max_length=20, help_text="Number of the ticket this one duplicates (it stays open)."
    )
    version = serializers.IntegerField(help_text="The version of this ticket you read.")


class ArticleLinkInputSerializer(serializers.Serializer):
    article = serializers.CharField(max_length=20, help_text="Number of the article (KB…).")


class ArticleLinkSerializer(serializers.Serializer):
    article = serializers.CharField(source="article.number")
    title = serializers.CharField(source="article.title")
    linked_by = serializers.EmailField(source="linked_by.email")
    linked_at = serializers.DateTimeField()


class SuggestedArticleSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    audience = serializers.CharField()
    score = serializers.FloatField(help_text="Higher is a better fit; only the order counts.")
    reasons = serializers.ListField(child=serializers.CharField())


class SimilarTicketSerializer(serializers.Serializer):
    number = serializers.CharField()
    short_description = serializers.CharField()
    status = serializers.CharField()
    resolution_code = serializers.CharField()
    resolution_notes = serializers.CharField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    score = serializers.FloatField(help_text="Higher is more similar; only the order counts.")


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "original_name", "size", "uploaded_at"]


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="email", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "is_public", "created_at", "attachments"]


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField()
    is_public = serializers.BooleanField(default=True)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    set_status = serializers.ChoiceField(
        choices=ReplyAndSet.choices,
        required=False,
        help_text=(
            "Desk only, with a public reply: put the ticket on hold awaiting the requester, or "
            "resolve it (with `resolution_code`; the reply becomes the resolution notes)."
        ),
    )
    resolution_code = serializers.ChoiceField(choices=ResolutionCode.choices, required=False)
    version = serializers.IntegerField(
        required=False, help_text="The version you read; stale → 409. Needed with set_status."
    )
    minutes = minutes_input_field(
        required=False,
        help_text="Desk only: minutes worked, logged with this reply or work note (1 to 1440).",
    )

    def validate(self, attrs):
        if attrs.get("set_status") and not attrs.get("is_public", True):
            raise serializers.ValidationError(
                {"set_status": ["Only a public reply can set the status; a work note cannot."]}
            )
        return attrs
