from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from briefs.models import Brief, BriefItem, Publication, Revision
from briefs.services import BriefActionError, BriefConflict, brief_publish, brief_unpublish
from web.admin.articles import admin_link


def _own_page(model_admin: admin.ModelAdmin, request: HttpRequest) -> bool:
    """Whether the request is for one of this model's own admin pages (its list, change or delete page),
    rather than, say, the delete page of the story it belongs to."""
    match = getattr(request, "resolver_match", None)
    opts = model_admin.model._meta
    return bool(match and (match.url_name or "").startswith(f"{opts.app_label}_{opts.model_name}_"))


class EditedInTheWorkbench:
    """Briefs, their items and their revisions change only through briefs.services, in the workbench: every
    edit there checks the version, bumps it and records a revision under the editor's name. The admin shows
    them read-only (an edit here would skip both, and the next editor's revision would carry it under their
    name). They are deleted only along with their story."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if _own_page(self, request):
            return False
        return super().has_delete_permission(request, obj)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class BriefItemInline(ReadOnlyInline):
    model = BriefItem
    fields = ["position", "text", "origin", "edited", "claim", "sources"]
    readonly_fields = fields

    @admin.display(description="sources")
    def sources(self, item: BriefItem) -> str:
        return ", ".join(a.source_label for a in item.articles.all()) or "unsourced"


class RevisionInline(ReadOnlyInline):
    model = Revision
    fields = ["revision_link", "action", "author", "created"]
    readonly_fields = fields
    ordering = ["-number"]

    @admin.display(description="revision")
    def revision_link(self, revision: Revision) -> str:
        return admin_link(revision, f"#{revision.number}")


class PublicationInline(ReadOnlyInline):
    model = Publication
    fields = ["revision", "published_at", "published_by", "unpublished_at", "unpublished_by"]
    readonly_fields = fields


@admin.register(Brief)
class BriefAdmin(EditedInTheWorkbench, admin.ModelAdmin):
    list_display = ["__str__", "story_link", "state", "version", "updated", "updated_by", "public_link"]
    list_filter = ["state"]
    search_fields = ["headline", "story__title", "items__text"]
    list_select_related = ["story", "updated_by"]
    fields = [
        "story_link",
        "headline",
        "standfirst",
        "version",
        "state",
        "created",
        "updated",
        "updated_by",
        "public_link",
    ]
    readonly_fields = fields
    inlines = [BriefItemInline, PublicationInline, RevisionInline]
    actions = ["publish_current_version", "unpublish"]

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("briefs.publish_brief")

    @admin.display(description="story")
    def story_link(self, brief: Brief) -> str:
        return format_html(
            '{} (<a href="{}">edit the brief in the workspace</a>)',
            admin_link(brief.story),
            brief.story.get_absolute_url(),
        )

    @admin.display(description="public page")
    def public_link(self, brief: Brief) -> str:
        if brief.state != Brief.State.PUBLISHED:
            return "—"
        url = reverse("public_brief", args=[brief.story.slug])
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.action(description="Publish the current version of the selected briefs", permissions=["publish"])
    def publish_current_version(self, request: HttpRequest, queryset: QuerySet[Brief]) -> None:
        for brief in queryset:
            try:
                publication = brief_publish(brief, user=request.user, expected_version=brief.version)
            except (BriefActionError, BriefConflict) as problem:
                self.message_user(request, f"{brief}: {problem}", messages.ERROR)
            else:
                self.message_user(request, f"{brief}: published revision {publication.revision.number}.")

    @admin.action(description="Unpublish the selected briefs", permissions=["publish"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Brief]) -> None:
        for brief in queryset:
            try:
                brief_unpublish(brief, user=request.user, expected_version=brief.version)
            except (BriefActionError, BriefConflict) as problem:
                self.message_user(request, f"{brief}: {problem}", messages.ERROR)
            else:
                self.message_user(request, f"{brief}: unpublished.")


@admin.register(BriefItem)
class BriefItemAdmin(EditedInTheWorkbench, admin.ModelAdmin):
    list_display = ["text", "brief_link", "position", "origin", "edited"]
    list_filter = ["origin", "edited"]
    search_fields = ["text"]
    list_select_related = ["brief__story"]
    fields = ["brief_link", "position", "text", "origin", "edited", "claim", "articles", "sentences"]
    readonly_fields = fields

    @admin.display(description="brief")
    def brief_link(self, item: BriefItem) -> str:
        return admin_link(item.brief)


@admin.register(Revision)
class RevisionAdmin(EditedInTheWorkbench, admin.ModelAdmin):
    list_display = ["number", "brief_link", "action", "author", "created"]
    list_select_related = ["brief__story", "author"]
    search_fields = ["action", "brief__headline", "brief__story__title"]
    readonly_fields = ["brief_link", "number", "action", "author", "created", "exports", "snapshot"]
    fields = readonly_fields
    date_hierarchy = "created"

    @admin.display(description="brief")
    def brief_link(self, revision: Revision) -> str:
        return admin_link(revision.brief)

    @admin.display(description="exports")
    def exports(self, revision: Revision) -> str:
        slug = revision.brief.story.slug
        links = [
            format_html(
                '<a href="{}">{}</a>', reverse("brief_export", args=[slug, revision.number, fmt]), label
            )
            for fmt, label in (("md", "Markdown"), ("html", "HTML"), ("json", "JSON"))
        ]
        return format_html(" · ".join(["{}"] * len(links)), *links)


@admin.register(Publication)
class PublicationAdmin(EditedInTheWorkbench, admin.ModelAdmin):
    list_display = ["brief_link", "revision_link", "published_at", "published_by", "unpublished_at"]
    list_filter = ["unpublished_at"]
    list_select_related = ["brief__story", "revision", "published_by"]
    readonly_fields = [
        "brief_link",
        "revision_link",
        "published_at",
        "published_by",
        "unpublished_at",
        "unpublished_by",
    ]
    fields = readonly_fields

    @admin.display(description="brief")
    def brief_link(self, publication: Publication) -> str:
        return admin_link(publication.brief)

    @admin.display(description="revision")
    def revision_link(self, publication: Publication) -> str:
        return admin_link(publication.revision, f"#{publication.revision.number}")
