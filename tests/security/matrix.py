"""The permission matrix: for every URL pattern, what each role gets for GET and for POST.

A new URL pattern without an entry here fails test_every_url_pattern_has_an_entry. The admin is one rule:
it is for staff accounts only, and none of the editorial roles is staff.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from articles.models import Claim
from briefs.checks import flag_key
from briefs.services import brief_add_claim, brief_add_own_item
from tests.security.conftest import PASSWORD, ROLES, Newsroom

# Outcomes
OK = "ok"  # 2xx, or a redirect somewhere other than a login page
LOGIN = "login"  # redirect to the login form (anonymous)
DENIED = "denied"  # 403
NOT_ALLOWED = "not allowed"  # 405: the view does not take this method
ADMIN_LOGIN = "admin login"  # redirect to the admin's login form

PUBLIC = dict.fromkeys(ROLES, OK)
READ = {"anonymous": LOGIN, "viewer": OK, "editor": OK, "chief": OK}
EDIT = {"anonymous": LOGIN, "viewer": DENIED, "editor": OK, "chief": OK}
PUBLISH = {"anonymous": LOGIN, "viewer": DENIED, "editor": DENIED, "chief": OK}
NO_METHOD = dict.fromkeys(ROLES, NOT_ALLOWED)
LOGIN_THEN_NO_METHOD = dict.fromkeys(ROLES, NOT_ALLOWED) | {"anonymous": LOGIN}
STAFF_ONLY = dict.fromkeys(ROLES, ADMIN_LOGIN)
KEY_ONLY = dict.fromkeys(ROLES, DENIED)  # a signed key in the address, whoever is logged in

Prepared = tuple[dict, dict]  # (URL parameters overriding the samples, POST data)
Prepare = Callable[[Newsroom, str], Prepared]


@dataclass(frozen=True)
class Entry:
    get: dict[str, str]
    post: dict[str, str]
    prepare: Prepare = field(default=lambda newsroom, role: ({}, {}))


def url_samples(newsroom: Newsroom) -> dict[str, object]:
    """A value for every URL parameter, taken from the newsroom's published story."""
    from django.contrib.contenttypes.models import ContentType

    items = newsroom.items()
    return {
        "slug": newsroom.story.slug,
        "item_id": items[0].pk if items else 0,
        "number": 1,
        "fmt": "html",
        "article_id": newsroom.article(0).pk,
        "claim_id": newsroom.built.claims["disputed"].pk,
        "batch_id": newsroom.batch.pk,
        "object_id": newsroom.story.pk,
        "id": newsroom.users["viewer"].pk,
        "content_type_id": ContentType.objects.get_for_model(type(newsroom.story)).pk,
        "app_label": "articles",
        "url": "no-such-admin-page/",
        "source_id": watched_source(newsroom).pk,
        "story_id": newsroom.story.pk,
        "action_id": 1,
    }


def watched_source(newsroom: Newsroom):
    from articles.models import WatchedSource

    return WatchedSource.objects.get_or_create(
        url="https://feeds.example/newsroom.xml", defaults={"story": newsroom.story}
    )[0]


# --- What each POST sends (valid data, so that an allowed role really succeeds) --------------------


def _version(newsroom: Newsroom) -> dict:
    return {"version": newsroom.current_brief().version}


def _with_items(newsroom: Newsroom, count: int) -> list:
    while len(items := newsroom.items()) < count:
        brief = newsroom.current_brief()
        brief_add_own_item(brief, text="Padding item", user=None, expected_version=brief.version)
    return items


def login_data(newsroom: Newsroom, role: str) -> Prepared:
    username = "viewer" if role == "anonymous" else role
    return {}, {"username": username, "password": PASSWORD}


def password_change_data(newsroom: Newsroom, role: str) -> Prepared:
    new = "a-new-long-password-4821"
    return {}, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}


def header_data(newsroom: Newsroom, role: str) -> Prepared:
    return {}, _version(newsroom) | {"headline": f"Headline by {role}", "standfirst": "A standfirst."}


def add_claim_data(newsroom: Newsroom, role: str) -> Prepared:
    sentence = newsroom.built.sentences[2][0]
    claim = Claim.objects.create(
        story=newsroom.story, position=9, text=sentence.text, representative=sentence, support=1, salience=0.1
    )
    claim.sentences.set([sentence])
    return {}, _version(newsroom) | {"claim": claim.pk}


def add_sentence_data(newsroom: Newsroom, role: str) -> Prepared:
    return {}, _version(newsroom) | {"sentence": newsroom.built.sentences[1][0].pk}


def add_own_data(newsroom: Newsroom, role: str) -> Prepared:
    return {}, _version(newsroom) | {"text": f"An item written by {role}."}


def merge_data(newsroom: Newsroom, role: str) -> Prepared:
    first, second = _with_items(newsroom, 2)[:2]
    return {}, _version(newsroom) | {"items": [first.pk, second.pk], "text": "Merged text."}


def first_item_data(extra: dict) -> Prepare:
    def prepare(newsroom: Newsroom, role: str) -> Prepared:
        first = _with_items(newsroom, 2)[0]
        return {"item_id": first.pk}, _version(newsroom) | extra

    return prepare


