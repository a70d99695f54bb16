"""The forms of an article's source details: the import form's outlet, URL and date, and the article page's
"Edit source details" (the same fields and the byline). Blank means "not known"."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.validators import URLValidator

from articles.rules import HTTP_SCHEMES

DATE_FORMATS = [
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%d %B %Y %H:%M",
    "%d %b %Y %H:%M",
    "%d %B %Y",
    "%d %b %Y",
]
DATE_ONLY_FORMATS = [f for f in DATE_FORMATS if "%H" not in f]
DATE_HINT = "2025-04-08 or 2025-04-08 14:30"


class SourceFieldsForm(forms.Form):
    """Outlet, URL and publication date; every field optional."""

    outlet = forms.CharField(
        label="Outlet",
        max_length=200,
        required=False,
        help_text="The publication's name, as readers know it. Blank: unknown.",
    )
    url = forms.URLField(
        label="URL",
        max_length=2000,
        required=False,
        assume_scheme="https",
        validators=[URLValidator(schemes=list(HTTP_SCHEMES))],
        error_messages={
            "invalid": "not an http(s) address",
            "max_length": (
                "longer than the limit of %(limit_value)s characters (it has %(show_value)s); shorten it "
                "(the part after “?” is often only tracking)"
            ),
        },
        help_text="The article's web address (http or https); a user name and password in it are dropped.",
    )
    published_at = forms.DateTimeField(
        label="Date",
        required=False,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": f"not a date; write {DATE_HINT}"},
        help_text=f"When it was published: {DATE_HINT} (the workbench's time zone).",
    )

    def clean_outlet(self) -> str:
        return " ".join(self.cleaned_data["outlet"].split())

    def problems(self, what: str) -> list[str]:
        """The errors as sentences naming the field and what it belongs to: "Date of the pasted text: …"."""
        found = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else "Form"
            value = self.data.get(self.add_prefix(name), "").strip()
            for error in errors:
                shown = f"“{value}” is {error}" if value and error.startswith("not ") else error
                found.append(f"{label} of {what}: {shown}.")
        return found

    def details(self):
        """The cleaned fields as an import's SourceDetails (None when all are blank)."""
        from articles.importing.records import SourceDetails

        data = self.cleaned_data
        published = data.get("published_at")
        if published and self._typed_date_only():
            # A date without a time of day stays one: the article shows the date alone, never "00:00".
            given = published.date().isoformat()
        else:
            given = published.isoformat() if published else ""
        return SourceDetails.from_dict(
            {"outlet": data.get("outlet", ""), "url": data.get("url", ""), "published_at": given}
        )

    def _typed_date_only(self) -> bool:
        typed = self.data.get(self.add_prefix("published_at"), "").strip()
        for date_format in DATE_ONLY_FORMATS:
            try:
                datetime.strptime(typed, date_format)
            except ValueError:
                continue
            return True
        return False

    def has_values(self) -> bool:
        return any(self.data.get(self.add_prefix(name), "").strip() for name in self.fields)


class ArticleSourceForm(SourceFieldsForm):
    """An article's source details as an editor corrects them on its page."""

    byline = forms.CharField(label="Byline", max_length=300, required=False, help_text="Who wrote it.")

    field_order = ["outlet", "url", "byline", "published_at"]

    def clean_byline(self) -> str:
        return " ".join(self.cleaned_data["byline"].split())


def query_int(request, name: str) -> int | None:
    """A whole number from the query string (a page's part, a revision's number); None when absent or not
    a number, so that a hand-edited address shows the default instead of an error."""
    return PageQueryForm(request.GET).value(name)


# --- The brief's actions --------------------------------------------------------------------------------
# Each POST of the brief pane is read by one of these forms (web.views.briefs.brief_action). Their error
# messages are what the editor reads in the pane.

VERSION_MISSING = "This form did not say which version of the brief it changes; reload the page."


