from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from articles.models import ImportBatch, Story
from articles.views.rendering import render_page_or_partial, require_permission

IMPORT_PAGE = "articles/import.html"


def _sources_from_form(request: HttpRequest) -> tuple[list, list[str]]:
    """ImportSources from the form, and the problems found (for the editor, naming the field)."""
    from articles.importing import ImportSource

    sources, problems = [], []
    files = request.FILES.getlist("files")
    if len(files) > settings.IMPORT_MAX_FILES:
        problems.append(f"Files: {len(files)} chosen; at most {settings.IMPORT_MAX_FILES} at once.")
        files = []
    for upload in files:
        if upload.size > settings.IMPORT_MAX_FILE_BYTES:
            # Recorded as a failed item with its reason (never read into memory); the rest still imports.
            limit = settings.IMPORT_MAX_FILE_BYTES
            sources.append(
                ImportSource(
                    name=upload.name,
                    error=f"{upload.name}: {upload.size:,} bytes, over the limit of {limit:,} bytes per file",
                )
            )
            continue
        sources.append(ImportSource(name=upload.name, data=upload.read(), url=None, format_hint=None))
    pasted = request.POST.get("pasted", "").strip()
    if pasted:
        label = request.POST.get("pasted_title", "").strip() or "Pasted text"
        text = pasted if label == "Pasted text" else f"{label}\n\n{pasted}"
        sources.append(ImportSource(name=label, data=text.encode("utf-8"), url=None, format_hint="paste"))
    validate_url = URLValidator(schemes=["http", "https"])
    for field, hint, label in (("url", "url", "Web page URL"), ("feed_url", "feed", "Feed URL")):
        value = request.POST.get(field, "").strip()
        if not value:
            continue
        try:
            validate_url(value)
        except ValidationError:
            problems.append(f"{label}: “{value}” is not an http(s) address.")
            continue
        sources.append(ImportSource(name=value, data=None, url=value, format_hint=hint))
    if not sources and not problems:
        problems.append("Nothing to import: choose files, paste text, or give a URL or feed URL.")
    return sources, problems


@login_required
def story_import(request: HttpRequest, slug: str) -> HttpResponse:
    story = get_object_or_404(Story, slug=slug)
    context = {
        "story": story,
        "batches": story.import_batches.select_related("created_by")[:10],
        "max_files": settings.IMPORT_MAX_FILES,
        "max_bytes": settings.IMPORT_MAX_FILE_BYTES,
    }
    if request.method == "POST":
        require_permission(request, "briefs.import_articles")
        sources, problems = _sources_from_form(request)
        if problems:
            context.update(problems=problems, form=request.POST)
            return render(request, IMPORT_PAGE, context, status=422)
        from articles.importing import BatchRejected, create_import_batch

        try:
            batch = create_import_batch(story, sources, user=request.user)
        except BatchRejected as rejected:
            context.update(problems=[str(rejected)], form=request.POST)
            return render(request, IMPORT_PAGE, context, status=422)
        messages.success(request, f"Import #{batch.pk} started with {len(sources)} source(s).")
        return redirect("import_batch", slug=story.slug, batch_id=batch.pk)
    return render(request, IMPORT_PAGE, context)


@login_required
def import_batch(request: HttpRequest, slug: str, batch_id: int) -> HttpResponse:
    story = get_object_or_404(Story, slug=slug)
    batch = (
        ImportBatch.objects.select_related("created_by")
        .prefetch_related("items__article", "items__duplicate_of")
        .filter(story=story, pk=batch_id)
        .first()
    )
    if batch is None:
        raise Http404(f"Story “{story.title}” has no import #{batch_id}.")
    items = list(batch.items.all())
    counts: dict[str, int] = {}
    for item in items:
        counts[item.get_status_display()] = counts.get(item.get_status_display(), 0) + 1
    context = {"story": story, "batch": batch, "items": items, "counts": counts}
    return render_page_or_partial(request, "articles/import_batch.html", context, partials=["batch-report"])