def attach_data(newsroom: Newsroom, role: str) -> Prepared:
    brief = newsroom.current_brief()
    own = brief_add_own_item(brief, text="Needs a source", user=None, expected_version=brief.version)
    return {"item_id": own.pk}, _version(newsroom) | {"article": newsroom.article(2).pk}


def detach_data(newsroom: Newsroom, role: str) -> Prepared:
    first = _with_items(newsroom, 2)[0]
    source = first.articles.first()
    assert source is not None, "the item built from a claim has a source to detach"
    return {"item_id": first.pk}, _version(newsroom) | {"article": source.pk}


def resolve_flag_data(newsroom: Newsroom, role: str) -> Prepared:
    brief = newsroom.current_brief()
    flagged = newsroom.built.claims["disputed"]
    item = brief_add_claim(brief, flagged, user=None, expected_version=brief.version)
    flag = flagged.discrepancies.first()
    key = flag_key(flag.kind, flag.value_a, flag.value_b)
    return {"item_id": item.pk}, _version(newsroom) | {"key": key, "resolution": "noted"}


def version_only(newsroom: Newsroom, role: str) -> Prepared:
    return {}, _version(newsroom)


def confirmed_publish(newsroom: Newsroom, role: str) -> Prepared:
    return {}, _version(newsroom) | {"confirm_warnings": "yes"}


def story_data(newsroom: Newsroom, role: str) -> Prepared:
    return {}, {"title": f"A story started by {role}"}


def source_details_data(newsroom: Newsroom, role: str) -> Prepared:
    return {}, {"source-outlet": f"Outlet named by {role}", "source-url": "https://outlet.example/a"}


def import_data(newsroom: Newsroom, role: str) -> Prepared:
    return {}, {"pasted_title": "Pasted", "pasted": f"A pasted article from {role}. It has two sentences."}


def source_add_data(newsroom: Newsroom, role: str) -> Prepared:
    # A loopback feed: refused by the SSRF guard at its first poll, without reaching any network.
    url = f"http://127.0.0.1:9/feed-of-{role}.xml"
    return {}, {"url": url, "story": newsroom.story.pk, "interval_minutes": 15}


def _candidate(role: str):
    from articles.models import Story
    from articles.services.stories import story_create

    return story_create(title=f"A story the workbench formed ({role})", status=Story.Status.CANDIDATE)


def accept_candidate_data(newsroom: Newsroom, role: str) -> Prepared:
    return {"story_id": _candidate(role).pk}, {"action": "accept", "title": f"Accepted by {role}"}


def undo_data(newsroom: Newsroom, role: str) -> Prepared:
    from articles.services import inbox

    action = inbox.accept(newsroom.users["editor"], _candidate(role))
    return {"action_id": action.pk}, {}


BRIEF_ACTION = dict(get=LOGIN_THEN_NO_METHOD, post=EDIT)
CHIEF_ACTION = dict(get=LOGIN_THEN_NO_METHOD, post=PUBLISH)

