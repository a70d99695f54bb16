from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from articles import jobs
from articles.models import (
    Article,
    ArticleOverlap,
    CandidateBrief,
    CandidateBriefSentence,
    Claim,
    Discrepancy,
    Entity,
    ImportBatch,
    ImportItem,
    Job,
    Mention,
    Outlet,
    Sentence,
    SourceCorrection,
    Story,
    StoryAction,
    Summary,
    WatchedSource,
)
from articles.services.sources import FIELDS as SOURCE_FIELDS
from articles.services.sources import SourceDetailsConflict, SourceDetailsError
from briefs.services import article_source_correct

# Admin actions that re-run analysis (the briefs.rerun_analysis permission: Editor and Chief editor have it;
# superusers have all).


@admin.action(description="Re-run the analysis of the selected stories")
def rerun_story_analysis(modeladmin: admin.ModelAdmin, request, queryset) -> None:
    if not request.user.has_perm("briefs.rerun_analysis"):
        modeladmin.message_user(request, "Your account may not re-run the analysis.", messages.ERROR)
        return
    count = sum(jobs.rerun_analysis(list(story.articles.all())) for story in queryset)
    modeladmin.message_user(request, _analysis_queued(count), messages.SUCCESS)


@admin.action(description="Re-run the analysis of the selected articles")
def rerun_article_analysis(modeladmin: admin.ModelAdmin, request, queryset) -> None:
    if not request.user.has_perm("briefs.rerun_analysis"):
        modeladmin.message_user(request, "Your account may not re-run the analysis.", messages.ERROR)
        return
    count = jobs.rerun_analysis(list(queryset))
    modeladmin.message_user(request, _analysis_queued(count), messages.SUCCESS)


def _analysis_queued(count: int) -> str:
    return f"Analysis queued for {count} article{'s' if count != 1 else ''}."


def admin_link(obj, label: str | None = None) -> str:
    """A link to an object's change page in the admin, or a dash."""
    if obj is None:
        return "—"
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label or str(obj))


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "domain"]
    search_fields = ["name", "domain"]


