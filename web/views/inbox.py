"""The Inbox page: the stories the workbench formed from Inbox sources, and the editor's sorting of them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from articles import jobs
from articles.models import Story, StoryAction
from articles.services import inbox
from web.forms import InboxActionForm
from web.htmx import require_permission

INBOX_PAGE = "articles/inbox.html"


@require_GET
@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    require_permission(request, "articles.view_story")
    candidates = list(inbox.candidates())
    for story in candidates:
        story.listed_articles = list(story.articles.select_related("outlet").order_by("published_at", "id"))
    context = {
        "candidates": candidates,
        "sorted_articles": list(inbox.recently_sorted()[:50]),
        "actions": list(inbox.recent_actions()),
        "stories": list(inbox.open_stories()),
        "may_sort": request.user.has_perm(inbox.SORT_PERMISSION),
    }
    return render(request, INBOX_PAGE, context)


@require_POST
@login_required
def inbox_action(request: HttpRequest, story_id: int) -> HttpResponse:
    require_permission(request, inbox.SORT_PERMISSION)
    story = get_object_or_404(Story, pk=story_id)
    form = InboxActionForm(request.POST, story=story)
    if not form.is_valid():
        for problem in form.problems():
            messages.error(request, problem)
        return redirect("inbox")
    data = form.cleaned_data
    try:
        action = _act(request, story, data)
    except inbox.InboxError as error:
        messages.error(request, str(error))
        return redirect("inbox")
    jobs.resynthesise_sorted(action)
    messages.success(request, f"{action.summary}.")
    return redirect("inbox")


def _act(request: HttpRequest, story: Story, data: dict) -> StoryAction:
    kind = data["action"]
    if kind == "accept":
        return inbox.accept(request.user, story, data["title"])
    if kind == "split":  # the new story is titled after its first article (the title field is Accept's)
        return inbox.split(request.user, story, data["articles"])
    target = Story.objects.filter(pk=data["into"]).first() if data["into"] else None
    if target is None:
        doing = "merge this story into" if kind == "merge" else "move the ticked articles to"
        raise inbox.InboxError(f"Choose the story to {doing}.")
    if kind == "merge":
        return inbox.merge(request.user, story, target)
    return inbox.move(request.user, story, data["articles"], target)


@require_POST
@login_required
def inbox_undo(request: HttpRequest, action_id: int) -> HttpResponse:
    require_permission(request, inbox.SORT_PERMISSION)
    action = get_object_or_404(StoryAction, pk=action_id)
    try:
        inbox.undo(request.user, action)
    except inbox.InboxError as error:
        messages.error(request, str(error))
    else:
        jobs.resynthesise_sorted(action)
        messages.success(request, f"Undone: {action.summary}.")
    return redirect("inbox")
