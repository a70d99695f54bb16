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
]
_EDIT = [
    "articles.add_story",
    "briefs.import_articles",
    "briefs.edit_brief",
    "briefs.rerun_analysis",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    VIEWER: _READ,
    EDITOR: _READ + _EDIT,
    CHIEF_EDITOR: _READ + _EDIT + ["briefs.publish_brief"],
}

DEMO_ACCOUNTS: dict[str, str] = {"editor": EDITOR, "chief": CHIEF_EDITOR, "viewer": VIEWER}
