"""The editorial roles. Migration briefs/0002_roles creates the groups; ensure_roles() keeps them in step."""

from __future__ import annotations

EDITOR = "Editor"
CHIEF_EDITOR = "Chief editor"
VIEWER = "Viewer"

# Permissions are "app_label.codename". The briefs permissions are declared on briefs.models.Brief.
_READ = [
    "articles.view_story",
    "articles.view_article",
    "briefs.view_brief",
    "briefs.view_revision",
    "briefs.view_publication",
    "articles.view_watchedsource",  # the Sources page, read-only
]
# Editors also correct an article's source details (outlet, URL, byline, date) on its page in the workbench
# (articles.change_article; audited, see articles.services.sources); only the admin's staff see the admin.
_EDIT = [
    "articles.add_story",  # also: sort the Inbox's stories (accept, merge, split, move, undo)
    "articles.change_article",
    # Watched feeds (the Sources page): add one, pause or resume it, poll it now.
    "articles.add_watchedsource",
    "articles.change_watchedsource",
    "briefs.import_articles",
    "briefs.edit_brief",
    "briefs.rerun_analysis",
]
# The chief editor also keeps the records in order in the admin: corrects stories, articles' metadata and
# outlets, and reads everything else there (briefs stay read-only in the admin, see briefs.admin), the
# source corrections made in the workbench among them.
_ADMIN = [
    "articles.change_story",
    "articles.add_outlet",
    "articles.change_outlet",
    "articles.view_outlet",
    "articles.view_importbatch",
    "articles.view_importitem",
    "articles.view_job",
    "articles.view_sentence",
    "articles.view_claim",
    "articles.view_discrepancy",
    "articles.view_entity",
    "articles.view_sourcecorrection",
    "articles.view_storyaction",  # the Inbox's actions (undone in the workbench, not the admin)
    "briefs.view_briefitem",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    VIEWER: _READ,
    EDITOR: _READ + _EDIT,
    CHIEF_EDITOR: _READ + _EDIT + ["briefs.publish_brief"] + _ADMIN,
}
# Roles whose members may open the admin (is_staff), for the models their permissions cover.
STAFF_ROLES = frozenset({CHIEF_EDITOR})

DEMO_ACCOUNTS: dict[str, str] = {"editor": EDITOR, "chief": CHIEF_EDITOR, "viewer": VIEWER}