class ArticleInline(admin.TabularInline):
    model = Article
    fields = ["title", "outlet", "published_at", "source_format"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "status", "article_count", "created", "updated"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "created"
    inlines = [ArticleInline]
    actions = [rerun_story_analysis]

    @admin.display(description="articles")
    def article_count(self, story: Story) -> int:
        return story.articles.count()


class ReadOnlyAdminMixin:
    """An audit record: shown, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StoryAction)
class StoryActionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The Inbox's actions, as recorded (articles.services.inbox); undone in the workbench's Inbox."""

    list_display = ["created", "kind", "summary", "user", "undone_at"]
    list_filter = ["kind", "created"]
    search_fields = ["summary"]
    list_select_related = ["user"]
    fields = [
        "created",
        "kind",
        "summary",
        "user",
        "story",
        "other",
        "moves",
        "statuses",
        "titles",
        "undone_at",
        "undone_by",
    ]
    readonly_fields = fields
    date_hierarchy = "created"


@admin.register(SourceCorrection)
class SourceCorrectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The workbench's "Edit source details", as recorded (articles.services.sources)."""

    list_display = ["created", "username", "article_link", "story_link", "summary"]
    list_filter = ["created"]
    search_fields = ["username", "article__title", "article__story__title"]
    list_select_related = ["article", "article__story"]
    fields = ["created", "username", "user", "article_link", "summary", "changes"]
    readonly_fields = fields
    date_hierarchy = "created"

    @admin.display(description="article")
    def article_link(self, correction: SourceCorrection) -> str:
        return admin_link(correction.article)

    @admin.display(description="story")
    def story_link(self, correction: SourceCorrection) -> str:
        return admin_link(correction.article.story)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "story_link",
        "outlet",
        "published_at",
        "source_format",
        "language_label",
        "batch_link",
        "analyzed_at",
    ]
    list_filter = ["source_format", "outlet", "story", "language"]
    search_fields = ["title", "body", "url", "byline", "source_name"]
    list_select_related = ["story", "outlet", "import_batch"]
    raw_id_fields = ["near_duplicate_of", "import_batch"]
    # The text is what the sentences, mentions and citations point into: correcting it means importing again.
    readonly_fields = [
        "body",
        "raw_input",
        "content_hash",
        "created",
        "analyzed_at",
        "analysis_note",
        "story_link",
        "batch_link",
        "near_duplicate_link",
        "corrections_link",
    ]
    date_hierarchy = "created"
    actions = [rerun_article_analysis]

    def save_model(self, request, obj: Article, form, change: bool) -> None:
        """An edit of the outlet, URL, byline or date goes through the workbench's "Edit source details"
        (briefs.services.article_source_correct): recorded as a SourceCorrection, the brief citing
        the article given a revision, the synthesis queued again for a new outlet. The rest saves as usual."""
        corrected = [name for name in SOURCE_FIELDS if change and name in form.changed_data]
        if not corrected:
            super().save_model(request, obj, form, change)
            return
        given = {name: getattr(obj, name) for name in corrected}
        stored = Article.objects.select_related("outlet").get(pk=obj.pk)
        for name in corrected:  # saved by the service below, not by the admin's save
            setattr(obj, name, getattr(stored, name))
        super().save_model(request, obj, form, change)
        if "outlet" in given:
            given["outlet"] = given["outlet"].name if given["outlet"] else ""
        try:
            update = jobs.resynthesise_after(article_source_correct(obj, request.user, **given), obj.story)
        except (SourceDetailsError, SourceDetailsConflict, PermissionDenied) as problem:
            self.message_user(request, f"The source details were not saved: {problem}", messages.ERROR)
            return
        for warning in update.warnings:
            self.message_user(request, warning, messages.WARNING)
        if update.saved:
            note = f"Source details corrected ({update.correction.summary}); recorded as a source correction."
            if update.brief_revision:
                note += f" The story's brief has revision {update.brief_revision} with the corrected source."
            self.message_user(request, note, messages.INFO)
        obj.refresh_from_db()

    @admin.display(description="story", ordering="story__title")
    def story_link(self, article: Article) -> str:
        return admin_link(article.story)

    @admin.display(description="language", ordering="language")
    def language_label(self, article: Article) -> str:
        """The language as "German (de)"; "unknown" when the text was too short to tell."""
        if not article.language:
            return "unknown"
        name = article.language_name
        return article.language if name == article.language else f"{name} ({article.language})"

    @admin.display(description="import batch")
    def batch_link(self, article: Article) -> str:
        return admin_link(
            article.import_batch, f"#{article.import_batch_id}" if article.import_batch_id else None
        )

    @admin.display(description="near-duplicate of")
    def near_duplicate_link(self, article: Article) -> str:
        return admin_link(article.near_duplicate_of)

    @admin.display(description="source corrections in the workbench")
    def corrections_link(self, article: Article) -> str:
        count = article.source_corrections.count()
        if not count:
            return "none"
        url = reverse("admin:articles_sourcecorrection_changelist") + f"?article__id__exact={article.pk}"
        return format_html('<a href="{}">{} correction{}</a>', url, count, "" if count == 1 else "s")


