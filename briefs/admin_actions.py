"""Admin actions that re-run analysis, for articles/admin.py to list on StoryAdmin and ArticleAdmin:

    from briefs.admin_actions import rerun_article_analysis, rerun_story_analysis
    actions = [rerun_story_analysis]      # StoryAdmin
    actions = [rerun_article_analysis]    # ArticleAdmin

Both need the briefs.rerun_analysis permission (Editor and Chief editor have it; superusers have all).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from articles.models import Article, Story


@admin.action(description="Re-run the analysis of the selected stories")
def rerun_story_analysis(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Story]
) -> None:
    from briefs.services import story_rerun_analysis

    if not request.user.has_perm("briefs.rerun_analysis"):
        modeladmin.message_user(request, "Your account may not re-run the analysis.", messages.ERROR)
        return
    count = sum(story_rerun_analysis(story=story) for story in queryset)
    modeladmin.message_user(request, _queued(count), messages.SUCCESS)


@admin.action(description="Re-run the analysis of the selected articles")
def rerun_article_analysis(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Article]
) -> None:
    from articles.jobs import enqueue_analysis

    if not request.user.has_perm("briefs.rerun_analysis"):
        modeladmin.message_user(request, "Your account may not re-run the analysis.", messages.ERROR)
        return
    articles = list(queryset)
    with transaction.atomic():  # every job exists before the first is sent: one synthesis per story
        for article in articles:
            enqueue_analysis(article, force=True)
    modeladmin.message_user(request, _queued(len(articles)), messages.SUCCESS)


def _queued(count: int) -> str:
    return f"Analysis queued for {count} article{'s' if count != 1 else ''}."