class OptionalIntegerField(forms.IntegerField):
    """A whole number, or None when it is missing or not a number (a form of an earlier page)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            return None


def required_id(what: str) -> forms.IntegerField:
    """The id of something the editor chose; missing or garbled: "Choose {what} first." """
    message = f"Choose {what} first."
    return forms.IntegerField(error_messages={"required": message, "invalid": message})


def posted_text(**kwargs) -> forms.CharField:
    """Text as the editor typed it (the service decides what is too long or empty)."""
    return forms.CharField(required=False, strip=False, **kwargs)


class BriefActionForm(forms.Form):
    """Every brief action says which version of the brief the editor saw, and an item's form its item's."""

    version = forms.IntegerField(error_messages={"required": VERSION_MISSING, "invalid": VERSION_MISSING})
    item_version = OptionalIntegerField()


class AddClaimForm(BriefActionForm):
    claim = required_id("a claim")


class AddSentenceForm(BriefActionForm):
    sentence = required_id("a sentence")


class ItemTextForm(BriefActionForm):
    text = posted_text()


class HeaderForm(BriefActionForm):
    headline = posted_text()
    standfirst = posted_text()


class MoveItemForm(BriefActionForm):
    before = OptionalIntegerField()
    after = OptionalIntegerField()
    direction = posted_text()
    to = OptionalIntegerField()


class MultipleIdsField(forms.Field):
    def to_python(self, value):
        try:
            return [int(v) for v in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class MergeItemsForm(BriefActionForm):
    items = MultipleIdsField(
        required=False,
        widget=forms.MultipleHiddenInput,
        error_messages={"invalid": "Choose the items to merge with their checkboxes."},
    )
    text = posted_text()

    def clean_text(self) -> str | None:
        return self.cleaned_data["text"] if "text" in self.data else None  # absent: the items' texts joined


class SourceChoiceForm(BriefActionForm):
    article = required_id("a source")


class PublishForm(BriefActionForm):
    confirm_warnings = posted_text()


class ResolveFlagForm(BriefActionForm):
    key = posted_text()
    resolution = posted_text()


class PresenceForm(forms.Form):
    """The open brief pane's ping: the brief's version it shows, when it says."""

    version = OptionalIntegerField()


# --- The stories' pages -----------------------------------------------------------------------------


class StoryCreateForm(forms.Form):
    title = posted_text()  # the service says what a title needs (articles.services.stories)


class RerunAnalysisForm(forms.Form):
    algorithm = forms.CharField(required=False)  # checked against the story's algorithms by the view


class SeenCorrectionForm(forms.Form):
    """The last source correction the editor saw (hidden in "Edit source details"); None when not said."""

    seen_correction = OptionalIntegerField()


class ImportForm(forms.Form):
    """The import form's text fields (the files and their details are read beside it)."""

    pasted = forms.CharField(required=False)
    pasted_title = forms.CharField(required=False)
    url = forms.CharField(required=False)
    feed_url = forms.CharField(required=False)


class PageQueryForm(forms.Form):
    """The query string of the pages (`?q=`, `?filter=`, `?entity=`, `?algorithm=`, `?shown=`, `?sources=`,
    `?view=`, an article's `?part=` and `?sentence=`, the compared revisions `?a=` and `?b=`). A link is never
    refused: a value that does not clean falls back to its default (`value`), so an old or hand-edited link
    still opens the page."""

    q = forms.CharField(required=False)
    filter = forms.CharField(required=False)  # one of articles.selectors.CLAIM_FILTERS, checked by the view
    entity = forms.IntegerField(required=False, min_value=1)
    algorithm = forms.CharField(required=False)  # one of the story's algorithms, checked by the view
    shown = forms.IntegerField(required=False, min_value=0, max_value=100_000)
    sources = forms.IntegerField(required=False, min_value=0, max_value=100_000)
    view = forms.CharField(required=False)
    part = forms.IntegerField(required=False)
    sentence = forms.IntegerField(required=False)
    a = forms.IntegerField(required=False)
    b = forms.IntegerField(required=False)

    def __init__(self, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.is_valid()

    def value(self, name: str, default=None):
        """The cleaned value of one parameter, or `default` when it is missing, empty or does not clean."""
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


# --- Watched sources ----------------------------------------------------------------------------------


class WatchedSourceForm(forms.Form):
    """ "Watch a feed" on the Sources page; the service (articles.services.watching) checks the address and
    the interval and says what is wrong."""

    url = forms.CharField(label="Feed address", max_length=2000)
    # Empty: the Inbox (each entry goes to the story it reports on, or starts a new one).
    story = forms.ModelChoiceField(
        queryset=None,
        label="Story",
        required=False,
        error_messages={"invalid_choice": "Choose one of the stories, or the Inbox."},
    )
    name = forms.CharField(label="Name", required=False, max_length=200)
    interval_minutes = forms.IntegerField(label="Poll every (minutes)", initial=15)

    def __init__(self, *args, **kwargs):
        from articles.models import Story

        super().__init__(*args, **kwargs)
        self.fields["story"].queryset = Story.objects.filter(status=Story.Status.STORY).order_by("title")

    def problems(self) -> list[str]:
        return [f"{self.fields[name].label}: {' '.join(errors)}" for name, errors in self.errors.items()]


class InboxActionForm(forms.Form):
    """One of the Inbox's actions on a story (articles.services.inbox); which fields count depends on it."""

    action = forms.ChoiceField(
        choices=[("accept", "Accept"), ("merge", "Merge"), ("split", "Split"), ("move", "Move")],
        error_messages={"invalid_choice": "Choose Accept, Merge, Split or Move."},
    )
    title = forms.CharField(required=False, max_length=300)
    into = forms.IntegerField(required=False, min_value=1)
    articles = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())

    def __init__(self, *args, story=None, **kwargs):
        super().__init__(*args, **kwargs)
        if story is not None:
            self.fields["articles"].choices = [(pk, pk) for pk in story.articles.values_list("pk", flat=True)]

    def problems(self) -> list[str]:
        return [" ".join(errors) for errors in self.errors.values()]


class SourceActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("pause", "Pause"), ("resume", "Resume"), ("poll", "Poll now")])
