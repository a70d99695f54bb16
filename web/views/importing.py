from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from articles import jobs
from articles.importing import BatchRejected, ImportSource
from articles.models import ImportBatch, Story
from articles.rules import HTTP_SCHEMES
from web.forms import ImportForm, SourceFieldsForm
from web.htmx import render_htmx, require_permission

IMPORT_PAGE = "articles/import.html"


def _details_forms(request: HttpRequest) -> tuple[SourceFieldsForm, SourceFieldsForm]:
    """The outlet, URL and date given for the files and for the pasted text."""
    data = request.POST if request.method == "POST" else None
    return SourceFieldsForm(data, prefix="files"), SourceFieldsForm(data, prefix="pasted")


def _sources_from_form(
    request: HttpRequest, files_details: SourceFieldsForm, pasted_details: SourceFieldsForm
) -> tuple[list, list[str]]:
    """ImportSources from the form, and the problems found (for the editor, naming the field)."""
    sources, problems = [], []
    form = ImportForm(request.POST)
    typed = form.cleaned_data if form.is_valid() else {}
    files = request.FILES.getlist("files")
    pasted = typed.get("pasted", "")
    for details, what, given, how in (
        (files_details, "the files", bool(files), "choose the files"),
        (pasted_details, "the pasted text", bool(pasted), "paste the text"),
    ):
        if not details.is_valid():
            problems.extend(details.problems(what))
        elif details.has_values() and not given:
            problems.append(
                f"Outlet, URL or date of {what}: given without {what}; {how} or leave them blank."
            )
    if files_details.is_valid() and files_details.cleaned_data["url"] and len(files) > 1:
        problems.append(
            f"URL of the files: one web address for {len(files)} files; import a file with its URL on its "
            "own, or leave the URL blank."
        )
    file_details = files_details.details() if files_details.is_valid() else None
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
        sources.append(ImportSource(name=upload.name, data=upload.read(), details=file_details))
    if pasted:
        label = typed.get("pasted_title", "") or "Pasted text"
        text = pasted if label == "Pasted text" else f"{label}\n\n{pasted}"
        sources.append(
            ImportSource(
                name=label,
                data=text.encode("utf-8"),
                format_hint="paste",
                details=pasted_details.details() if pasted_details.is_valid() else None,
            )
        )
    validate_url = URLValidator(schemes=list(HTTP_SCHEMES))
    for field, hint, label in (("url", "url", "Web page URL"), ("feed_url", "feed", "Feed URL")):
        value = typed.get(field, "")
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
    if problems and files:
        problems.append(
            f"Choose the {len(files)} file(s) again: a browser does not keep them across a refusal."
        )
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
    files_details, pasted_details = _details_forms(request)
    context.update(files_details=files_details, pasted_details=pasted_details)
    if request.method == "POST":
        require_permission(request, "briefs.import_articles")
        sources, problems = _sources_from_form(request, files_details, pasted_details)
        if problems:
            context.update(problems=problems, form=request.POST)
            return render(request, IMPORT_PAGE, context, status=422)
        try:
            batch = jobs.start_import(story, sources, user=request.user)
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
    return render_htmx(
        request, "articles/import_batch.html", context, partial="batch-report", targets=["batch-report"]
    )
