"""The workbench's views: stories (list, workspace, article text, claim evidence), importing, source details,
the job line, and the brief's actions and public pages (briefs). Each view translates HTTP into a selector
or a service call and answers the full page or, for an HTMX request, its named partial (web.htmx).
"""
