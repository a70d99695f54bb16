"""The workbench pages about stories: the list, the three-pane workspace, an article's text, importing.

The brief's own actions (edit, history, publish, exports, public page, feed) live in briefs.views.
"""