MATRIX: dict[str, Entry] = {
    # Public: the health probe, the login form, published briefs and their feed.
    "healthz": Entry(get=PUBLIC, post=PUBLIC),
    "accounts/login/": Entry(get=PUBLIC, post=PUBLIC, prepare=login_data),
    "accounts/logout/": Entry(get=NO_METHOD, post=PUBLIC),
    "published/": Entry(get=PUBLIC, post=NO_METHOD),
    "published/feed.atom": Entry(get=PUBLIC, post=PUBLIC),
    "published/<slug:slug>/": Entry(get=PUBLIC, post=NO_METHOD),
    # One's own account.
    "accounts/password_change/": Entry(get=READ, post=READ, prepare=password_change_data),
    "accounts/password_change/done/": Entry(get=READ, post=LOGIN_THEN_NO_METHOD),
    # Reading pages (a POST to a page that only reads changes nothing).
    "": Entry(get=READ, post=READ),
    "stories/": Entry(get=READ, post=NO_METHOD),
    "stories/<slug:slug>/": Entry(get=READ, post=NO_METHOD),
    "stories/<slug:slug>/articles/<int:article_id>/": Entry(get=READ, post=NO_METHOD),
    "stories/<slug:slug>/claims/<int:claim_id>/": Entry(get=READ, post=NO_METHOD),
    "stories/<slug:slug>/jobs/": Entry(get=READ, post=READ),
    "stories/<slug:slug>/timeline/": Entry(get=READ, post=NO_METHOD),
    # Read by feed readers (no session): a personal signed key in the address, refused without it.
    "stories/<slug:slug>/timeline.atom": Entry(
        get=dict.fromkeys(ROLES, DENIED), post=dict.fromkeys(ROLES, DENIED)
    ),
    "stories/<slug:slug>/import/<int:batch_id>/": Entry(get=READ, post=READ),
    "stories/<slug:slug>/brief/": Entry(get=READ, post=NO_METHOD),
    # The open brief pane's ping: a POST, as it records who has the brief open (an Editor's, not a Viewer's).
    "stories/<slug:slug>/brief/presence/": Entry(get=LOGIN_THEN_NO_METHOD, post=READ, prepare=version_only),
    "stories/<slug:slug>/brief/history/": Entry(get=READ, post=NO_METHOD),
    "stories/<slug:slug>/brief/preview/": Entry(get=READ, post=NO_METHOD),
    "stories/<slug:slug>/brief/revisions/<int:number>.<str:fmt>": Entry(get=READ, post=NO_METHOD),
    # Watched feeds: everyone reads the list; Editor and Chief editor add, pause and poll.
    "sources/": Entry(get=READ, post=NO_METHOD),
    "sources/add/": Entry(get=NO_METHOD, post=EDIT, prepare=source_add_data),
    "sources/<int:source_id>/": Entry(
        get=NO_METHOD, post=EDIT, prepare=lambda n, r: ({}, {"action": "pause"})
    ),
    # The Inbox: everyone reads it; Editor and Chief editor sort its stories and undo what was done.
    "inbox/": Entry(get=READ, post=NO_METHOD),
    "inbox/stories/<int:story_id>/": Entry(get=NO_METHOD, post=EDIT, prepare=accept_candidate_data),
    "inbox/actions/<int:action_id>/undo/": Entry(get=NO_METHOD, post=EDIT, prepare=undo_data),
    # Editing: Editor and Chief editor.
    "stories/new/": Entry(get=NO_METHOD, post=EDIT, prepare=story_data),
    "stories/<slug:slug>/import/": Entry(get=READ, post=EDIT, prepare=import_data),
    "stories/<slug:slug>/analysis/": Entry(get=NO_METHOD, post=EDIT),
    # An article's outlet, URL, byline and date (the form is on the article's page).
    "stories/<slug:slug>/articles/<int:article_id>/source/": Entry(
        get=NO_METHOD, post=EDIT, prepare=source_details_data
    ),
    "stories/<slug:slug>/brief/header/": Entry(**BRIEF_ACTION, prepare=header_data),
    "stories/<slug:slug>/brief/add-claim/": Entry(**BRIEF_ACTION, prepare=add_claim_data),
    "stories/<slug:slug>/brief/add-sentence/": Entry(**BRIEF_ACTION, prepare=add_sentence_data),
    "stories/<slug:slug>/brief/add-own/": Entry(**BRIEF_ACTION, prepare=add_own_data),
    "stories/<slug:slug>/brief/start-from-candidate/": Entry(**BRIEF_ACTION, prepare=version_only),
    "stories/<slug:slug>/brief/merge/": Entry(**BRIEF_ACTION, prepare=merge_data),
    "stories/<slug:slug>/brief/items/<int:item_id>/remove/": Entry(
        **BRIEF_ACTION, prepare=first_item_data({})
    ),
    "stories/<slug:slug>/brief/items/<int:item_id>/move/": Entry(
        **BRIEF_ACTION, prepare=first_item_data({"direction": "down"})
    ),
    # GET shows the inline edit form and POST saves it: both only for those who may edit.
    "stories/<slug:slug>/brief/items/<int:item_id>/edit/": Entry(
        get=EDIT, post=EDIT, prepare=first_item_data({"text": "Edited text."})
    ),
    "stories/<slug:slug>/brief/items/<int:item_id>/attach/": Entry(**BRIEF_ACTION, prepare=attach_data),
    "stories/<slug:slug>/brief/items/<int:item_id>/detach/": Entry(**BRIEF_ACTION, prepare=detach_data),
    "stories/<slug:slug>/brief/restore/<int:number>/": Entry(**BRIEF_ACTION, prepare=version_only),
    "stories/<slug:slug>/brief/items/<int:item_id>/resolve-flag/": Entry(
        **BRIEF_ACTION, prepare=resolve_flag_data
    ),
    # Publishing: Chief editor only.
    "stories/<slug:slug>/brief/publish/": Entry(**CHIEF_ACTION, prepare=confirmed_publish),
    "stories/<slug:slug>/brief/unpublish/": Entry(**CHIEF_ACTION, prepare=version_only),
}

ADMIN_EXCEPTIONS: dict[str, Entry] = {
    "admin/login/": Entry(get=PUBLIC, post=PUBLIC),
    "admin/logout/": Entry(get=PUBLIC, post=PUBLIC),  # a non-staff visitor is sent to the admin index
}


def entry_for(route: str) -> Entry | None:
    if route.startswith("admin/"):
        return ADMIN_EXCEPTIONS.get(route, Entry(get=STAFF_ONLY, post=STAFF_ONLY))
    return MATRIX.get(route)


def outcome_of(response) -> str:
    status = response.status_code
    location = response.get("Location", "") if status in (301, 302, 303, 307, 308) else ""
    if location.startswith(reverse("login") + "?next="):
        return LOGIN
    if location.startswith(reverse("admin:login") + "?next="):
        return ADMIN_LOGIN
    if status == 403:
        return DENIED
    if status == 405:
        return NOT_ALLOWED
    if 200 <= status < 400:
        return OK
    return f"HTTP {status}"
