"""/api/v1/incidents/ and /api/v1/requests/: thin viewsets over tickets selectors/services."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from itsm.core.api import expected_version
from itsm.core.parsers import JSONParser
from itsm.core.permissions import actor_may
from itsm.idempotency.api import idempotent_create
from knowledge.selectors import article_get_by_number_or_none
from tickets import permissions as may
from tickets import selectors, services
from tickets.api.serializers import (
    ArticleLinkInputSerializer,
    ArticleLinkSerializer,
    AssignInputSerializer,
    CommentInputSerializer,
    CommentSerializer,
    DuplicateOfInputSerializer,
    PriorityInputSerializer,
    SelfServiceCreateSerializer,
    SimilarTicketSerializer,
    SuggestedArticleSerializer,
    TicketCreateSerializer,
    TicketSerializer,
    TicketUpdateSerializer,
    TransitionInputSerializer,
)
from tickets.choices import TicketKind
from tickets.filtersets import TicketFilterSet


class TicketCursorPagination(CursorPagination):
    """No COUNT(*): stable and fast at a million tickets."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-created_at"


class _TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    kind: str = ""
    serializer_class = TicketSerializer
    lookup_field = "number"
    filterset_class = TicketFilterSet
    ordering_fields = ["created_at", "updated_at", "priority", "number"]
    pagination_class = TicketCursorPagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.ticket_list_for_api(user=self.request.user, kind=self.kind)

    def get_object(self):
        ticket = selectors.ticket_get_for_user(user=self.request.user, number=self.kwargs["number"])
        if ticket.kind != self.kind:
            from django.http import Http404

            raise Http404
        return ticket

    def _out(self, ticket, code=status.HTTP_200_OK) -> Response:
        return Response(TicketSerializer(ticket).data, status=code)

    @idempotent_create
    @extend_schema(
        request=TicketCreateSerializer,
        responses={201: TicketSerializer},
        description=(
            "The service desk (permission `tickets.add_ticket`) may send every field below. "
            "Anyone else raises a ticket for themselves with exactly what the portal's report "
            "form takes: `short_description`, `description`, `service` and `urgency`; any "
            "other field (impact, channel, requester, assignment_team, …) is refused with 400 "
            "and an error under each refused field's name. Impact stays low until the desk "
            "triages the ticket; the channel is `api`."
        ),
    )
    def create(self, request, *args, **kwargs):
        serializer_class = (
            TicketCreateSerializer
            if actor_may(request.user, may.RAISE_FOR_OTHERS)
            else SelfServiceCreateSerializer
        )
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.setdefault("requester", request.user)
        ticket = services.ticket_create(actor=request.user, kind=self.kind, **values)
        return self._out(ticket, status.HTTP_201_CREATED)

    @extend_schema(
        request=TicketUpdateSerializer,
        responses={200: TicketSerializer},
        description="Edit fields; `version` must be the one you read (409 if stale).",
    )
    def partial_update(self, request, *args, **kwargs):
        # The ticket first: someone else's is a 404 (DESIGN §5); the service then refuses
        # (403) anyone who may see the ticket but not change it.
        ticket = self.get_object()
        data = TicketUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = expected_version(request, values)
        ticket = services.ticket_update(
            ticket=ticket, actor=request.user, expected_version=version, **values
        )
        return self._out(ticket)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        request=TransitionInputSerializer,
        responses={200: TicketSerializer},
        examples=[
            OpenApiExample(
                "Resolve",
                value={
                    "to_status": "resolved",
                    "version": 3,
                    "resolution_code": "solved",
                    "resolution_notes": "Reset the VPN profile.",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, number=None):
        data = TransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        ticket = services.ticket_transition(
            ticket=self.get_object(),
            actor=request.user,
            to_status=values.pop("to_status"),
            expected_version=values.pop("version"),
            **values,
        )
        return self._out(ticket)

    @extend_schema(request=AssignInputSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, number=None):
        ticket = self.get_object()
        data = AssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.ticket_assign(
            ticket=ticket,
            actor=request.user,
            expected_version=data.validated_data["version"],
            team=data.validated_data["team"],
            assignee=data.validated_data.get("assignee"),
        )
        return self._out(ticket)

    @extend_schema(request=PriorityInputSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def priority(self, request, number=None):
        ticket = self.get_object()
        data = PriorityInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.ticket_set_priority(
            ticket=ticket,
            actor=request.user,
            expected_version=data.validated_data["version"],
            priority=data.validated_data["priority"],
            reason=data.validated_data["reason"],
        )
        return self._out(ticket)

    # --- Suggestions (issue #18): desk only, like the ticket page's panels ---

    @extend_schema(
        responses={200: SuggestedArticleSerializer(many=True)},
        description="Published articles for this ticket, best first (desk staff only).",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="suggested-articles",
        pagination_class=None,
        filter_backends=[],
    )
    def suggested_articles(self, request, number=None):
        ticket = self.get_object()
        articles = selectors.article_list_suggested_for_ticket(ticket=ticket, user=request.user)
        return Response(SuggestedArticleSerializer(articles, many=True).data)

    @extend_schema(
        responses={200: SimilarTicketSerializer(many=True)},
        description="Open and recently resolved tickets like this one, best first (desk only).",
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def similar(self, request, number=None):
        ticket = self.get_object()
        similar = selectors.ticket_list_similar(ticket=ticket, user=request.user)
        return Response(SimilarTicketSerializer(similar, many=True).data)

    @extend_schema(request=DuplicateOfInputSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"], url_path="mark-duplicate")
    def mark_duplicate(self, request, number=None):
        """Resolve this ticket as a duplicate of another; stale `version` → 409."""
        ticket = self.get_object()
        data = DuplicateOfInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        other = selectors.ticket_get_for_user(
            user=request.user, number=data.validated_data["duplicate_of"]
        )
        ticket = services.ticket_mark_duplicate(
            ticket=ticket,
            duplicate_of=other,
            actor=request.user,
            expected_version=data.validated_data["version"],
        )
        return self._out(selectors.ticket_get_for_user(user=request.user, number=ticket.number))

    @idempotent_create
    @extend_schema(request=ArticleLinkInputSerializer, responses={201: ArticleLinkSerializer})
    @action(detail=True, methods=["post"], url_path="link-article")
    def link_article(self, request, number=None):
        """Record that a knowledge article helped with this ticket (idempotent)."""
        ticket = self.get_object()
        data = ArticleLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        article = article_get_by_number_or_none(
            user=request.user, number=data.validated_data["article"]
        )
        if article is None:
            raise NotFound("No such article.")
        link = services.ticket_link_article(ticket=ticket, article=article, actor=request.user)
        return Response(ArticleLinkSerializer(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        responses={200: CommentSerializer(many=True)},
        description="The conversation; requesters get public replies only.",
    )
    @idempotent_create
    @extend_schema(
        methods=["post"], request=CommentInputSerializer, responses={201: CommentSerializer}
    )
    # The whole list, neither paged nor filtered: the schema must not promise the list's
    # pagination and filters here.
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def comments(self, request, number=None):
        ticket = self.get_object()
        if request.method == "POST":
            data = CommentInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            if values.get("minutes") is not None:
                comment = services.ticket_reply_with_time(
                    ticket=ticket,
                    author=request.user,
                    body=values["body"],
                    is_public=values["is_public"],
                    minutes=values["minutes"],
                    set_status=values.get("set_status", ""),
                    resolution_code=values.get("resolution_code", ""),
                    files=values["attachments"],
                    expected_version=(
                        expected_version(request, dict(values))
                        if values.get("set_status")
                        else values.get("version")
                    ),
                )
            elif values.get("set_status"):
                comment = services.ticket_reply_and_set(
                    ticket=ticket,
                    author=request.user,
                    body=values["body"],
                    set_status=values["set_status"],
                    resolution_code=values.get("resolution_code", ""),
                    files=values["attachments"],
                    expected_version=expected_version(request, dict(values)),
                )
            else:
                comment = services.comment_add(
                    ticket=ticket,
                    author=request.user,
                    body=values["body"],
                    is_public=values["is_public"],
                    files=values["attachments"],
                    expected_version=values.get("version"),
                )
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        comments = selectors.comment_list_for_user(ticket=ticket, user=request.user)
        return Response(CommentSerializer(comments, many=True).data)


class IncidentViewSet(_TicketViewSet):
    """Incidents: something is broken or degraded."""

    kind = TicketKind.INCIDENT


class RequestViewSet(_TicketViewSet):
    """Service requests: someone needs something from the catalog."""

    kind = TicketKind.REQUEST
