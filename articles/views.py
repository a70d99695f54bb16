"""Placeholder read views; the workbench issue replaces them with the HTMX workspace."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from articles.models import Story


@login_required
def story_list(request):
    return render(request, "articles/story_list.html", {"stories": Story.objects.all()})


@login_required
def story_detail(request, slug):
    story = get_object_or_404(Story, slug=slug)
    return render(request, "articles/story_detail.html", {"story": story})
