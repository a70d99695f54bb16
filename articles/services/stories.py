"""Creating stories: the one place a Story row is made, with the one rule for its slug.

Every front door (the workbench's "New story" form, `import_articles`, `setup_demo`) comes here, so the same
title gives the same address whichever way the story was made:

- the slug is the title slugified (ASCII letters, digits and hyphens), cut to SLUG_LENGTH characters, or
  "story" when nothing is left;
- a slug that is a fixed address of the workbench (RESERVED_SLUGS: /stories/new/ is the create form) is never
  given to a story; "New" becomes new-2;
- a slug already taken gets the next free number: wildfire, wildfire-2, wildfire-3, ...
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from articles.models import Story

# Addresses under /stories/ that are not a story: a story with one of these slugs could never be opened.
RESERVED_SLUGS = frozenset({"new"})
# Story.slug holds 120 characters; the base stays under it so that "-2", "-3", ... always fit.
SLUG_LENGTH = 100
TITLE_LENGTH = 300


class StoryNameError(ValueError):
    """A title or slug that cannot name a story; the message says why, for the person who gave it."""


def story_title(title: str) -> str:
    """The title as stored: runs of whitespace made one space, at most TITLE_LENGTH characters."""
    return " ".join(title.split())[:TITLE_LENGTH]


def slug_base(text: str) -> str:
    """`text` slugified and cut to SLUG_LENGTH (never ending in a hyphen); "" when nothing is left."""
    return slugify(text)[:SLUG_LENGTH].strip("-")


def _candidates(base: str):
    """base, base-2, base-3, ...: every slug the rule may give, reserved ones left out."""
    if base not in RESERVED_SLUGS:
        yield base
    n = 2
    while True:
        slug = f"{base}-{n}"
        if slug not in RESERVED_SLUGS:
            yield slug
        n += 1


def slug_for_title(title: str) -> str:
    """The slug a new story of this title gets when no story holds it yet ("New" -> "new-2")."""
    return next(_candidates(slug_base(title) or "story"))


def _create(
    title: str, slug: str, user: AbstractBaseUser | None, status: str = Story.Status.STORY
) -> Story | None:
    """Create the story, or None when another story took the slug a moment ago."""
    try:
        with transaction.atomic():
            return Story.objects.create(title=title, slug=slug, created_by=user, status=status)
    except IntegrityError:
        if Story.objects.filter(slug=slug).exists():
            return None
        raise


def story_create(
    *, title: str, user: AbstractBaseUser | None = None, status: str = Story.Status.STORY
) -> Story:
    """A new story with this title, at the first free slug the rule gives for it (a candidate of the Inbox
    with `status` Story.Status.CANDIDATE)."""
    title = story_title(title)
    if not title:
        raise StoryNameError("A story needs a title.")
    for slug in _candidates(slug_base(title) or "story"):
        if Story.objects.filter(slug=slug).exists():
            continue
        story = _create(title, slug, user, status)
        if story is not None:
            return story
    raise AssertionError("unreachable: the candidates never run out")


def story_get_or_create(
    *, title: str = "", slug: str = "", user: AbstractBaseUser | None = None
) -> tuple[Story, bool]:
    """The story named by `slug`, or else by `title` (the slug a new story of that title gets), created with
    that title when missing. Returns (story, created).

    An explicit slug is slugified and cut like any other; a reserved one is refused with StoryNameError.
    """
    title = story_title(title)
    if slug.strip():
        wanted = slug_base(slug)
        if not wanted:
            raise StoryNameError(f"“{slug}” has no letters or digits to make a story's address from.")
        if wanted in RESERVED_SLUGS:
            raise StoryNameError(
                f"“{wanted}” cannot be a story's slug: /stories/{wanted}/ is an address of the workbench "
                "itself. Choose another slug."
            )
    elif title:
        wanted = slug_for_title(title)
    else:
        raise StoryNameError("Name the story: give its title or its slug.")
    while True:
        found = Story.objects.filter(slug=wanted).first()
        if found is not None:
            return found, False
        story = _create(title or story_title(wanted.replace("-", " ").capitalize()), wanted, user)
        if story is not None:
            return story, True