class ImportItemInline(admin.TabularInline):
    model = ImportItem
    fields = ["position", "source", "status", "article", "duplicate_of", "similarity", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["id", "story_link", "created_by", "created", "finished", "item_count"]
    list_filter = ["created"]
    search_fields = ["story__title", "items__source"]
    list_select_related = ["story", "created_by"]
    readonly_fields = ["story_link", "created", "finished", "inputs"]
    inlines = [ImportItemInline]

    @admin.display(description="story")
    def story_link(self, batch: ImportBatch) -> str:
        return admin_link(batch.story)

    @admin.display(description="items")
    def item_count(self, batch: ImportBatch) -> int:
        return batch.items.count()


@admin.register(ImportItem)
class ImportItemAdmin(admin.ModelAdmin):
    list_display = ["source", "status", "batch", "article_link", "similarity", "message"]
    list_filter = ["status"]
    search_fields = ["source", "message"]
    list_select_related = ["batch", "article"]
    raw_id_fields = ["batch", "article", "duplicate_of"]

    @admin.display(description="article")
    def article_link(self, item: ImportItem) -> str:
        return admin_link(item.article)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "state",
        "story",
        "article",
        "progress",
        "attempts",
        "created",
        "finished_at",
    ]
    list_filter = ["kind", "state"]
    search_fields = ["error", "story__title", "article__title"]
    list_select_related = ["story", "article"]
    raw_id_fields = ["story", "article", "batch"]

    @admin.display(description="progress")
    def progress(self, job: Job) -> str:
        return f"{job.progress_done}/{job.progress_total}"


@admin.register(Sentence)
class SentenceAdmin(admin.ModelAdmin):
    list_display = ["text", "article", "index", "is_boilerplate", "boilerplate_reason"]
    list_filter = ["is_boilerplate"]
    search_fields = ["text"]
    raw_id_fields = ["article"]


@admin.register(Summary)
class SummaryAdmin(admin.ModelAdmin):
    list_display = ["article", "algorithm", "created"]
    list_filter = ["algorithm"]
    search_fields = ["article__title", "text"]
    raw_id_fields = ["article"]


class MentionInline(admin.TabularInline):
    model = Mention
    fields = ["article", "text", "label", "start", "end"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "label", "mention_count", "story"]
    list_filter = ["label", "story"]
    search_fields = ["name", "aliases"]
    filter_horizontal = ["articles"]
    inlines = [MentionInline]


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["text", "label", "entity", "article"]
    list_filter = ["label"]
    search_fields = ["text"]
    raw_id_fields = ["article", "entity"]


class DiscrepancyInline(admin.TabularInline):
    model = Discrepancy
    fk_name = "claim"
    fields = ["kind", "value_a", "value_b", "explanation"]
    extra = 0


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["text", "support", "unique", "story", "position"]
    list_filter = ["unique", "story"]
    search_fields = ["text"]
    raw_id_fields = ["representative", "closest", "sentences", "entities"]
    inlines = [DiscrepancyInline]


@admin.register(Discrepancy)
class DiscrepancyAdmin(admin.ModelAdmin):
    list_display = ["kind", "value_a", "value_b", "claim"]
    list_filter = ["kind"]
    raw_id_fields = ["claim", "sentence_a", "sentence_b"]


@admin.register(ArticleOverlap)
class ArticleOverlapAdmin(admin.ModelAdmin):
    list_display = ["article", "other", "coverage", "story"]
    list_filter = ["story"]
    raw_id_fields = ["article", "other"]


class CandidateBriefSentenceInline(admin.TabularInline):
    model = CandidateBriefSentence
    raw_id_fields = ["sentence", "claim"]
    extra = 0


@admin.register(CandidateBrief)
class CandidateBriefAdmin(admin.ModelAdmin):
    list_display = ["story", "algorithm", "created"]
    inlines = [CandidateBriefSentenceInline]


@admin.register(WatchedSource)
class WatchedSourceAdmin(admin.ModelAdmin):
    """Watched feeds. What the polls record (validators, failures, results) is read-only here."""

    list_display = ["__str__", "url", "story", "state", "interval_minutes", "last_polled_at", "failures"]
    list_filter = ["state"]
    search_fields = ["name", "url", "story__title"]
    list_select_related = ["story"]
    autocomplete_fields = ["story"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = [
        "owner",
        "created",
        "last_polled_at",
        "last_changed_at",
        "last_result",
        "last_error",
        "failures",
        "etag",
        "last_modified",
        "content_digest",
    ]

    def save_model(self, request, obj: WatchedSource, form, change) -> None:
        if not change:
            obj.owner = request.user
        super().save_model(request, obj, form, change)
