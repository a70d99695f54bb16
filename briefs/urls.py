from django.urls import path

from briefs import views
from briefs.feeds import PublishedBriefsFeed

brief = "stories/<slug:slug>/brief/"

urlpatterns = [
    path("published/", views.public_index, name="public_index"),
    path("published/feed.atom", PublishedBriefsFeed(), name="published_feed"),
    path("published/<slug:slug>/", views.public_brief, name="public_brief"),
    path(brief, views.brief_pane, name="brief_pane"),
    path(brief + "presence/", views.brief_presence, name="brief_presence"),
    path(brief + "header/", views.update_header, name="brief_header"),
    path(brief + "add-claim/", views.add_claim, name="brief_add_claim"),
    path(brief + "add-sentence/", views.add_sentence, name="brief_add_sentence"),
    path(brief + "add-own/", views.add_own_item, name="brief_add_own"),
    path(brief + "start-from-candidate/", views.start_from_candidate, name="brief_start_from_candidate"),
    path(brief + "merge/", views.merge_items, name="brief_merge"),
    path(brief + "items/<int:item_id>/remove/", views.remove_item, name="brief_remove_item"),
    path(brief + "items/<int:item_id>/move/", views.move_item, name="brief_move_item"),
    path(brief + "items/<int:item_id>/edit/", views.edit_item, name="brief_edit_item"),
    path(brief + "items/<int:item_id>/attach/", views.attach_source, name="brief_attach_source"),
    path(brief + "items/<int:item_id>/detach/", views.detach_source, name="brief_detach_source"),
    path(brief + "history/", views.history, name="brief_history"),
    path(brief + "restore/<int:number>/", views.restore_revision, name="brief_restore"),
    path(brief + "items/<int:item_id>/resolve-flag/", views.resolve_flag, name="brief_resolve_flag"),
    path(brief + "preview/", views.preview, name="brief_preview"),
    path(brief + "publish/", views.publish, name="brief_publish"),
    path(brief + "unpublish/", views.unpublish, name="brief_unpublish"),
    path(brief + "revisions/<int:number>.<str:fmt>", views.export_revision, name="brief_export"),
]
