"""Every page of the workbench and the public site: the stories' pages, then the brief's actions."""

from django.urls import path

from briefs.feeds import PublishedBriefsFeed
from web.feeds import StoryTimelineFeed
from web.views import briefs, importing, inbox, jobs, sources, stories, watching

brief = "stories/<slug:slug>/brief/"

urlpatterns = [
    path("published/", briefs.public_index, name="public_index"),
    path("published/feed.atom", PublishedBriefsFeed(), name="published_feed"),
    path("published/<slug:slug>/", briefs.public_brief, name="public_brief"),
    path(brief, briefs.brief_pane, name="brief_pane"),
    path(brief + "presence/", briefs.brief_presence, name="brief_presence"),
    path(brief + "header/", briefs.update_header, name="brief_header"),
    path(brief + "add-claim/", briefs.add_claim, name="brief_add_claim"),
    path(brief + "add-sentence/", briefs.add_sentence, name="brief_add_sentence"),
    path(brief + "add-own/", briefs.add_own_item, name="brief_add_own"),
    path(brief + "start-from-candidate/", briefs.start_from_candidate, name="brief_start_from_candidate"),
    path(brief + "merge/", briefs.merge_items, name="brief_merge"),
    path(brief + "items/<int:item_id>/remove/", briefs.remove_item, name="brief_remove_item"),
    path(brief + "items/<int:item_id>/move/", briefs.move_item, name="brief_move_item"),
    path(brief + "items/<int:item_id>/edit/", briefs.edit_item, name="brief_edit_item"),
    path(brief + "items/<int:item_id>/attach/", briefs.attach_source, name="brief_attach_source"),
    path(brief + "items/<int:item_id>/detach/", briefs.detach_source, name="brief_detach_source"),
    path(brief + "history/", briefs.history, name="brief_history"),
    path(brief + "restore/<int:number>/", briefs.restore_revision, name="brief_restore"),
    path(brief + "items/<int:item_id>/resolve-flag/", briefs.resolve_flag, name="brief_resolve_flag"),
    path(brief + "preview/", briefs.preview, name="brief_preview"),
    path(brief + "publish/", briefs.publish, name="brief_publish"),
    path(brief + "unpublish/", briefs.unpublish, name="brief_unpublish"),
    path(brief + "revisions/<int:number>.<str:fmt>", briefs.export_revision, name="brief_export"),
    path("", stories.home, name="home"),
    path("stories/", stories.story_list, name="story_list"),
    path("inbox/", inbox.inbox_page, name="inbox"),
    path("inbox/stories/<int:story_id>/", inbox.inbox_action, name="inbox_action"),
    path("inbox/actions/<int:action_id>/undo/", inbox.inbox_undo, name="inbox_undo"),
    path("sources/", watching.source_list, name="source_list"),
    path("sources/add/", watching.source_add, name="source_add"),
    path("sources/<int:source_id>/", watching.source_action, name="source_action"),
    path("stories/new/", stories.story_create_view, name="story_create"),
    path("stories/<slug:slug>/", stories.story_detail, name="story_detail"),
    path("stories/<slug:slug>/articles/<int:article_id>/", stories.article_text, name="article_text"),
    path(
        "stories/<slug:slug>/articles/<int:article_id>/source/",
        sources.article_source_details,
        name="article_source_details",
    ),
    path("stories/<slug:slug>/claims/<int:claim_id>/", stories.claim_evidence, name="claim_evidence"),
    path("stories/<slug:slug>/analysis/", stories.story_rerun_analysis_view, name="story_rerun_analysis"),
    path("stories/<slug:slug>/jobs/", jobs.job_status, name="story_jobs"),
    path("stories/<slug:slug>/timeline/", stories.story_timeline, name="story_timeline"),
    path("stories/<slug:slug>/timeline.atom", StoryTimelineFeed(), name="story_timeline_feed"),
    path("stories/<slug:slug>/import/", importing.story_import, name="story_import"),
    path("stories/<slug:slug>/import/<int:batch_id>/", importing.import_batch, name="import_batch"),
]
